//! A citizen's registration form checked as a whole: every field's problem is reported at once,
//! so the form can come back with a message beside each field and nothing half-accepted.

use chrono::{Datelike, NaiveDate};
use std::fmt;

use crate::address::{self, Address, AddressError};
use crate::email::{Email, EmailError};
use crate::national_id::{NationalId, NationalIdError};
use crate::password_policy::{PasswordPolicy, PersonalFacts};

/// Name titles (คำนำหน้าชื่อ) a Thai national ID card carries, stored as written.
pub const TITLES: &[&str] = &["นาย", "นาง", "นางสาว", "เด็กชาย", "เด็กหญิง"];

const MAX_NAME_CHARS: usize = 100;
const MAX_HOUSE_NO_CHARS: usize = 30;
const MAX_ADDRESS_LINE_CHARS: usize = 100;
const OLDEST_AGE_YEARS: i32 = 130;
const BUDDHIST_ERA_OFFSET: i32 = 543;
/// A four-digit year from here on is a Buddhist-era year (2400 BE is 1857 CE).
const FIRST_BUDDHIST_YEAR: i32 = 2400;

/// What a citizen typed, untrimmed; the address levels are codes from the linked choices.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RegistrationForm {
    pub title: String,
    pub first_name: String,
    pub last_name: String,
    pub national_id: String,
    /// `2533-04-13`, `1990-04-13`, `13/04/2533` or `13/4/1990`: a year from 2400 is Buddhist era.
    pub birth_date: String,
    pub phone: String,
    pub email: String,
    pub house_no: String,
    pub village: String,
    pub road: String,
    pub province: String,
    pub district: String,
    pub sub_district: String,
    pub postcode: String,
    pub password: String,
    pub password_confirm: String,
    pub accept_terms: bool,
    /// The version the citizen read; empty means "the current one" (API clients may omit it).
    pub terms_version: String,
}

impl fmt::Debug for RegistrationForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegistrationForm").field("email", &self.email).finish_non_exhaustive()
    }
}

/// A field that failed and why: `code` is a stable key the UI translates (`field_error.<code>`).
/// Codes are the rules' own (`NationalIdError::code`, `EmailError::code`, `PasswordProblem::code`)
/// wherever a rule has one, so every form that uses the rule shares its messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldIssue {
    pub field: &'static str,
    pub code: &'static str,
}

/// What the rules depend on besides the form.
#[derive(Clone, Copy, Debug)]
pub struct Rules<'a> {
    /// The tenant's current terms version; acceptance of any other is refused.
    pub terms_version: &'a str,
    pub today: NaiveDate,
    pub password_policy: &'a PasswordPolicy,
}

/// A password that passed the policy; never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl NewPassword {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

/// A registration every rule accepted, ready to be stored.
#[derive(Clone, Debug)]
pub struct Registration {
    pub title: String,
    pub first_name: String,
    pub last_name: String,
    pub national_id: NationalId,
    pub birth_date: NaiveDate,
    /// Ten digits, `0812345678`.
    pub phone: String,
    pub email: Email,
    pub house_no: String,
    pub village: String,
    pub road: String,
    pub address: Address,
    pub postcode: String,
    pub password: NewPassword,
    pub terms_version: String,
}

