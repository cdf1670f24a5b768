//! The one check of a submission against its form, for the HTML pages and the API alike: every
//! issue at once, or typed, normalised values ready to store.

use super::check::compile_pattern;
use super::schema::{ChoiceStyle, Field, FieldType, FileType, FormSchema, Limit};
use super::submission::{FileFact, Submission, is_blank};
use crate::address;
use crate::email::Email;
use crate::national_id::NationalId;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// The stable codes of `FieldIssue`; the UI translates `field_error.<code>`.
pub mod code {
    pub const REQUIRED: &str = "required";
    pub const WRONG_TYPE: &str = "wrong_type";
    pub const UNKNOWN_FIELD: &str = "unknown_field";
    pub const HIDDEN_FIELD: &str = "hidden_field";
    pub const INVALID_CHARACTERS: &str = "invalid_characters";
    pub const TOO_SHORT: &str = "too_short";
    pub const TOO_LONG: &str = "too_long";
    pub const PATTERN: &str = "pattern";
    pub const NOT_A_NUMBER: &str = "not_a_number";
    pub const TOO_MANY_DECIMALS: &str = "too_many_decimals";
    pub const OUT_OF_RANGE: &str = "out_of_range";
    pub const INVALID_DATE: &str = "invalid_date";
    pub const INVALID_CHOICE: &str = "invalid_choice";
    pub const TOO_FEW_CHOICES: &str = "too_few_choices";
    pub const TOO_MANY_CHOICES: &str = "too_many_choices";
    pub const INVALID_EMAIL: &str = "invalid_email";
    pub const INVALID_PHONE: &str = "invalid_phone";
    pub const INVALID_NATIONAL_ID: &str = "invalid_national_id";
    pub const ADDRESS_PROVINCE: &str = "address.province";
    pub const ADDRESS_DISTRICT: &str = "address.district";
    pub const ADDRESS_SUB_DISTRICT: &str = "address.sub_district";
    pub const ADDRESS_POSTCODE: &str = "address.postcode";
    pub const FILE_TYPE: &str = "file_type";
    pub const FILE_TOO_LARGE: &str = "file_too_large";
    pub const TOO_FEW_FILES: &str = "too_few_files";
    pub const TOO_MANY_FILES: &str = "too_many_files";
    /// An image whose header declares more pixels than any photo or scan needs.
    pub const IMAGE_TOO_MANY_PIXELS: &str = "image_too_many_pixels";
    /// An image that starts like one but cannot be decoded.
    pub const IMAGE_UNREADABLE: &str = "image_unreadable";

    pub const ALL: &[&str] = &[
        REQUIRED,
        WRONG_TYPE,
        UNKNOWN_FIELD,
        HIDDEN_FIELD,
        INVALID_CHARACTERS,
        TOO_SHORT,
        TOO_LONG,
        PATTERN,
        NOT_A_NUMBER,
        TOO_MANY_DECIMALS,
        OUT_OF_RANGE,
        INVALID_DATE,
        INVALID_CHOICE,
        TOO_FEW_CHOICES,
        TOO_MANY_CHOICES,
        INVALID_EMAIL,
        INVALID_PHONE,
        INVALID_NATIONAL_ID,
        ADDRESS_PROVINCE,
        ADDRESS_DISTRICT,
        ADDRESS_SUB_DISTRICT,
        ADDRESS_POSTCODE,
        FILE_TYPE,
        FILE_TOO_LARGE,
        TOO_FEW_FILES,
        TOO_MANY_FILES,
        IMAGE_TOO_MANY_PIXELS,
        IMAGE_UNREADABLE,
    ];
}

/// What is wrong and where. `field` is the field key, or a path below it: `home.postcode` for a
/// part of an address, `evidence[1]` for one file of a file field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldIssue {
    pub field: String,
    pub code: &'static str,
}

impl FieldIssue {
    pub fn new(field: impl Into<String>, code: &'static str) -> Self {
        Self {
            field: field.into(),
            code,
        }
    }

    /// The key of the form field the issue belongs to, to show it there.
    pub fn key(&self) -> &str {
        self.field.split(['.', '[']).next().unwrap_or(&self.field)
    }
}

