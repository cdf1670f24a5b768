//! Reading a submission's multipart body for the HTML form and the API alike; what is done with
//! it is the one use case `app::submission::submit`.

use axum::extract::Multipart;
use domain::form::{MAX_FILE_BYTES, MAX_FILES_PER_FIELD};
use std::collections::BTreeMap;

use crate::accounts::registration::uploads::{multipart_error, read_limited};
use crate::error::AppError;

pub use app::submission::{Attempt, Outcome, Upload};

/// Bytes of one non-file part (a value, the API's `data` JSON) at most.
const MAX_VALUE_BYTES: usize = 256 * 1024;

/// The body of a submission: named text parts and, per file field, its files.
#[derive(Default)]
pub struct Body {
    pub values: Vec<(String, String)>,
    pub files: BTreeMap<String, Vec<Upload>>,
}

impl Body {
    pub fn value(&self, name: &str) -> Option<&str> {
        self.values.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// Reads the rest of the body: a part with a file name is a file (read up to the largest size
/// any form allows; the field's own limit is applied when checking), any other a value.
pub async fn read_body(multipart: &mut Multipart) -> Result<Body, AppError> {
    let mut body = Body::default();
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_owned();
        match field.file_name().map(str::to_owned) {
            Some(filename) => {
                let list = body.files.entry(name).or_default();
                if list.len() > MAX_FILES_PER_FIELD as usize {
                    continue; // already too many; the count alone is reported
                }
                let limit = usize::try_from(MAX_FILE_BYTES).unwrap_or(usize::MAX);
                let part = read_limited(field, limit).await?;
                if part.is_empty() {
                    continue; // a file input left blank
                }
                list.push(Upload { filename, bytes: part.bytes, oversize: part.oversize, staged: None });
            }
            None => {
                let part = read_limited(field, MAX_VALUE_BYTES).await?;
                if part.oversize {
                    return Err(AppError::PayloadTooLarge);
                }
                let text = String::from_utf8(part.bytes.to_vec()).map_err(|_| AppError::BadRequest)?;
                body.values.push((name, text));
            }
        }
    }
    body.files.retain(|_, list| !list.is_empty());
    Ok(body)
}

/// A multipart read error as the HTTP error (413 when the body is too large).
pub fn multipart_rejected(e: axum::extract::multipart::MultipartError) -> AppError {
    multipart_error(e)
}