/// Checks every field; on failure returns all the problems, in form order.
pub fn validate(form: &RegistrationForm, rules: &Rules<'_>) -> Result<Registration, Vec<FieldIssue>> {
    let mut issues = Vec::new();
    let mut note = |field: &'static str, code: &'static str| issues.push(FieldIssue { field, code });

    let title = form.title.trim();
    if title.is_empty() {
        note("title", "required");
    } else if !TITLES.contains(&title) {
        note("title", "title_unknown");
    }
    let first_name = text(&form.first_name, MAX_NAME_CHARS).map_err(|code| note("first_name", code)).ok();
    let last_name = text(&form.last_name, MAX_NAME_CHARS).map_err(|code| note("last_name", code)).ok();
    let national_id = required(&form.national_id)
        .and_then(|raw| NationalId::parse(raw).map_err(NationalIdError::code))
        .map_err(|code| note("national_id", code))
        .ok();
    let birth_date =
        required(&form.birth_date).and_then(|raw| birth_date(raw, rules.today)).map_err(|code| note("birth_date", code)).ok();
    let phone = required(&form.phone).and_then(mobile_phone).map_err(|code| note("phone", code)).ok();
    let email = required(&form.email)
        .and_then(|raw| Email::parse(raw).map_err(email_code))
        .map_err(|code| note("email", code))
        .ok();
    let house_no = text(&form.house_no, MAX_HOUSE_NO_CHARS).map_err(|code| note("house_no", code)).ok();
    let village = text(&form.village, MAX_ADDRESS_LINE_CHARS).map_err(|code| note("village", code)).ok();
    let road = text(&form.road, MAX_ADDRESS_LINE_CHARS).map_err(|code| note("road", code)).ok();
    let chosen = chosen_address(form).map_err(|problems| problems.into_iter().for_each(|(f, c)| note(f, c))).ok();

    let password = match (form.password.is_empty(), &national_id, birth_date, &email) {
        (true, ..) => {
            note("password", "required");
            None
        }
        (false, id, born, mail) => {
            let facts = PersonalFacts {
                national_id: id.as_ref().map(NationalId::as_str),
                birth_date: born,
                email: mail.as_ref().map(Email::as_str),
            };
            match rules.password_policy.check(&form.password, &facts) {
                Ok(()) => Some(NewPassword(form.password.clone())),
                Err(problem) => {
                    note("password", problem.code());
                    None
                }
            }
        }
    };
    if form.password_confirm.is_empty() {
        note("password_confirm", "required");
    } else if form.password_confirm != form.password {
        note("password_confirm", "password_mismatch");
    }
    if !form.accept_terms {
        note("accept_terms", "terms_not_accepted");
    }
    let terms_version = form.terms_version.trim();
    if !terms_version.is_empty() && terms_version != rules.terms_version {
        note("terms_version", "terms_outdated");
    }

    match (first_name, last_name, national_id, birth_date, phone, email, house_no, village, road, chosen, password) {
        (
            Some(first_name),
            Some(last_name),
            Some(national_id),
            Some(birth_date),
            Some(phone),
            Some(email),
            Some(house_no),
            Some(village),
            Some(road),
            Some((address, postcode)),
            Some(password),
        ) if issues.is_empty() => Ok(Registration {
            title: title.to_owned(),
            first_name,
            last_name,
            national_id,
            birth_date,
            phone,
            email,
            house_no,
            village,
            road,
            address,
            postcode,
            password,
            terms_version: rules.terms_version.to_owned(),
        }),
        _ => Err(issues),
    }
}

fn required(raw: &str) -> Result<&str, &'static str> {
    let trimmed = raw.trim();
    if trimmed.is_empty() { Err("required") } else { Ok(trimmed) }
}

/// A required line of free text: trimmed, bounded, no control or bidirectional characters.
fn text(raw: &str, max_chars: usize) -> Result<String, &'static str> {
    let trimmed = required(raw)?;
    if trimmed.chars().any(crate::text::is_unsafe) {
        Err("invalid_character")
    } else if trimmed.chars().count() > max_chars {
        Err("too_long")
    } else {
        Ok(trimmed.to_owned())
    }
}