/// A submission that passed: field key → value, for the shown fields that were filled in.
/// Files are not here; the web layer stores them under the same keys.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct CleanSubmission {
    pub values: BTreeMap<String, CleanValue>,
}

impl CleanSubmission {
    pub fn get(&self, key: &str) -> Option<&CleanValue> {
        self.values.get(key)
    }

    /// The JSON to store with the request.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// A typed value; serialises to plain JSON (a string, number, array of keys or address object).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum CleanValue {
    /// `text`, `long_text`: trimmed.
    Text(String),
    /// `number` without decimals.
    Integer(i64),
    /// `number` with decimals.
    Decimal(f64),
    Date(NaiveDate),
    /// `choice` as select or radio: the option key.
    Choice(String),
    /// `choice` as checkboxes: option keys in the order of the options.
    Choices(Vec<String>),
    Email(Email),
    /// Ten digits (mobile) or nine (landline), starting with 0.
    Phone(String),
    NationalId(NationalId),
    Address(CleanAddress),
}

/// A Thai address as stored: free-text parts trimmed, areas by DOPA code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CleanAddress {
    pub house_no: String,
    pub village: String,
    pub road: String,
    pub province: u32,
    pub district: u32,
    pub sub_district: u32,
    pub postcode: String,
}

const ADDRESS_TEXT_PARTS: [(&str, usize); 3] = [("house_no", 50), ("village", 200), ("road", 200)];
const ADDRESS_AREA_PARTS: [&str; 4] = ["province", "district", "sub_district", "postcode"];
/// Digits a number may have, so it survives the trip through `f64` exactly.
const MAX_NUMBER_DIGITS: usize = 15;
/// A year outside this is a typo, or a Buddhist-era year (2569) given where ISO dates are asked.
const PLAUSIBLE_YEARS: std::ops::RangeInclusive<i32> = 1800..=2300;

pub fn validate_submission(schema: &FormSchema, submission: &Submission) -> Result<CleanSubmission, Vec<FieldIssue>> {
    let mut issues = Vec::new();
    let mut clean = CleanSubmission::default();
    // Fields whose value could not be decided; what depends on them is not judged either.
    let mut undecided: HashSet<&str> = HashSet::new();
    for field in schema.fields.iter().filter(|f| f.kind.takes_value()) {
        let key = field.key.as_str();
        let raw = submission.values.get(key).filter(|v| !is_blank(v));
        let files = submission.files.get(key).map(Vec::as_slice).unwrap_or_default();
        let shown = match &field.show_when {
            None => true,
            Some(c) if undecided.contains(c.field.as_str()) => {
                undecided.insert(key);
                continue;
            }
            Some(c) => clean.get(&c.field).is_some_and(|v| satisfies(v, c.accepted())),
        };
        let before = issues.len();
        if !shown {
            if raw.is_some() || !files.is_empty() {
                issues.push(FieldIssue::new(key, code::HIDDEN_FIELD));
            }
            continue;
        }
        if field.kind == FieldType::File {
            if raw.is_some() {
                issues.push(FieldIssue::new(key, code::WRONG_TYPE));
            }
            check_files(field, files, &mut issues);
        } else if !files.is_empty() {
            issues.push(FieldIssue::new(key, code::WRONG_TYPE));
        } else if let Some(raw) = raw {
            if let Some(value) = clean_value(field, raw, &mut issues) {
                clean.values.insert(field.key.clone(), value);
            }
        } else if field.required {
            issues.push(FieldIssue::new(key, code::REQUIRED));
        }
        if issues.len() > before {
            undecided.insert(key);
        }
    }
    let known = |key: &str| schema.field(key).is_some_and(|f| f.kind.takes_value());
    let sent: BTreeSet<&String> = submission.values.keys().chain(submission.files.keys()).collect();
    for key in sent {
        if !known(key) {
            issues.push(FieldIssue::new(key.as_str(), code::UNKNOWN_FIELD));
        }
    }
    if issues.is_empty() { Ok(clean) } else { Err(issues) }
}

fn satisfies<'a>(value: &CleanValue, mut accepted: impl Iterator<Item = &'a str>) -> bool {
    match value {
        CleanValue::Choice(key) => accepted.any(|a| a == key),
        CleanValue::Choices(keys) => accepted.any(|a| keys.iter().any(|k| k == a)),
        _ => false,
    }
}

