//! A date typed as three parts, as Thai forms write it: day, month, year, the year in the
//! Buddhist era (พ.ศ. = ค.ศ. + 543) on Thai pages and in the Christian era on English ones.

use chrono::{Datelike, NaiveDate};

use crate::locale::Lang;

/// The years a form date may have, Christian era (as `form::validate` allows).
const YEARS: std::ops::RangeInclusive<i32> = 1800..=2300;
/// Buddhist era minus Christian era.
const BUDDHIST_OFFSET: i32 = 543;

pub const THAI_MONTHS: [&str; 12] = [
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม", "กันยายน",
    "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
];
pub const ENGLISH_MONTHS: [&str; 12] =
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/// The month names of `lang`, January first.
pub fn month_names(lang: Lang) -> &'static [&'static str; 12] {
    match lang {
        Lang::Th => &THAI_MONTHS,
        Lang::En => &ENGLISH_MONTHS,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatePartsError {
    /// A part is missing or not a number.
    Incomplete,
    /// Not a day of the calendar, e.g. 31 April or 29 February of a common year.
    NoSuchDay,
    /// The year is outside the years a form takes; on a Thai page most often a Christian year
    /// typed where the Buddhist one is asked for (2026 instead of 2569).
    YearOutOfRange,
}

/// Digits as typed, Thai digits (๐–๙) included, surrounding spaces ignored.
fn number(raw: &str) -> Option<u32> {
    let digits: String = raw
        .trim()
        .chars()
        .map(|c| match c {
            '๐'..='๙' => char::from_digit(c as u32 - '๐' as u32, 10).unwrap_or(c),
            other => other,
        })
        .collect();
    if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The date of `day`, `month` (1–12) and `year`, the year read in the era of `lang`.
/// All three empty is no answer (`Ok(None)`).
pub fn parse(day: &str, month: &str, year: &str, lang: Lang) -> Result<Option<NaiveDate>, DatePartsError> {
    if [day, month, year].iter().all(|p| p.trim().is_empty()) {
        return Ok(None);
    }
    let (Some(d), Some(m), Some(y)) = (number(day), number(month), number(year)) else {
        return Err(DatePartsError::Incomplete);
    };
    let typed = i32::try_from(y).map_err(|_| DatePartsError::Incomplete)?;
    let christian = match lang {
        Lang::Th => typed - BUDDHIST_OFFSET,
        Lang::En => typed,
    };
    if !YEARS.contains(&christian) {
        return Err(DatePartsError::YearOutOfRange);
    }
    NaiveDate::from_ymd_opt(christian, m, d).map(Some).ok_or(DatePartsError::NoSuchDay)
}

/// A date typed on one line in any of the ways the product shows or a person writes one:
/// `2026-12-24`, `24/12/2569`, `24 ธ.ค. 2569`, `24 ธันวาคม พ.ศ. 2569`, `24 Dec 2026`. A year of
/// 2400 or more is Buddhist, a smaller one Christian, so no language is needed.
pub fn parse_any(line: &str) -> Option<NaiveDate> {
    let line = line.trim().replace("พ.ศ.", " ").replace("ค.ศ.", " ");
    let (d, m, y) = if let Some((y, rest)) = line.split_once('-') {
        let (m, d) = rest.split_once('-')?;
        (number(d)?, number(m)?, number(y)?)
    } else if line.contains('/') {
        let mut parts = line.split('/');
        let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        (number(d)?, number(m)?, number(y)?)
    } else {
        let words: Vec<&str> = line.split_whitespace().collect();
        let [d, month, y] = words.as_slice() else { return None };
        let month = month.trim_end_matches('.').to_lowercase();
        let names = crate::locale::THAI_MONTHS_SHORT
            .iter()
            .chain(THAI_MONTHS.iter())
            .chain(crate::locale::ENGLISH_MONTHS_SHORT.iter())
            .chain(ENGLISH_MONTHS.iter());
        let m = names.enumerate().find(|(_, name)| name.trim_end_matches('.').to_lowercase() == month).map(|(i, _)| i % 12 + 1)?;
        (number(d)?, u32::try_from(m).ok()?, number(y)?)
    };
    let y = i32::try_from(y).ok()?;
    let christian = if y >= 2400 { y - BUDDHIST_OFFSET } else { y };
    YEARS.contains(&christian).then(|| NaiveDate::from_ymd_opt(christian, m, d)).flatten()
}

/// The three parts a form shows for `date`: day, month (1–12) and the year in the era of `lang`.
pub fn parts(date: NaiveDate, lang: Lang) -> (u32, u32, i32) {
    let year = match lang {
        Lang::Th => date.year() + BUDDHIST_OFFSET,
        Lang::En => date.year(),
    };
    (date.day(), date.month(), year)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a date")
    }

    #[test]
    fn a_date_on_one_line_is_read_in_every_way_the_product_writes_one() {
        for line in ["2026-12-24", "24/12/2569", "24/12/2026", "24 ธ.ค. 2569", "24 ธันวาคม พ.ศ. 2569", "24 Dec 2026", " 24 december 2026 ", "๒๔/๑๒/๒๕๖๙"] {
            assert_eq!(parse_any(line), Some(ymd(2026, 12, 24)), "{line}");
        }
        let shown = crate::locale::format_date(ymd(2027, 1, 4), Lang::Th);
        assert_eq!(parse_any(&shown), Some(ymd(2027, 1, 4)), "what a Thai page shows reads back");
        for line in ["", "31/02/2569", "24 Foo 2569", "2569", "24/12", "1/1/3000"] {
            assert_eq!(parse_any(line), None, "{line}");
        }
    }

    #[test]
    fn a_thai_page_reads_the_buddhist_year() {
        assert_eq!(parse("15", "1", "2569", Lang::Th), Ok(Some(ymd(2026, 1, 15))));
        assert_eq!(parse(" 1 ", "12", "2570", Lang::Th), Ok(Some(ymd(2027, 12, 1))));
        assert_eq!(parse("๑๕", "๑", "๒๕๖๙", Lang::Th), Ok(Some(ymd(2026, 1, 15))), "Thai digits");
    }

    #[test]
    fn an_english_page_reads_the_christian_year() {
        assert_eq!(parse("15", "1", "2026", Lang::En), Ok(Some(ymd(2026, 1, 15))));
        assert_eq!(parse("15", "1", "2569", Lang::En), Err(DatePartsError::YearOutOfRange));
    }

    #[test]
    fn a_christian_year_on_a_thai_page_is_refused_not_read_543_years_off() {
        assert_eq!(parse("15", "1", "2026", Lang::Th), Err(DatePartsError::YearOutOfRange));
        assert_eq!(parse("15", "1", "69", Lang::Th), Err(DatePartsError::YearOutOfRange));
    }

    #[test]
    fn impossible_days_and_missing_parts_are_refused() {
        assert_eq!(parse("29", "2", "2569", Lang::Th), Err(DatePartsError::NoSuchDay), "2026 is a common year");
        assert_eq!(parse("29", "2", "2567", Lang::Th), Ok(Some(ymd(2024, 2, 29))), "2024 is a leap year");
        assert_eq!(parse("31", "4", "2569", Lang::Th), Err(DatePartsError::NoSuchDay));
        assert_eq!(parse("1", "13", "2569", Lang::Th), Err(DatePartsError::NoSuchDay));
        assert_eq!(parse("", "1", "2569", Lang::Th), Err(DatePartsError::Incomplete));
        assert_eq!(parse("1", "1", "25x9", Lang::Th), Err(DatePartsError::Incomplete));
        assert_eq!(parse("1", "1", "-2569", Lang::Th), Err(DatePartsError::Incomplete));
        assert_eq!(parse(" ", "", "", Lang::Th), Ok(None), "nothing typed is no answer");
    }

    #[test]
    fn parts_round_trip_in_both_eras() {
        let d = ymd(2026, 11, 25);
        assert_eq!(parts(d, Lang::Th), (25, 11, 2569));
        assert_eq!(parts(d, Lang::En), (25, 11, 2026));
        for lang in [Lang::Th, Lang::En] {
            let (day, month, year) = parts(d, lang);
            assert_eq!(parse(&day.to_string(), &month.to_string(), &year.to_string(), lang), Ok(Some(d)));
        }
        assert_eq!(month_names(Lang::Th)[0], "มกราคม");
        assert_eq!(month_names(Lang::En)[11], "December");
    }
}