/// `๐`..`๙` read as `0`..`9`; other characters unchanged.
fn arabic_digits(raw: &str) -> String {
    raw.chars()
        .map(|c| match u32::from(c).checked_sub(u32::from('๐')) {
            Some(offset) if offset < 10 => char::from_digit(offset, 10).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// A date of birth in ISO order or day/month/year, in either calendar; not in the future and
/// not beyond a human lifetime ago.
pub fn birth_date(raw: &str, today: NaiveDate) -> Result<NaiveDate, &'static str> {
    let raw = arabic_digits(raw.trim());
    let parts: Vec<&str> = raw.split(['-', '/', '.']).map(str::trim).collect();
    let numbers: Option<Vec<i32>> = parts
        .iter()
        .map(|p| if !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()) { p.parse().ok() } else { None })
        .collect();
    let (year, month, day) = match (numbers.as_deref(), parts.first().map(|p| p.len())) {
        (Some(&[y, m, d]), Some(4)) => (y, m, d),
        (Some(&[d, m, y]), _) if parts[2].len() == 4 => (y, m, d),
        _ => return Err("birth_date_format"),
    };
    let year = if year >= FIRST_BUDDHIST_YEAR { year - BUDDHIST_ERA_OFFSET } else { year };
    let date = u32::try_from(month)
        .ok()
        .zip(u32::try_from(day).ok())
        .and_then(|(m, d)| NaiveDate::from_ymd_opt(year, m, d))
        .ok_or("birth_date_format")?;
    if date > today {
        return Err("birth_date_future");
    }
    if today.year() - date.year() > OLDEST_AGE_YEARS {
        return Err("birth_date_too_old");
    }
    Ok(date)
}

/// A Thai mobile number (06, 08 or 09 and eight more digits), also given as +66 or with
/// spaces and dashes; returned as ten digits.
pub fn mobile_phone(raw: &str) -> Result<String, &'static str> {
    let compact: String = arabic_digits(raw).chars().filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.')).collect();
    let national = if let Some(rest) = compact.strip_prefix("+66") {
        format!("0{rest}")
    } else if compact.len() == 11 && compact.starts_with("66") {
        format!("0{}", &compact[2..])
    } else {
        compact
    };
    let mobile_prefix = ["06", "08", "09"].iter().any(|p| national.starts_with(p));
    if national.len() == 10 && national.bytes().all(|b| b.is_ascii_digit()) && mobile_prefix {
        Ok(national)
    } else {
        Err("phone_format")
    }
}

type AddressProblems = Vec<(&'static str, &'static str)>;

/// Province, district, sub-district and postcode: each must be given, and then lie in the one above.
fn chosen_address(form: &RegistrationForm) -> Result<(Address, String), AddressProblems> {
    let mut problems = Vec::new();
    let mut code = |field: &'static str, raw: &str| match required(raw).map(|r| r.parse::<u32>()) {
        Ok(Ok(code)) => Some(code),
        Ok(Err(_)) => {
            problems.push((field, address_code(field)));
            None
        }
        Err(required) => {
            problems.push((field, required));
            None
        }
    };
    let province = code("province", &form.province);
    let district = code("district", &form.district);
    let sub_district = code("sub_district", &form.sub_district);
    let postcode = match required(&form.postcode) {
        Ok(p) if p.len() == 5 && p.bytes().all(|b| b.is_ascii_digit()) => Some(p.to_owned()),
        Ok(_) => {
            problems.push(("postcode", "postcode_format"));
            None
        }
        Err(required) => {
            problems.push(("postcode", required));
            None
        }
    };
    let (Some(province), Some(district), Some(sub_district), Some(postcode)) = (province, district, sub_district, postcode)
    else {
        return Err(problems);
    };
    match address::validate(province, district, sub_district, &postcode) {
        Ok(()) => address::address(sub_district).map(|a| (a, postcode)).ok_or_else(|| vec![("sub_district", "sub_district_unknown")]),
        Err(e) => Err(vec![(e.field(), address_error_code(e))]),
    }
}

fn address_code(field: &'static str) -> &'static str {
    match field {
        "province" => "province_unknown",
        "district" => "district_unknown",
        _ => "sub_district_unknown",
    }
}

fn address_error_code(e: AddressError) -> &'static str {
    match e {
        AddressError::Province => "province_unknown",
        AddressError::District => "district_unknown",
        AddressError::SubDistrict => "sub_district_unknown",
        AddressError::Postcode => "postcode_mismatch",
    }
}