fn clean_value(field: &Field, raw: &Value, issues: &mut Vec<FieldIssue>) -> Option<CleanValue> {
    let result = match (field.kind, raw) {
        (FieldType::ThaiAddress, Value::Object(parts)) => {
            return clean_address(&field.key, parts, issues).map(CleanValue::Address);
        }
        (FieldType::Choice, Value::Array(items)) if field.style() == ChoiceStyle::Checkboxes => {
            return clean_choices(field, items, issues);
        }
        (FieldType::Choice, scalar) if field.style() == ChoiceStyle::Checkboxes => {
            return clean_choices(field, std::slice::from_ref(scalar), issues);
        }
        (FieldType::ThaiAddress | FieldType::File | FieldType::Section, _) => Err(code::WRONG_TYPE),
        (kind, raw) => match scalar_text(raw) {
            Some(text) => clean_scalar(field, kind, &text),
            None => Err(code::WRONG_TYPE),
        },
    };
    result
        .map_err(|code| issues.push(FieldIssue::new(field.key.as_str(), code)))
        .ok()
}

fn clean_scalar(field: &Field, kind: FieldType, text: &str) -> Result<CleanValue, &'static str> {
    match kind {
        FieldType::Text | FieldType::LongText => clean_text(field, text).map(CleanValue::Text),
        FieldType::Number => clean_number(field, text),
        FieldType::Date => clean_date(field, text).map(CleanValue::Date),
        FieldType::Choice => {
            let chosen = text.trim();
            match field.options.iter().find(|o| o.key == chosen) {
                Some(option) => Ok(CleanValue::Choice(option.key.clone())),
                None => Err(code::INVALID_CHOICE),
            }
        }
        FieldType::Email => Email::parse(text)
            .map(CleanValue::Email)
            .map_err(|_| code::INVALID_EMAIL),
        FieldType::Phone => thai_phone(text).map(CleanValue::Phone).ok_or(code::INVALID_PHONE),
        FieldType::NationalId => NationalId::parse(text)
            .map(CleanValue::NationalId)
            .map_err(|_| code::INVALID_NATIONAL_ID),
        FieldType::ThaiAddress | FieldType::File | FieldType::Section => Err(code::WRONG_TYPE),
    }
}

/// A string, or a number given where text is asked (`"house_no": 12`).
fn scalar_text(raw: &Value) -> Option<String> {
    match raw {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn clean_text(field: &Field, raw: &str) -> Result<String, &'static str> {
    let multiline = field.kind == FieldType::LongText;
    let text = if multiline {
        raw.replace("\r\n", "\n")
    } else {
        raw.to_owned()
    };
    let text = text.trim();
    let allowed = |c: char| !crate::text::is_unsafe(c) || (multiline && matches!(c, '\n' | '\t'));
    if !text.chars().all(allowed) {
        return Err(code::INVALID_CHARACTERS);
    }
    let length = text.chars().count();
    if field.min_length.is_some_and(|min| length < min as usize) {
        return Err(code::TOO_SHORT);
    }
    if length > field.max_length() as usize {
        return Err(code::TOO_LONG);
    }
    if let Some(pattern) = &field.pattern {
        // A pattern that does not compile was refused on apply; refuse the value rather than panic.
        if !compile_pattern(pattern).is_ok_and(|re| re.is_match(text)) {
            return Err(code::PATTERN);
        }
    }
    Ok(text.to_owned())
}

/// `1234`, `-3`, `1,234.50`, Thai digits; no exponents. Whole numbers stay integers.
fn clean_number(field: &Field, raw: &str) -> Result<CleanValue, &'static str> {
    let text: String = arabic_digits(raw.trim()).chars().filter(|&c| c != ',').collect();
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(&text);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty()
        || !digits_only(whole)
        || !digits_only(fraction)
        || (unsigned.contains('.') && fraction.is_empty())
    {
        return Err(code::NOT_A_NUMBER);
    }
    let fraction = fraction.trim_end_matches('0');
    if fraction.len() > usize::from(field.decimals.unwrap_or(0)) {
        return Err(code::TOO_MANY_DECIMALS);
    }
    if whole.trim_start_matches('0').len() + fraction.len() > MAX_NUMBER_DIGITS {
        return Err(code::OUT_OF_RANGE);
    }
    let value: f64 = text.parse().map_err(|_| code::NOT_A_NUMBER)?;
    let limit = |l: Option<Limit>| match l {
        Some(Limit::Number(n)) => Some(n),
        _ => None,
    };
    if limit(field.min).is_some_and(|min| value < min) || limit(field.max).is_some_and(|max| value > max) {
        return Err(code::OUT_OF_RANGE);
    }
    if fraction.is_empty() && field.decimals.unwrap_or(0) == 0 {
        // At most 15 digits, so exact in both types.
        return Ok(CleanValue::Integer(value as i64));
    }
    Ok(CleanValue::Decimal(value))
}

