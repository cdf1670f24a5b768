//! The checks a schema passes before a tenant may apply it: every problem at once, each named by
//! its path in the document (`fields[3].show_when.field`).

use super::schema::{
    ChoiceStyle, Field, FieldType, FormSchema, Limit, MAX_DECIMALS, MAX_FILE_BYTES, MAX_FILES_PER_FIELD,
    MAX_REQUEST_BYTES, MAX_TEXT_LENGTH, REQUEST_OVERHEAD_BYTES, Text,
};
use crate::tenant::FieldError;
use std::collections::{HashMap, HashSet};

const MAX_KEY_LEN: usize = 64;
const MAX_PATTERN_LEN: usize = 500;
/// Compiled-program bound for a tenant's pattern, so a pathological one is refused on apply.
pub(super) const PATTERN_SIZE_LIMIT: usize = 1 << 18;

impl FormSchema {
    pub fn check(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Errors::default();
        if !is_key(&self.key) {
            errors.push("key", KEY_RULE);
        }
        if self.version == 0 {
            errors.push("version", "must be 1 or more");
        }
        check_text(&mut errors, "title", &self.title);
        if let Some(description) = &self.description {
            check_text(&mut errors, "description", description);
        }
        if !self.fields.iter().any(|f| f.kind.takes_value()) {
            errors.push("fields", "needs at least one field that takes a value");
        }
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, field) in self.fields.iter().enumerate() {
            let path = format!("fields[{i}]");
            if let Some(first) = seen.get(field.key.as_str()) {
                errors.push(format!("{path}.key"), format!("duplicates the key of fields[{first}]"));
            } else {
                seen.insert(&field.key, i);
            }
            check_field(&mut errors, &path, field);
            if let Some(condition) = &field.show_when {
                check_condition(&mut errors, &path, field, condition, &self.fields[..i]);
            }
        }
        if errors.0.is_empty() {
            check_file_allowance(&mut errors, &self.fields);
        }
        errors.into_result()
    }
}

fn check_field(errors: &mut Errors, path: &str, field: &Field) {
    if !is_key(&field.key) {
        errors.push(format!("{path}.key"), KEY_RULE);
    }
    check_text(errors, &format!("{path}.label"), &field.label);
    if let Some(help) = &field.help {
        check_text(errors, &format!("{path}.help"), help);
    }
    refuse_foreign_attributes(errors, path, field);
    match field.kind {
        FieldType::Text | FieldType::LongText => check_text_field(errors, path, field),
        FieldType::Number => check_number(errors, path, field),
        FieldType::Date => check_date(errors, path, field),
        FieldType::Choice => check_choice(errors, path, field),
        FieldType::File => check_file(errors, path, field),
        FieldType::Section => {
            if field.required {
                errors.push(format!("{path}.required"), "a section takes no value");
            }
            if field.show_when.is_some() {
                errors.push(
                    format!("{path}.show_when"),
                    "a section cannot be conditional; put the condition on its fields",
                );
            }
        }
        FieldType::Email | FieldType::Phone | FieldType::NationalId | FieldType::ThaiAddress => {}
    }
    if let Some(prefill) = field.prefill
        && !prefill.fits(field.kind)
    {
        errors.push(
            format!("{path}.prefill"),
            format!("does not fit a {} field", field.kind.as_str()),
        );
    }
}

/// Attributes that belong to another type are mistakes, not silently ignored settings.
fn refuse_foreign_attributes(errors: &mut Errors, path: &str, field: &Field) {
    use FieldType::*;
    let kind = field.kind;
    let present: [(&str, bool, &[FieldType]); 14] = [
        ("min_length", field.min_length.is_some(), &[Text, LongText]),
        ("max_length", field.max_length.is_some(), &[Text, LongText]),
        ("pattern", field.pattern.is_some(), &[Text]),
        ("min", field.min.is_some(), &[Number, Date]),
        ("max", field.max.is_some(), &[Number, Date]),
        ("decimals", field.decimals.is_some(), &[Number]),
        ("style", field.style.is_some(), &[Choice]),
        ("options", !field.options.is_empty(), &[Choice]),
        ("min_selections", field.min_selections.is_some(), &[Choice]),
        ("max_selections", field.max_selections.is_some(), &[Choice]),
        ("accept", field.accept.is_some(), &[File]),
        ("max_bytes", field.max_bytes.is_some(), &[File]),
        ("min_count", field.min_count.is_some(), &[File]),
        ("max_count", field.max_count.is_some(), &[File]),
    ];
    for (name, is_set, applies_to) in present {
        if is_set && !applies_to.contains(&kind) {
            errors.push(
                format!("{path}.{name}"),
                format!("does not apply to a {} field", kind.as_str()),
            );
        }
    }
}