/// Email's own codes, except that an empty address is simply a required field left blank.
fn email_code(e: EmailError) -> &'static str {
    match e {
        EmailError::Empty => "required",
        other => other.code(),
    }
}

/// Every code `validate` can report, for checking that each has a translation.
pub const ISSUE_CODES: &[&str] = &[
    "required",
    "invalid_character",
    "too_long",
    "title_unknown",
    "length",
    "not_digits",
    "leading_zero",
    "checksum",
    "birth_date_format",
    "birth_date_future",
    "birth_date_too_old",
    "phone_format",
    "missing_at",
    "local_part",
    "domain",
    "province_unknown",
    "district_unknown",
    "sub_district_unknown",
    "postcode_format",
    "postcode_mismatch",
    "too_short",
    "common",
    "contains_national_id",
    "contains_birth_date",
    "contains_email_name",
    "password_mismatch",
    "terms_not_accepted",
    "terms_outdated",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    fn rules() -> Rules<'static> {
        static POLICY: std::sync::LazyLock<PasswordPolicy> = std::sync::LazyLock::new(PasswordPolicy::default);
        Rules { terms_version: "2569.1", today: today(), password_policy: &POLICY }
    }

    fn filled() -> RegistrationForm {
        RegistrationForm {
            title: "นาย".into(),
            first_name: " สมชาย ".into(),
            last_name: "ใจดี".into(),
            national_id: "1-1037-02071-56-1".into(),
            birth_date: "13/04/2533".into(),
            phone: "081-234-5678".into(),
            email: "Somchai@Example.com".into(),
            house_no: "99/1".into(),
            village: "หมู่ 4".into(),
            road: "มิตรภาพ".into(),
            province: "40".into(),
            district: "4001".into(),
            sub_district: "400101".into(),
            postcode: "40000".into(),
            password: "Kh0nKaen-rice-field".into(),
            password_confirm: "Kh0nKaen-rice-field".into(),
            accept_terms: true,
            terms_version: "2569.1".into(),
        }
    }

    fn issues(form: &RegistrationForm) -> Vec<(&'static str, &'static str)> {
        validate(form, &rules()).err().unwrap_or_default().into_iter().map(|i| (i.field, i.code)).collect()
    }

    #[test]
    fn a_complete_form_is_accepted_and_normalised() {
        let r = validate(&filled(), &rules()).unwrap();
        assert_eq!(r.first_name, "สมชาย");
        assert_eq!(r.national_id.as_str(), "1103702071561");
        assert_eq!(r.birth_date, NaiveDate::from_ymd_opt(1990, 4, 13).unwrap());
        assert_eq!(r.phone, "0812345678");
        assert_eq!(r.email.as_str(), "Somchai@example.com");
        assert_eq!(r.address.province.code, 40);
        assert_eq!(r.address.sub_district.code, 400101);
        assert_eq!(r.terms_version, "2569.1");
        assert!(!format!("{r:?}").contains("Kh0nKaen"), "the password never prints");
    }

    #[test]
    fn an_empty_form_reports_every_field_at_once() {
        let found = issues(&RegistrationForm::default());
        let fields: Vec<&str> = found.iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            [
                "title", "first_name", "last_name", "national_id", "birth_date", "phone", "email", "house_no", "village",
                "road", "province", "district", "sub_district", "postcode", "password", "password_confirm", "accept_terms"
            ]
        );
        assert!(found.iter().filter(|(f, _)| *f != "accept_terms").all(|(_, c)| *c == "required"));
    }

    #[test]
    fn each_bad_value_is_named_at_its_field() {
        type Spoil = fn(&mut RegistrationForm);
        let cases: Vec<(Spoil, &str, &str)> = vec![
            (|f| f.title = "Dr".into(), "title", "title_unknown"),
            (|f| f.national_id = "1103702071562".into(), "national_id", "checksum"),
            (|f| f.national_id = "11037".into(), "national_id", "length"),
            (|f| f.birth_date = "31/02/2533".into(), "birth_date", "birth_date_format"),
            (|f| f.birth_date = "2570-01-01".into(), "birth_date", "birth_date_future"),
            (|f| f.birth_date = "1850-01-01".into(), "birth_date", "birth_date_too_old"),
            (|f| f.phone = "021234567".into(), "phone", "phone_format"),
            (|f| f.email = "somchai.example.com".into(), "email", "missing_at"),
            (|f| f.first_name = "a\u{0}b".into(), "first_name", "invalid_character"),
            (|f| f.road = "ถ".repeat(101), "road", "too_long"),
            (|f| f.province = "99".into(), "province", "province_unknown"),
            (|f| f.district = "5001".into(), "district", "district_unknown"),
            (|f| f.sub_district = "x".into(), "sub_district", "sub_district_unknown"),
            (|f| f.postcode = "4000".into(), "postcode", "postcode_format"),
            (|f| f.postcode = "50000".into(), "postcode", "postcode_mismatch"),
            (|f| f.password_confirm = "something else".into(), "password_confirm", "password_mismatch"),
            (|f| f.accept_terms = false, "accept_terms", "terms_not_accepted"),
            (|f| f.terms_version = "2568.1".into(), "terms_version", "terms_outdated"),
        ];
        for (spoil, field, code) in cases {
            let mut form = filled();
            spoil(&mut form);
            assert_eq!(issues(&form), vec![(field, code)], "{field}/{code}");
            assert!(ISSUE_CODES.contains(&code), "{code} is listed");
        }
    }

    #[test]
    fn the_password_follows_the_guidance() {
        let with = |p: &str| RegistrationForm { password: p.into(), password_confirm: p.into(), ..filled() };
        assert_eq!(issues(&with("short")), vec![("password", "too_short")]);
        assert_eq!(issues(&with("1234567890")), vec![("password", "common")]);
        assert_eq!(issues(&with("x1103702071561x")), vec![("password", "contains_national_id")]);
        assert_eq!(issues(&with("born13041990!")), vec![("password", "contains_birth_date")]);
        assert_eq!(issues(&with("i-am-somchai-99")), vec![("password", "contains_email_name")]);
    }

    #[test]
    fn an_omitted_terms_version_means_the_current_one() {
        let form = RegistrationForm { terms_version: String::new(), ..filled() };
        assert_eq!(validate(&form, &rules()).unwrap().terms_version, "2569.1");
    }

    #[test]
    fn birth_dates_in_either_calendar_and_spelling() {
        let expected = NaiveDate::from_ymd_opt(1990, 4, 13).unwrap();
        for raw in ["1990-04-13", "2533-04-13", "13/04/2533", "13/4/1990", "13-04-2533", "๑๓/๐๔/๒๕๓๓"] {
            assert_eq!(birth_date(raw, today()), Ok(expected), "{raw}");
        }
        for raw in ["13/04/33", "april 13", "2533/13/04", "13.04", "1990-04-13-01"] {
            assert_eq!(birth_date(raw, today()), Err("birth_date_format"), "{raw}");
        }
    }

    #[test]
    fn mobile_numbers_in_common_spellings() {
        for raw in ["0812345678", "081 234 5678", "+66 81 234 5678", "66812345678", "๐๘๑๒๓๔๕๖๗๘"] {
            assert_eq!(mobile_phone(raw).as_deref(), Ok("0812345678"), "{raw}");
        }
        for raw in ["021234567", "081234567", "08123456789", "07123456789", "0812345abc"] {
            assert_eq!(mobile_phone(raw), Err("phone_format"), "{raw}");
        }
    }
}