/// `YYYY-MM-DD` in the common era, as date inputs send it.
fn clean_date(field: &Field, raw: &str) -> Result<NaiveDate, &'static str> {
    let text = arabic_digits(raw.trim());
    let date = NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| code::INVALID_DATE)?;
    if text.len() != 10 || !PLAUSIBLE_YEARS.contains(&date.year()) {
        return Err(code::INVALID_DATE);
    }
    let limit = |l: Option<Limit>| match l {
        Some(Limit::Date(d)) => Some(d),
        _ => None,
    };
    if limit(field.min).is_some_and(|min| date < min) || limit(field.max).is_some_and(|max| date > max) {
        return Err(code::OUT_OF_RANGE);
    }
    Ok(date)
}

fn clean_choices(field: &Field, items: &[Value], issues: &mut Vec<FieldIssue>) -> Option<CleanValue> {
    let key = field.key.as_str();
    let mut chosen = HashSet::new();
    for item in items.iter().filter(|v| !is_blank(v)) {
        let Value::String(text) = item else {
            issues.push(FieldIssue::new(key, code::WRONG_TYPE));
            return None;
        };
        chosen.insert(text.trim());
    }
    let keys: Vec<String> = field
        .options
        .iter()
        .filter(|o| chosen.contains(o.key.as_str()))
        .map(|o| o.key.clone())
        .collect();
    let problem = if keys.len() < chosen.len() {
        Some(code::INVALID_CHOICE)
    } else if field.min_selections.is_some_and(|min| keys.len() < min as usize) {
        Some(code::TOO_FEW_CHOICES)
    } else if field.max_selections.is_some_and(|max| keys.len() > max as usize) {
        Some(code::TOO_MANY_CHOICES)
    } else {
        None
    };
    match problem {
        Some(code) => {
            issues.push(FieldIssue::new(key, code));
            None
        }
        None => Some(CleanValue::Choices(keys)),
    }
}

