//! Answers shown back to people (request page, back office, e-mails), read from the stored JSON so
//! a request made with an older form version still reads well. Dates carry the Buddhist year in Thai.

use super::schema::{Field, FieldType};
use super::validate::CleanAddress;
use crate::address;
use crate::locale::{self, Lang};
use crate::national_id::NationalId;
use chrono::NaiveDate;
use serde_json::Value;

/// `25 พ.ย. 2569` in Thai, `25 Nov 2026` in English.
pub fn display_date(date: NaiveDate, lang: Lang) -> String {
    locale::format_date(date, lang)
}

/// A stored answer as text for `field`; `None` for no answer, files and sections.
pub fn display_value(field: &Field, stored: &Value, lang: Lang) -> Option<String> {
    let text = stored.as_str();
    let shown = match field.kind {
        FieldType::Section | FieldType::File => return None,
        FieldType::Text | FieldType::LongText | FieldType::Email => text?.to_owned(),
        FieldType::Number => stored.as_number().map(|n| group_thousands(&n.to_string()))?,
        FieldType::Date => match text?.parse::<NaiveDate>() {
            Ok(date) => display_date(date, lang),
            Err(_) => text?.to_owned(),
        },
        FieldType::Choice => {
            let keys: Vec<&str> = match stored {
                Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
                _ => vec![text?],
            };
            let label = |key: &str| match field.options.iter().find(|o| o.key == key) {
                Some(option) => option.label.get(lang).to_owned(),
                None => key.to_owned(),
            };
            keys.into_iter().map(label).collect::<Vec<_>>().join(", ")
        }
        FieldType::Phone => display_phone(text?),
        FieldType::NationalId => {
            let digits = text?;
            NationalId::parse(digits).map_or_else(|_| digits.to_owned(), |id| id.formatted())
        }
        FieldType::ThaiAddress => display_address(&serde_json::from_value(stored.clone()).ok()?, lang),
    };
    Some(shown)
}

/// `081-234-5678` or `02-123-4567`.
fn display_phone(digits: &str) -> String {
    let split = if digits.starts_with("02") { 2 } else { 3 };
    match (
        digits.get(..split),
        digits.get(split..split + 3),
        digits.get(split + 3..),
    ) {
        (Some(a), Some(b), Some(c)) if digits.is_ascii() && !c.is_empty() => format!("{a}-{b}-{c}"),
        _ => digits.to_owned(),
    }
}

/// `1234567.5` → `1,234,567.5`.
fn group_thousands(number: &str) -> String {
    let (sign, unsigned) = number.strip_prefix('-').map_or(("", number), |rest| ("-", rest));
    let (whole, fraction) = unsigned.split_once('.').map_or((unsigned, None), |(w, f)| (w, Some(f)));
    if !whole.bytes().all(|b| b.is_ascii_digit()) {
        return number.to_owned();
    }
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match fraction {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// One line as written on an envelope: `12/3 ถนนห้วยแก้ว ต.ศรีภูมิ อ.เมืองเชียงใหม่ จ.เชียงใหม่ 50200`.
/// Bangkok's areas are แขวง and เขต (the district's Thai name already carries the word).
pub fn display_address(a: &CleanAddress, lang: Lang) -> String {
    const BANGKOK: u32 = 10;
    let free_text = [a.house_no.as_str(), a.village.as_str(), a.road.as_str()];
    let mut parts: Vec<String> = free_text
        .iter()
        .filter(|p| !p.is_empty())
        .map(|p| (*p).to_owned())
        .collect();
    let Some(found) = address::address(a.sub_district) else {
        parts.push(a.postcode.clone());
        return parts.join(if lang == Lang::Th { " " } else { ", " });
    };
    match lang {
        Lang::Th if found.province.code == BANGKOK => {
            parts.push(format!("แขวง{}", found.sub_district.name_th));
            parts.push(found.district.name_th.clone());
            parts.push(format!("{} {}", found.province.name_th, a.postcode));
        }
        Lang::Th => {
            parts.push(format!("ต.{}", found.sub_district.name_th));
            parts.push(format!("อ.{}", found.district.name_th));
            parts.push(format!("จ.{} {}", found.province.name_th, a.postcode));
        }
        Lang::En => {
            parts.push(found.sub_district.name_en.clone());
            parts.push(found.district.name_en.clone());
            parts.push(format!("{} {}", found.province.name_en, a.postcode));
        }
    }
    parts.join(if lang == Lang::Th { " " } else { ", " })
}
