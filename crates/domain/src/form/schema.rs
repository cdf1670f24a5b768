//! The form schema document as a tenant writes it (JSON or TOML): a flat list of fields, each
//! with a `type` and the attributes that type takes. `check` refuses attributes of other types.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A versioned form: what a citizen fills in for one service.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormSchema {
    /// Stable across versions; lower-case letters, digits and `_`.
    pub key: String,
    /// Raised whenever the fields change; stored requests keep the version they were made with.
    pub version: u32,
    pub title: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    pub fields: Vec<Field>,
}

/// A text shown to citizens, in Thai and English.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub th: String,
    pub en: String,
}

/// One field of a form. Which attributes apply depends on `type`; see `FieldType`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    pub key: String,
    #[serde(rename = "type")]
    pub kind: FieldType,
    pub label: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<Text>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// Shown (and then validated) only while an earlier choice field has one of the given keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_when: Option<Condition>,
    /// What of the citizen's account fills the field in before they start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefill: Option<Prefill>,

    /// `text`, `long_text`: length in characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// `text`: a regular expression the whole value must match, as in HTML's `pattern`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,

    /// `number`: a number; `date`: a date `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Limit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Limit>,
    /// `number`: digits allowed after the decimal point; 0 (the default) means whole numbers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decimals: Option<u8>,

    /// `choice`: how it is shown; `checkboxes` lets the citizen pick several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub style: Option<ChoiceStyle>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<ChoiceOption>,
    /// `choice` with `checkboxes`: how many may be ticked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_selections: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_selections: Option<u32>,

    /// `file`: the content types taken; all of `FileType` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accept: Option<Vec<FileType>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_bytes: Option<u64>,
    /// `file`: how many files, once any is given (`required` says whether one must be).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_count: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_count: Option<u32>,
}

fn is_false(value: &bool) -> bool {
    !value
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    LongText,
    Number,
    Date,
    Choice,
    Email,
    Phone,
    NationalId,
    ThaiAddress,
    File,
    /// A heading between groups of fields; takes no value.
    Section,
}

impl FieldType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::LongText => "long_text",
            Self::Number => "number",
            Self::Date => "date",
            Self::Choice => "choice",
            Self::Email => "email",
            Self::Phone => "phone",
            Self::NationalId => "national_id",
            Self::ThaiAddress => "thai_address",
            Self::File => "file",
            Self::Section => "section",
        }
    }

    /// Whether the citizen enters a value (everything but a section).
    pub fn takes_value(self) -> bool {
        self != Self::Section
    }
}

/// A bound of a `number` (a JSON number) or a `date` (a `YYYY-MM-DD` string).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Limit {
    Number(f64),
    Date(NaiveDate),
}

impl<'de> Deserialize<'de> for Limit {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LimitVisitor)
    }
}

struct LimitVisitor;