/// Free-text parts are trimmed; the areas must be given and lie in one another.
fn clean_address(key: &str, parts: &Map<String, Value>, issues: &mut Vec<FieldIssue>) -> Option<CleanAddress> {
    let before = issues.len();
    for name in parts.keys() {
        let known = ADDRESS_TEXT_PARTS.iter().any(|(p, _)| p == name) || ADDRESS_AREA_PARTS.contains(&name.as_str());
        if !known {
            issues.push(FieldIssue::new(format!("{key}.{name}"), code::UNKNOWN_FIELD));
        }
    }
    let part = |name: &str| parts.get(name).filter(|v| !is_blank(v));
    let mut text = |name: &str, max: usize, required: bool| -> String {
        let path = format!("{key}.{name}");
        let Some(raw) = part(name) else {
            if required {
                issues.push(FieldIssue::new(path, code::REQUIRED));
            }
            return String::new();
        };
        let Some(value) = scalar_text(raw) else {
            issues.push(FieldIssue::new(path, code::WRONG_TYPE));
            return String::new();
        };
        let value = value.trim();
        if value.chars().any(crate::text::is_unsafe) {
            issues.push(FieldIssue::new(path, code::INVALID_CHARACTERS));
        } else if value.chars().count() > max {
            issues.push(FieldIssue::new(path, code::TOO_LONG));
        }
        value.to_owned()
    };
    let [(house_no, house_max), (village, village_max), (road, road_max)] = ADDRESS_TEXT_PARTS;
    let house_no = text(house_no, house_max, true);
    let village = text(village, village_max, false);
    let road = text(road, road_max, false);
    // A wrong postcode of any sane length is `address.postcode`, found by `address::validate` below.
    let postcode = text("postcode", 10, true);
    let mut area = |name: &str, wrong: &'static str| -> Option<u32> {
        let path = format!("{key}.{name}");
        let Some(raw) = part(name) else {
            issues.push(FieldIssue::new(path, code::REQUIRED));
            return None;
        };
        let parsed = scalar_text(raw).and_then(|s| s.trim().parse::<u32>().ok());
        if parsed.is_none() {
            issues.push(FieldIssue::new(path, wrong));
        }
        parsed
    };
    let province = area("province", code::ADDRESS_PROVINCE);
    let district = area("district", code::ADDRESS_DISTRICT);
    let sub_district = area("sub_district", code::ADDRESS_SUB_DISTRICT);
    let (Some(province), Some(district), Some(sub_district)) = (province, district, sub_district) else {
        return None;
    };
    if issues.len() > before {
        return None;
    }
    if let Err(e) = address::validate(province, district, sub_district, &postcode) {
        let code = match e {
            address::AddressError::Province => code::ADDRESS_PROVINCE,
            address::AddressError::District => code::ADDRESS_DISTRICT,
            address::AddressError::SubDistrict => code::ADDRESS_SUB_DISTRICT,
            address::AddressError::Postcode => code::ADDRESS_POSTCODE,
        };
        issues.push(FieldIssue::new(format!("{key}.{}", e.field()), code));
        return None;
    }
    Some(CleanAddress {
        house_no,
        village,
        road,
        province,
        district,
        sub_district,
        postcode,
    })
}

fn check_files(field: &Field, files: &[FileFact], issues: &mut Vec<FieldIssue>) {
    let key = field.key.as_str();
    if files.is_empty() {
        if field.required {
            issues.push(FieldIssue::new(key, code::REQUIRED));
        }
        return;
    }
    let accepted = field.accepted_types();
    for (i, file) in files.iter().enumerate() {
        let kind = file.sniffed_mime.as_deref().and_then(FileType::from_mime);
        if !kind.is_some_and(|k| accepted.contains(&k)) {
            issues.push(FieldIssue::new(format!("{key}[{i}]"), code::FILE_TYPE));
        } else if file.bytes > field.max_bytes() {
            issues.push(FieldIssue::new(format!("{key}[{i}]"), code::FILE_TOO_LARGE));
        }
    }
    let count = files.len();
    if count > field.max_count() as usize {
        issues.push(FieldIssue::new(key, code::TOO_MANY_FILES));
    } else if field.min_count.is_some_and(|min| count < min as usize) {
        issues.push(FieldIssue::new(key, code::TOO_FEW_FILES));
    }
}

/// A Thai phone number: a mobile (06, 08, 09 and eight digits) or a landline (02–05, 07 and
/// seven digits), also written with +66, spaces, dashes, dots or brackets; returned as digits.
pub fn thai_phone(raw: &str) -> Option<String> {
    let compact: String = arabic_digits(raw.trim())
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
        .collect();
    let national = match compact.strip_prefix("+66").or_else(|| compact.strip_prefix("66")) {
        // `+66 (0)81…` keeps the trunk zero some people write anyway.
        Some(rest) if rest.starts_with('0') => rest.to_owned(),
        Some(rest) => format!("0{rest}"),
        None => compact,
    };
    let bytes = national.as_bytes();
    if !bytes.iter().all(u8::is_ascii_digit) || bytes.first() != Some(&b'0') {
        return None;
    }
    let mobile_or_landline = matches!(
        (bytes.len(), bytes.get(1)),
        (10, Some(b'6' | b'8' | b'9')) | (9, Some(b'2' | b'3' | b'4' | b'5' | b'7'))
    );
    mobile_or_landline.then_some(national)
}

/// `๐`..`๙` as `0`..`9`; people copy numbers from Thai documents.
fn arabic_digits(raw: &str) -> String {
    raw.chars()
        .map(|c| {
            let offset = u32::from(c).wrapping_sub(u32::from('๐'));
            if offset < 10 {
                char::from_digit(offset, 10).unwrap_or(c)
            } else {
                c
            }
        })
        .collect()
}
