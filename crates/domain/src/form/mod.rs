//! Form schemas: the versioned documents a tenant writes for each service, their own checks on
//! apply, and the one validator of a citizen's submission that the HTML pages and the API share.

mod check;
mod display;
mod schema;
mod submission;
mod validate;

#[cfg(test)]
mod tests;

pub use display::{display_address, display_date, display_value};
pub use schema::{
    ChoiceOption, ChoiceStyle, Condition, DEFAULT_FILE_BYTES, Field, FieldType, FileType, FormSchema, Limit,
    MAX_FILE_BYTES, MAX_FILES_PER_FIELD, MAX_REQUEST_BYTES, Prefill, REQUEST_OVERHEAD_BYTES, Text,
};
pub use submission::{FileFact, Submission};
pub use validate::{CleanAddress, CleanSubmission, CleanValue, FieldIssue, code, thai_phone, validate_submission};

use crate::tenant::FieldError;

impl FormSchema {
    /// Reads a schema file and checks it; a syntax or type error names where it is
    /// (`fields[3].type`), like the checks do.
    pub fn from_json(source: &str) -> Result<Self, Vec<FieldError>> {
        let deserializer = &mut serde_json::Deserializer::from_str(source);
        let schema: Self = serde_path_to_error::deserialize(deserializer).map_err(|e| located(e, |e| e.to_string()))?;
        schema.check().map(|()| schema)
    }

    pub fn from_toml(source: &str) -> Result<Self, Vec<FieldError>> {
        let deserializer = toml::Deserializer::parse(source).map_err(|e| vec![FieldError::new("", e.to_string())])?;
        // The path names the place, so the message alone, without TOML's source excerpt.
        let schema: Self =
            serde_path_to_error::deserialize(deserializer).map_err(|e| located(e, |e| e.message().to_owned()))?;
        schema.check().map(|()| schema)
    }
}

/// A deserialisation error at its path; the path is empty when the document itself is malformed.
fn located<E>(error: serde_path_to_error::Error<E>, message: impl Fn(&E) -> String) -> Vec<FieldError> {
    let path = error.path().to_string();
    let path = if path == "." { String::new() } else { path };
    vec![FieldError::new(path, message(error.inner()))]
}
