//! Working days (วันทำการ): Monday to Friday, less Thailand's public holidays (`holidays/th.toml`,
//! per year) and a tenant's own closure days. How long a request has been open and when it is due
//! are counted in these days.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

const HOLIDAYS: &str = include_str!("../holidays/th.toml");

#[derive(serde::Deserialize)]
struct HolidayFile {
    years: BTreeMap<String, Vec<NaiveDate>>,
}

/// The national holidays of the data file.
pub fn national_holidays() -> &'static BTreeSet<NaiveDate> {
    static ALL: OnceLock<BTreeSet<NaiveDate>> = OnceLock::new();
    ALL.get_or_init(|| match toml::from_str::<HolidayFile>(HOLIDAYS) {
        Ok(file) => file.years.into_values().flatten().collect(),
        // The file is part of the binary and checked by a test; an unreadable one counts weekdays.
        Err(_) => BTreeSet::new(),
    })
}

/// The years the data file has holidays for.
pub fn known_years() -> BTreeSet<i32> {
    national_holidays().iter().map(Datelike::year).collect()
}

/// A tenant's calendar: the national holidays plus its closure days.
#[derive(Clone, Debug, Default)]
pub struct Calendar {
    closed: BTreeSet<NaiveDate>,
}

impl Calendar {
    pub fn new(closure_days: &[NaiveDate]) -> Self {
        let mut closed = national_holidays().clone();
        closed.extend(closure_days.iter().copied());
        Self { closed }
    }

    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !self.closed.contains(&day)
    }

    /// Working days after `from` up to and including `to` (0 when `to` is not after `from`): a
    /// request submitted on Monday has been open 1 working day on Tuesday.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to <= from {
            return 0;
        }
        // Whole weeks at once, then the rest day by day, less the closed weekdays in between.
        let days = (to - from).num_days();
        let weeks = days / 7;
        let mut count = weeks * 5;
        let mut day = from + Duration::days(weeks * 7);
        while day < to {
            day += Duration::days(1);
            if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
                count += 1;
            }
        }
        let closed = self
            .closed
            .range(from + Duration::days(1)..=to)
            .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
            .count();
        count - i64::try_from(closed).unwrap_or(0)
    }

    /// The day a request submitted on `from` is due: `days` working days later.
    pub fn due_date(&self, from: NaiveDate, days: u32) -> NaiveDate {
        let mut day = from;
        let mut left = days;
        while left > 0 {
            day += Duration::days(1);
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// The latest submission day that is overdue on `today` for a service time of `days`:
    /// requests submitted on it or before have been open more than `days` working days.
    pub fn overdue_if_submitted_by(&self, today: NaiveDate, days: u32) -> NaiveDate {
        let mut day = today;
        let mut counted = 0;
        while counted <= days {
            if self.is_working_day(day) {
                counted += 1;
            }
            day -= Duration::days(1);
        }
        day
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("a date")
    }

    #[test]
    fn the_data_file_reads_and_has_2026_and_2027() {
        assert!(known_years().contains(&2026) && known_years().contains(&2027));
        assert!(national_holidays().contains(&d(2027, 5, 20)), "Visakha Bucha 2027");
        assert!(national_holidays().contains(&d(2026, 4, 13)), "Songkran");
        assert!(national_holidays().iter().all(|h| !matches!(h.weekday(), Weekday::Sat | Weekday::Sun)), "substitution days, not weekends");
    }

    #[test]
    fn weekends_holidays_and_closure_days_do_not_count() {
        let plain = Calendar::default();
        // Friday 2026-11-27 → Monday 2026-11-30: one working day (Monday).
        assert_eq!(plain.working_days_between(d(2026, 11, 27), d(2026, 11, 30)), 1);
        assert_eq!(plain.working_days_between(d(2026, 11, 30), d(2026, 11, 30)), 0);
        let thai = Calendar::new(&[]);
        // Thursday 2026-04-09 → Thursday 2026-04-16: Fri, Mon (6th is Chakri: Monday before), Tue-Wed Songkran...
        // Days after 9 Apr up to 16 Apr: 10 (Fri), 13-15 Songkran, 16 (Thu) → 2 working days.
        assert_eq!(thai.working_days_between(d(2026, 4, 9), d(2026, 4, 16)), 2);
        // Wednesday 2026-12-30 → Monday 2027-01-04 over the new year: only the Monday counts.
        assert_eq!(thai.working_days_between(d(2026, 12, 30), d(2027, 1, 4)), 1);
        let closed = Calendar::new(&[d(2026, 4, 10)]);
        assert_eq!(closed.working_days_between(d(2026, 4, 9), d(2026, 4, 16)), 1);
        // Over many weeks the fast count agrees with counting day by day.
        let (from, to) = (d(2026, 1, 2), d(2026, 12, 30));
        let slow = (1..=(to - from).num_days()).filter(|n| thai.is_working_day(from + Duration::days(*n))).count();
        assert_eq!(thai.working_days_between(from, to), i64::try_from(slow).expect("small"));
    }

    #[test]
    fn due_dates_and_the_overdue_boundary_agree() {
        let thai = Calendar::new(&[]);
        // Submitted Friday 2026-12-04; Mon 7th is a substitution day: 3 working days → Thu 10th is
        // Constitution Day, so Wed 9th, Tue 8th, Fri 11th.
        assert_eq!(thai.due_date(d(2026, 12, 4), 3), d(2026, 12, 11));
        let today = d(2026, 12, 15);
        for days in [1, 3, 10, 30] {
            let last = thai.overdue_if_submitted_by(today, days);
            assert!(thai.working_days_between(last, today) > i64::from(days), "{days}: {last}");
            assert!(thai.working_days_between(last + Duration::days(1), today) <= i64::from(days), "{days}: {last}");
        }
    }
}