impl<'de> serde::de::Visitor<'de> for LimitVisitor {
    type Value = Limit;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a number, or a date written YYYY-MM-DD")
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Limit, E> {
        Ok(Limit::Number(v as f64))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Limit, E> {
        Ok(Limit::Number(v as f64))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Limit, E> {
        Ok(Limit::Number(v))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Limit, E> {
        v.parse()
            .map(Limit::Date)
            .map_err(|_| E::invalid_value(serde::de::Unexpected::Str(v), &self))
    }

    /// A bare TOML date (`min = 2026-01-01`) arrives as a one-entry map holding its text.
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Limit, A::Error> {
        match map.next_entry::<String, String>()? {
            Some((_, text)) if map.next_key::<String>()?.is_none() => self.visit_str(&text),
            _ => Err(serde::de::Error::invalid_type(serde::de::Unexpected::Map, &self)),
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChoiceStyle {
    #[default]
    Select,
    Radio,
    Checkboxes,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChoiceOption {
    /// What is stored; lower-case letters, digits and `_`.
    pub key: String,
    pub label: Text,
}

/// The file types a citizen may attach, as sniffed from content by the web layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FileType {
    #[serde(rename = "image/jpeg")]
    Jpeg,
    #[serde(rename = "image/png")]
    Png,
    #[serde(rename = "image/webp")]
    WebP,
    #[serde(rename = "application/pdf")]
    Pdf,
}

impl FileType {
    pub const ALL: [FileType; 4] = [Self::Jpeg, Self::Png, Self::WebP, Self::Pdf];

    pub fn mime(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::WebP => "image/webp",
            Self::Pdf => "application/pdf",
        }
    }

    pub fn from_mime(mime: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.mime() == mime)
    }
}

/// `{"field": "applicant_type", "equals": "company"}` or `{"field": …, "one_of": [..]}`:
/// the key of an earlier choice field and the option key(s) that show this field. For
/// checkboxes, ticking any of them shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub field: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_of: Option<Vec<String>>,
}

impl Condition {
    /// The option keys that satisfy the condition.
    pub fn accepted(&self) -> impl Iterator<Item = &str> {
        self.equals
            .iter()
            .chain(self.one_of.iter().flatten())
            .map(String::as_str)
    }
}

/// Account data a field may be prefilled with; `check` matches it to the field type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Prefill {
    Title,
    FirstName,
    LastName,
    FullName,
    NationalId,
    BirthDate,
    Email,
    Phone,
    Address,
}

impl Prefill {
    pub fn fits(self, kind: FieldType) -> bool {
        match self {
            Self::Title | Self::FirstName | Self::LastName | Self::FullName => kind == FieldType::Text,
            Self::NationalId => kind == FieldType::NationalId,
            Self::BirthDate => kind == FieldType::Date,
            Self::Email => kind == FieldType::Email,
            Self::Phone => kind == FieldType::Phone,
            Self::Address => kind == FieldType::ThaiAddress,
        }
    }
}

impl FormSchema {
    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }
}

impl Field {
    pub fn style(&self) -> ChoiceStyle {
        self.style.unwrap_or_default()
    }

    pub fn accepted_types(&self) -> &[FileType] {
        self.accept.as_deref().unwrap_or(&FileType::ALL)
    }

    pub fn max_bytes(&self) -> u64 {
        self.max_bytes.unwrap_or(DEFAULT_FILE_BYTES)
    }

    pub fn max_count(&self) -> u32 {
        self.max_count.unwrap_or(1)
    }

    /// The most this field's files may weigh in one submission (0 for a field that is not a file).
    pub fn file_allowance(&self) -> u64 {
        match self.kind {
            FieldType::File => self.max_bytes() * u64::from(self.max_count()),
            _ => 0,
        }
    }

    /// Longest accepted text: the schema's `max_length` or the platform default for the type.
    pub fn max_length(&self) -> u32 {
        self.max_length.unwrap_or(match self.kind {
            FieldType::LongText => DEFAULT_LONG_TEXT_LENGTH,
            _ => DEFAULT_TEXT_LENGTH,
        })
    }
}

pub const DEFAULT_TEXT_LENGTH: u32 = 500;
pub const DEFAULT_LONG_TEXT_LENGTH: u32 = 5_000;
/// The most a schema may allow in one long text, so a stored request stays small.
pub const MAX_TEXT_LENGTH: u32 = 20_000;
pub const DEFAULT_FILE_BYTES: u64 = 10 * 1024 * 1024;
/// The most a schema may allow per file; the web layer's body limit is set from it.
pub const MAX_FILE_BYTES: u64 = 25 * 1024 * 1024;
pub const MAX_FILES_PER_FIELD: u32 = 20;
/// The largest request body the server reads (the web layer's limit): a form's files must fit in it.
pub const MAX_REQUEST_BYTES: u64 = 40 * 1024 * 1024;
/// What a submission's text answers and multipart framing may take beside its files.
pub const REQUEST_OVERHEAD_BYTES: u64 = 1024 * 1024;
pub const MAX_DECIMALS: u8 = 6;

impl Text {
    pub fn get(&self, lang: crate::locale::Lang) -> &str {
        match lang {
            crate::locale::Lang::Th => &self.th,
            crate::locale::Lang::En => &self.en,
        }
    }
}
