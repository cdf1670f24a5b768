//! What makes a password acceptable: a length range, not a well-known password, and not built from
//! the citizen's own national ID, birth date or e-mail name (NIST SP 800-63B style, no composition rules).

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::sync::LazyLock;

/// Source and licence: `data/README.md`.
static COMMON_PASSWORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../data/common-passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
});

/// Runs of the national ID at least this long count as "containing" it.
const NATIONAL_ID_RUN: usize = 6;
/// E-mail names (or their dotted pieces) shorter than this are too generic to refuse.
const EMAIL_NAME_MIN: usize = 4;
const BUDDHIST_ERA_OFFSET: i32 = 543;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PasswordPolicy {
    /// In characters. Below 8 the common-password list no longer covers the shortest passwords.
    pub min_length: usize,
    pub max_length: usize,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self { min_length: 10, max_length: 128 }
    }
}

/// What is known about the person choosing the password; any of it may be missing.
#[derive(Clone, Copy, Debug, Default)]
pub struct PersonalFacts<'a> {
    pub national_id: Option<&'a str>,
    pub birth_date: Option<NaiveDate>,
    pub email: Option<&'a str>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    #[error("the password has fewer than {min} characters")]
    TooShort { min: usize },
    #[error("the password has more than {max} characters")]
    TooLong { max: usize },
    #[error("the password is one of the most commonly used passwords")]
    Common,
    #[error("the password contains the national ID number")]
    ContainsNationalId,
    #[error("the password contains the date of birth")]
    ContainsBirthDate,
    #[error("the password contains the name from the e-mail address")]
    ContainsEmailName,
}

impl PasswordProblem {
    pub fn code(self) -> &'static str {
        match self {
            Self::TooShort { .. } => "too_short",
            Self::TooLong { .. } => "too_long",
            Self::Common => "common",
            Self::ContainsNationalId => "contains_national_id",
            Self::ContainsBirthDate => "contains_birth_date",
            Self::ContainsEmailName => "contains_email_name",
        }
    }
}

/// Message-catalogue keys for the advice shown beside a password field, in display order.
pub fn guidance_keys() -> &'static [&'static str] {
    &["password.guide.length", "password.guide.common", "password.guide.personal"]
}

impl PasswordPolicy {
    /// The first problem found, checked in the order of [`PasswordProblem`]'s variants.
    pub fn check(&self, password: &str, personal: &PersonalFacts<'_>) -> Result<(), PasswordProblem> {
        let length = password.chars().count();
        if length < self.min_length {
            return Err(PasswordProblem::TooShort { min: self.min_length });
        }
        if length > self.max_length {
            return Err(PasswordProblem::TooLong { max: self.max_length });
        }
        let lowered = password.to_lowercase();
        if COMMON_PASSWORDS.contains(lowered.as_str()) {
            return Err(PasswordProblem::Common);
        }
        let compact: String = lowered.chars().filter(|c| !matches!(c, ' ' | '-' | '/' | '.')).collect();
        if personal.national_id.is_some_and(|id| contains_national_id(&compact, id)) {
            return Err(PasswordProblem::ContainsNationalId);
        }
        if personal.birth_date.is_some_and(|date| contains_birth_date(&compact, date)) {
            return Err(PasswordProblem::ContainsBirthDate);
        }
        if personal.email.is_some_and(|email| contains_email_name(&lowered, email)) {
            return Err(PasswordProblem::ContainsEmailName);
        }
        Ok(())
    }
}

fn contains_national_id(compact_password: &str, national_id: &str) -> bool {
    let digits: Vec<u8> = national_id.bytes().filter(u8::is_ascii_digit).collect();
    digits
        .windows(NATIONAL_ID_RUN)
        .filter_map(|run| std::str::from_utf8(run).ok())
        .any(|run| compact_password.contains(run))
}

fn contains_birth_date(compact_password: &str, date: NaiveDate) -> bool {
    let (day, month) = (date.day(), date.month());
    [date.year(), date.year() + BUDDHIST_ERA_OFFSET].into_iter().any(|year| {
        let short_year = year.rem_euclid(100);
        [
            format!("{day:02}{month:02}{year:04}"),
            format!("{year:04}{month:02}{day:02}"),
            format!("{day:02}{month:02}{short_year:02}"),
            format!("{short_year:02}{month:02}{day:02}"),
            format!("{day}{month}{year:04}"),
        ]
        .iter()
        .any(|form| compact_password.contains(form.as_str()))
    })
}