fn check_text_field(errors: &mut Errors, path: &str, field: &Field) {
    if field.max_length == Some(0) {
        errors.push(format!("{path}.max_length"), "must be 1 or more");
    }
    if field.max_length() > MAX_TEXT_LENGTH {
        errors.push(
            format!("{path}.max_length"),
            format!("must be at most {MAX_TEXT_LENGTH}"),
        );
    }
    if let (Some(min), Some(max)) = (field.min_length, field.max_length)
        && min > max
    {
        errors.push(format!("{path}.min_length"), "is greater than max_length");
    }
    if let Some(pattern) = &field.pattern
        && let Err(problem) = compile_pattern(pattern)
    {
        errors.push(format!("{path}.pattern"), problem);
    }
}

/// Compiles a pattern anchored at both ends, like HTML's `pattern` attribute.
pub(super) fn compile_pattern(pattern: &str) -> Result<regex::Regex, String> {
    if pattern.is_empty() || pattern.len() > MAX_PATTERN_LEN {
        return Err(format!("must be 1 to {MAX_PATTERN_LEN} characters"));
    }
    regex::RegexBuilder::new(&format!("^(?:{pattern})$"))
        .size_limit(PATTERN_SIZE_LIMIT)
        .build()
        .map_err(|e| format!("is not a valid regular expression: {}", regex_reason(&e.to_string())))
}

/// The `error: …` line of the regex crate's multi-line report, or the whole report.
fn regex_reason(message: &str) -> String {
    message
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with("error:"))
        .unwrap_or(message)
        .trim()
        .to_owned()
}

fn check_number(errors: &mut Errors, path: &str, field: &Field) {
    let bound = |name: &str, limit: Option<Limit>, errors: &mut Errors| match limit {
        Some(Limit::Number(n)) if n.is_finite() => Some(n),
        Some(_) => {
            errors.push(format!("{path}.{name}"), "must be a number");
            None
        }
        None => None,
    };
    let min = bound("min", field.min, errors);
    let max = bound("max", field.max, errors);
    if let (Some(min), Some(max)) = (min, max)
        && min > max
    {
        errors.push(format!("{path}.min"), "is greater than max");
    }
    if field.decimals.is_some_and(|d| d > MAX_DECIMALS) {
        errors.push(format!("{path}.decimals"), format!("must be at most {MAX_DECIMALS}"));
    }
}

fn check_date(errors: &mut Errors, path: &str, field: &Field) {
    let bound = |name: &str, limit: Option<Limit>, errors: &mut Errors| match limit {
        Some(Limit::Date(d)) => Some(d),
        Some(Limit::Number(_)) => {
            errors.push(format!("{path}.{name}"), "must be a date written YYYY-MM-DD");
            None
        }
        None => None,
    };
    let min = bound("min", field.min, errors);
    let max = bound("max", field.max, errors);
    if let (Some(min), Some(max)) = (min, max)
        && min > max
    {
        errors.push(format!("{path}.min"), "is later than max");
    }
}

fn check_choice(errors: &mut Errors, path: &str, field: &Field) {
    if field.options.is_empty() {
        errors.push(format!("{path}.options"), "a choice needs at least one option");
    }
    let mut keys = HashSet::new();
    for (j, option) in field.options.iter().enumerate() {
        if !is_key(&option.key) {
            errors.push(format!("{path}.options[{j}].key"), KEY_RULE);
        } else if !keys.insert(option.key.as_str()) {
            errors.push(format!("{path}.options[{j}].key"), "duplicates another option");
        }
        check_text(errors, &format!("{path}.options[{j}].label"), &option.label);
    }
    let counted = field.min_selections.is_some() || field.max_selections.is_some();
    if counted && field.style() != ChoiceStyle::Checkboxes {
        let name = if field.min_selections.is_some() {
            "min_selections"
        } else {
            "max_selections"
        };
        errors.push(format!("{path}.{name}"), "applies only to checkboxes");
    }
    let options = u32::try_from(field.options.len()).unwrap_or(u32::MAX);
    if field.max_selections == Some(0) {
        errors.push(format!("{path}.max_selections"), "must be 1 or more");
    }
    if let Some(min) = field.min_selections {
        if min > options {
            errors.push(format!("{path}.min_selections"), "is more than the number of options");
        }
        if field.max_selections.is_some_and(|max| min > max) {
            errors.push(format!("{path}.min_selections"), "is greater than max_selections");
        }
    }
}

