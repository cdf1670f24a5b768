//! A date field of a service form as three inputs, day / month / year, the year in the Buddhist
//! era on Thai pages (พ.ศ.) and in the Christian era on English ones, instead of the browser's
//! date picker (which shows the Western year). The server reads back what the page shows.

use domain::date_parts::{self, DatePartsError, month_names};
use domain::form::{FieldType, FormSchema};
use domain::locale::Lang;
use serde::Serialize;

use crate::accounts::registration::address::Choice;

/// What a date field shows: the three parts as typed (or as stored) and the months to choose.
#[derive(Serialize)]
pub struct DateView {
    pub day: String,
    pub year: String,
    pub months: Vec<Choice>,
}

/// The parts `key.day`, `key.month`, `key.year` from `part`; failing those, the ISO date of
/// `whole` (a prefill) split in the era of `lang`.
pub fn view(lang: Lang, part: impl Fn(&str) -> String, whole: &str) -> DateView {
    let (mut day, mut month, mut year) = (part("day"), part("month"), part("year"));
    if [&day, &month, &year].iter().all(|p| p.is_empty()) {
        if let Ok(date) = chrono::NaiveDate::parse_from_str(whole.trim(), "%Y-%m-%d") {
            let (d, m, y) = date_parts::parts(date, lang);
            (day, month, year) = (d.to_string(), m.to_string(), y.to_string());
        }
    }
    let months = month_names(lang)
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let value = (i + 1).to_string();
            Choice { selected: month.trim() == value, value, label: (*name).to_owned() }
        })
        .collect();
    DateView { day, year, months }
}

/// The posted answers with each date field's three parts replaced by one `YYYY-MM-DD` value, as
/// the validator reads dates. Parts that make no date are passed on as typed (`15/2/256`), which
/// the validator refuses as `invalid_date`.
pub fn combine(schema: &FormSchema, lang: Lang, pairs: &[(String, String)]) -> Vec<(String, String)> {
    let dates: Vec<&str> = schema.fields.iter().filter(|f| f.kind == FieldType::Date).map(|f| f.key.as_str()).collect();
    let is_part = |name: &str| name.split_once('.').is_some_and(|(key, _)| dates.contains(&key));
    let mut out: Vec<(String, String)> = pairs.iter().filter(|(name, _)| !is_part(name)).cloned().collect();
    for key in dates {
        let get = |p: &str| pairs.iter().find(|(n, _)| *n == format!("{key}.{p}")).map(|(_, v)| v.as_str());
        let (Some(day), Some(month), Some(year)) = (get("day"), get("month"), get("year")) else { continue };
        let value = match date_parts::parse(day, month, year, lang) {
            Ok(Some(date)) => date.format("%Y-%m-%d").to_string(),
            Ok(None) => String::new(),
            Err(DatePartsError::Incomplete | DatePartsError::NoSuchDay | DatePartsError::YearOutOfRange) => {
                format!("{}/{}/{}", day.trim(), month.trim(), year.trim())
            }
        };
        out.retain(|(n, _)| n != key);
        out.push((key.to_owned(), value));
    }
    out
}