/// The whole local part (less any `+tag`) and each of its dotted, dashed or underscored pieces.
fn contains_email_name(lowered_password: &str, email: &str) -> bool {
    let local = email.rsplit_once('@').map_or(email, |(local, _)| local).to_lowercase();
    let name = local.split('+').next().unwrap_or_default();
    std::iter::once(name)
        .chain(name.split(['.', '_', '-']))
        .filter(|piece| piece.chars().count() >= EMAIL_NAME_MIN)
        .any(|piece| lowered_password.contains(piece))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NATIONAL_ID: &str = "1103702071561";

    fn facts() -> PersonalFacts<'static> {
        PersonalFacts {
            national_id: Some(NATIONAL_ID),
            birth_date: NaiveDate::from_ymd_opt(1987, 5, 1),
            email: Some("Somchai.Jaidee@example.go.th"),
        }
    }

    fn check(password: &str) -> Result<(), PasswordProblem> {
        PasswordPolicy::default().check(password, &facts())
    }

    #[test]
    fn a_long_unrelated_password_passes() {
        assert_eq!(check("correct horse battery staple"), Ok(()));
        assert_eq!(check("ม้าลายกินหญ้าริมคลอง"), Ok(()));
    }

    #[test]
    fn length_is_counted_in_characters() {
        // Ten Thai characters are thirty bytes: long enough, and not too long at 128 characters.
        assert_eq!(check("กขคฆงจฉชซฌ"), Ok(()));
        assert_eq!(check("กขคฆงจฉชซ"), Err(PasswordProblem::TooShort { min: 10 }));
        assert_eq!(check(&"ก".repeat(128)), Ok(()));
        assert_eq!(check(&"ก".repeat(129)), Err(PasswordProblem::TooLong { max: 128 }));
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case() {
        assert_eq!(check("qwertyuiop"), Err(PasswordProblem::Common));
        assert_eq!(check("1234567890"), Err(PasswordProblem::Common));
        assert_eq!(check("PassWord123"), Err(PasswordProblem::Common));
        let lenient = PasswordPolicy { min_length: 8, ..PasswordPolicy::default() };
        assert_eq!(lenient.check("Password", &PersonalFacts::default()), Err(PasswordProblem::Common));
    }

    #[test]
    fn the_list_ships_ten_thousand_entries() {
        assert_eq!(COMMON_PASSWORDS.len(), 10_000);
        assert!(COMMON_PASSWORDS.iter().all(|p| *p == p.to_lowercase()));
    }

    #[test]
    fn the_national_id_or_a_run_of_it_is_refused() {
        assert_eq!(check("my1103702071561pw"), Err(PasswordProblem::ContainsNationalId));
        assert_eq!(check("x1-1037-02071-56-1"), Err(PasswordProblem::ContainsNationalId));
        assert_eq!(check("secret020715!!"), Err(PasswordProblem::ContainsNationalId));
        assert_eq!(check("secret02071!!!"), Ok(()));
        let formatted = PersonalFacts { national_id: Some("1-1037-02071-56-1"), ..facts() };
        assert_eq!(
            PasswordPolicy::default().check("abc3702071zz", &formatted),
            Err(PasswordProblem::ContainsNationalId)
        );
    }

    #[test]
    fn the_birth_date_in_either_calendar_is_refused() {
        for password in [
            "born01051987!", // ddmmyyyy
            "born19870501!", // yyyymmdd
            "born010587!!",  // ddmmyy
            "born870501!!",  // yymmdd
            "born01052530!", // ddmmyyyy, Buddhist era
            "born25300501!", // yyyymmdd, Buddhist era
            "born010530!!",  // ddmmyy, Buddhist era
            "born01/05/2530",
            "born1.5.1987!",
        ] {
            assert_eq!(check(password), Err(PasswordProblem::ContainsBirthDate), "{password}");
        }
        assert_eq!(check("born in may, year 1988"), Ok(()));
    }

    #[test]
    fn the_email_name_or_a_piece_of_it_is_refused() {
        assert_eq!(check("SOMCHAI.JAIDEE!!"), Err(PasswordProblem::ContainsEmailName));
        assert_eq!(check("iamjaidee2024"), Err(PasswordProblem::ContainsEmailName));
        let short = PersonalFacts { email: Some("ann+forms@example.com"), ..facts() };
        assert_eq!(PasswordPolicy::default().check("ann-loves-tea", &short), Ok(()));
        let tagged = PersonalFacts { email: Some("anna+forms@example.com"), ..facts() };
        assert_eq!(
            PasswordPolicy::default().check("anna-loves-tea", &tagged),
            Err(PasswordProblem::ContainsEmailName)
        );
    }

    #[test]
    fn nothing_personal_known_means_only_length_and_list() {
        let policy = PasswordPolicy::default();
        assert_eq!(policy.check("01051987somchai1103702071561", &PersonalFacts::default()), Ok(()));
    }

    #[test]
    fn codes_and_guidance_keys_are_stable() {
        assert_eq!(PasswordProblem::TooShort { min: 10 }.code(), "too_short");
        assert_eq!(PasswordProblem::ContainsBirthDate.code(), "contains_birth_date");
        assert!(guidance_keys().iter().all(|key| key.starts_with("password.guide.")));
    }
}
