//! Languages of the UI and Thai calendar formatting (Buddhist era = common era + 543).

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Th,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Self::Th => "th",
            Self::En => "en",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "th" => Some(Self::Th),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// The first supported language in an `Accept-Language` header, honouring q-values.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut best: Option<(f32, Self)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("").trim();
            let primary = tag.split('-').next().unwrap_or("");
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if let Some(lang) = Self::parse(primary) {
                if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                    best = Some((q, lang));
                }
            }
        }
        best.map(|(_, lang)| lang)
    }
}

pub const THAI_MONTHS_SHORT: [&str; 12] = [
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
];
const THAI_MONTHS_LONG: [&str; 12] = [
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม", "กันยายน",
    "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
];
pub const ENGLISH_MONTHS_SHORT: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// Thailand has one time zone, UTC+7, and no daylight saving.
const THAILAND: Duration = Duration::hours(7);

/// The date in Thailand at `at`.
pub fn thai_date(at: DateTime<Utc>) -> NaiveDate {
    (at + THAILAND).date_naive()
}

/// The instant a day begins in Thailand (midnight, UTC+7).
pub fn thai_midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(chrono::NaiveTime::MIN).and_utc() - THAILAND
}

pub fn buddhist_year(date: NaiveDate) -> i32 {
    date.year() + 543
}

/// `25 พ.ย. 2569` in Thai, `25 Nov 2026` in English.
pub fn format_date(date: NaiveDate, lang: Lang) -> String {
    let month = date.month0() as usize;
    match lang {
        Lang::Th => format!("{} {} {}", date.day(), THAI_MONTHS_SHORT[month], buddhist_year(date)),
        Lang::En => format!("{} {} {}", date.day(), ENGLISH_MONTHS_SHORT[month], date.year()),
    }
}

/// `25 พฤศจิกายน พ.ศ. 2569`, for documents and the watermark.
pub fn format_date_long_th(date: NaiveDate) -> String {
    format!("{} {} พ.ศ. {}", date.day(), THAI_MONTHS_LONG[date.month0() as usize], buddhist_year(date))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thai_dates_use_the_buddhist_year() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 25).expect("date");
        assert_eq!(format_date(d, Lang::Th), "25 พ.ย. 2569");
        assert_eq!(format_date(d, Lang::En), "25 Nov 2026");
        assert_eq!(format_date_long_th(d), "25 พฤศจิกายน พ.ศ. 2569");
    }

    #[test]
    fn accept_language_picks_the_preferred_supported_language() {
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9,th;q=0.8"), Some(Lang::En));
        assert_eq!(Lang::from_accept_language("fr, th;q=0.5, en;q=0.4"), Some(Lang::Th));
        assert_eq!(Lang::from_accept_language("fr, de"), None);
        assert_eq!(Lang::from_accept_language(""), None);
    }
}