/// Once each file field is sane, all of them at their maximum must still fit in one request body,
/// or a citizen who attaches what the form allows is refused by the server.
fn check_file_allowance(errors: &mut Errors, fields: &[Field]) {
    let total: u64 = fields.iter().map(Field::file_allowance).sum();
    let room = MAX_REQUEST_BYTES - REQUEST_OVERHEAD_BYTES;
    if total > room {
        errors.push(
            "fields",
            format!(
                "the file fields allow {} in one submission (max_bytes x max_count, added up), \
                 more than the {} a request may carry; lower max_bytes or max_count",
                mebibytes(total),
                mebibytes(room),
            ),
        );
    }
}

fn mebibytes(bytes: u64) -> String {
    format!("{:.1} MiB ({bytes} bytes)", bytes as f64 / (1024.0 * 1024.0))
}

fn check_file(errors: &mut Errors, path: &str, field: &Field) {
    if let Some(accept) = &field.accept
        && accept.is_empty()
    {
        errors.push(format!("{path}.accept"), "must list at least one type");
    }
    if field.max_bytes == Some(0) || field.max_bytes() > MAX_FILE_BYTES {
        errors.push(
            format!("{path}.max_bytes"),
            format!("must be between 1 and {MAX_FILE_BYTES}"),
        );
    }
    let max = field.max_count();
    if max == 0 || max > MAX_FILES_PER_FIELD {
        errors.push(
            format!("{path}.max_count"),
            format!("must be between 1 and {MAX_FILES_PER_FIELD}"),
        );
    }
    match field.min_count {
        Some(0) => errors.push(
            format!("{path}.min_count"),
            "must be 1 or more; use required: false for optional files",
        ),
        Some(min) if min > max => errors.push(format!("{path}.min_count"), "is greater than max_count"),
        _ => {}
    }
}

fn check_condition(errors: &mut Errors, path: &str, field: &Field, condition: &super::Condition, earlier: &[Field]) {
    let path = format!("{path}.show_when");
    match (&condition.equals, &condition.one_of) {
        (Some(_), Some(_)) | (None, None) => {
            errors.push(path.clone(), "needs exactly one of equals or one_of");
        }
        (None, Some(keys)) if keys.is_empty() => errors.push(format!("{path}.one_of"), "must list at least one option"),
        _ => {}
    }
    let Some(target) = earlier.iter().find(|f| f.key == condition.field) else {
        let message = if condition.field == field.key {
            "cannot point at the field itself"
        } else {
            "must name an earlier field of the form"
        };
        errors.push(format!("{path}.field"), message);
        return;
    };
    if target.kind != FieldType::Choice {
        errors.push(format!("{path}.field"), "must name a choice field");
        return;
    }
    let known: HashSet<&str> = target.options.iter().map(|o| o.key.as_str()).collect();
    if let Some(key) = &condition.equals
        && !known.contains(key.as_str())
    {
        errors.push(format!("{path}.equals"), format!("is not an option of {}", target.key));
    }
    for (j, key) in condition.one_of.iter().flatten().enumerate() {
        if !known.contains(key.as_str()) {
            errors.push(
                format!("{path}.one_of[{j}]"),
                format!("is not an option of {}", target.key),
            );
        }
    }
}

fn check_text(errors: &mut Errors, path: &str, text: &Text) {
    for (lang, value) in [("th", &text.th), ("en", &text.en)] {
        if value.trim().is_empty() {
            errors.push(format!("{path}.{lang}"), "is required");
        }
    }
}

const KEY_RULE: &str = "must start with a-z and contain only a-z, 0-9 and '_' (at most 64)";

pub(super) fn is_key(key: &str) -> bool {
    key.len() <= MAX_KEY_LEN
        && key.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

#[derive(Default)]
struct Errors(Vec<FieldError>);

impl Errors {
    fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    fn into_result(self) -> Result<(), Vec<FieldError>> {
        if self.0.is_empty() { Ok(()) } else { Err(self.0) }
    }
}
