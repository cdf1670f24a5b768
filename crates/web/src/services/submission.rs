//! One submission path for the HTML form and the API: read the multipart body, sniff and check
//! every file, validate with the one domain validator, store the files, then write the request;
//! a failed database write deletes the files it had stored.

use axum::extract::Multipart;
use domain::form::{
    FieldIssue as FormIssue, FileFact, MAX_FILE_BYTES, MAX_FILES_PER_FIELD, Submission, validate_submission,
};
use std::collections::BTreeMap;
use store::requests::submit::{self, Created, NewRequest, NewRequestFile};
use store::services::{FormVersion, ItemInCategory};

use crate::accounts::registration::uploads::{multipart_error, read_limited};
use crate::accounts::session::CurrentCitizen;
use crate::error::AppError;
use crate::state::AppState;
use crate::tenancy::Tenant;

/// Bytes of one non-file part (a value, the API's `data` JSON) at most.
const MAX_VALUE_BYTES: usize = 256 * 1024;

/// One uploaded file as read from the body, or brought back from staging.
pub struct Upload {
    pub filename: String,
    pub bytes: bytes::Bytes,
    /// Larger than the field allows; its content was not kept.
    pub oversize: bool,
    /// Set when the file came from an earlier, refused attempt (see `staging`).
    pub staged: Option<uuid::Uuid>,
}

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

/// What a submission came to, short of a server error.
pub enum Outcome {
    Created(Box<Created>),
    Invalid(Vec<FormIssue>),
    /// The form was published again since the citizen opened it; nothing was saved.
    Stale {
        current: u32,
    },
}

/// What the citizen sent for one form.
pub struct Attempt<'a> {
    /// The version the client filled in; `None` (API only) means the current one.
    pub asked_version: Option<u32>,
    pub idempotency_key: &'a str,
    /// The answers, without files.
    pub submission: Submission,
    pub files: &'a BTreeMap<String, Vec<Upload>>,
}

/// Validates the answers plus the files against the current form and writes the request.
#[tracing::instrument(skip_all, fields(tenant = %tenant.0.slug, citizen = %me.citizen.id, item = %item.item.key))]
pub async fn submit(
    state: &AppState,
    tenant: &Tenant,
    me: &CurrentCitizen,
    item: &ItemInCategory,
    form: &FormVersion,
    attempt: Attempt<'_>,
) -> Result<Outcome, AppError> {
    let Attempt { asked_version, idempotency_key, mut submission, files } = attempt;
    let scope = tenant.scope();
    // A repeat is answered before anything is checked or stored again, even if a newer form
    // version was published since the first attempt went through.
    if let Some(request) = submit::by_idempotency_key(&state.db, scope, me.citizen.id, idempotency_key).await? {
        return Ok(Outcome::Created(Box::new(Created { request, existing: true })));
    }
    if let Some(asked) = asked_version
        && asked != form.version
    {
        return Ok(Outcome::Stale { current: form.version });
    }
    let mut prepared: BTreeMap<String, Vec<Prepared<'_>>> = BTreeMap::new();
    let mut image_issues = Vec::new();
    for (key, uploads) in files {
        let field_max = form.schema.field(key).map(|f| f.max_bytes()).unwrap_or(MAX_FILE_BYTES);
        let mut facts = Vec::with_capacity(uploads.len());
        let mut list = Vec::with_capacity(uploads.len());
        for (i, upload) in uploads.iter().enumerate() {
            let sniffed = files::sniff(&upload.bytes);
            let bytes = if upload.oversize { field_max.max(MAX_FILE_BYTES).saturating_add(1) } else { upload.bytes.len() as u64 };
            facts.push(FileFact { sniffed_mime: sniffed.map(|s| s.mime().to_owned()), bytes });
            let mut kept = Prepared { mime: sniffed.map(|s| s.mime()), upload, body: upload.bytes.clone() };
            if sniffed.is_some_and(files::Sniffed::is_image) && !upload.oversize {
                match state.process_image(upload.bytes.clone(), files::process_evidence).await? {
                    Ok(image) => {
                        kept.mime = Some(image.mime);
                        kept.body = image.bytes.into();
                    }
                    Err(e) => image_issues.push(FormIssue::new(format!("{key}[{i}]"), image_issue(e))),
                }
            }
            list.push(kept);
        }
        submission = submission.with_files(key.clone(), facts);
        prepared.insert(key.clone(), list);
    }
    let clean = match validate_submission(&form.schema, &submission) {
        Ok(clean) if image_issues.is_empty() => clean,
        Ok(_) => return Ok(Outcome::Invalid(image_issues)),
        Err(mut issues) => {
            let seen: Vec<String> = issues.iter().map(|i| i.field.clone()).collect();
            issues.extend(image_issues.into_iter().filter(|i| !seen.contains(&i.field)));
            return Ok(Outcome::Invalid(issues));
        }
    };

    let mut stored: Vec<NewRequestFile> = Vec::new();
    for (key, list) in &prepared {
        for (position, file) in list.iter().enumerate() {
            let object_key = files::object_key(&scope.tenant_id().to_string(), "requests");
            let mime = file.mime.unwrap_or("application/octet-stream");
            if let Err(e) = state.files.put(&object_key, file.body.clone(), mime).await {
                discard(state, &stored).await;
                return Err(AppError::Internal(e.context("storing an evidence file")));
            }
            stored.push(NewRequestFile {
                field_key: key.clone(),
                position: i16::try_from(position).unwrap_or(i16::MAX),
                object_key,
                filename: safe_filename(&file.upload.filename),
                mime: mime.to_owned(),
                bytes: i64::try_from(file.body.len()).unwrap_or(i64::MAX),
                sha256: files::sha256_hex(&file.body),
            });
        }
    }
    let new = NewRequest {
        citizen_id: me.citizen.id,
        item_id: item.item.id,
        form_key: form.form_key.clone(),
        form_version: i32::try_from(form.version).unwrap_or(i32::MAX),
        data_json: clean.to_json().to_string(),
        idempotency_key: idempotency_key.to_owned(),
        files: stored.clone(),
    };
    let ack = |request: &store::requests::Request| {
        super::mail::acknowledgement(state, tenant, &me.citizen, item, request)
            .map(Some)
            .map_err(|e| sea_orm::DbErr::Custom(format!("rendering the acknowledgement: {e}")))
    };
    match submit::create(&state.db, scope, &tenant.0.slug, new, ack).await {
        Ok(created) => {
            if created.existing {
                discard(state, &stored).await; // a concurrent twin won; its files are the ones kept
            }
            Ok(Outcome::Created(Box::new(created)))
        }
        Err(e) => {
            discard(state, &stored).await;
            Err(e.into())
        }
    }
}

/// One file as it will be stored: images decoded and re-encoded (no metadata, nothing appended),
/// anything else (PDF) as sent.
struct Prepared<'a> {
    mime: Option<&'static str>,
    upload: &'a Upload,
    body: bytes::Bytes,
}

fn image_issue(error: files::ImageError) -> &'static str {
    match error {
        files::ImageError::TooManyPixels => domain::form::code::IMAGE_TOO_MANY_PIXELS,
        files::ImageError::TooLarge => domain::form::code::FILE_TOO_LARGE,
        _ => domain::form::code::IMAGE_UNREADABLE,
    }
}

async fn discard(state: &AppState, stored: &[NewRequestFile]) {
    for file in stored {
        if let Err(e) = state.files.delete(&file.object_key).await {
            tracing::warn!(key = %file.object_key, error = format!("{e:#}"), "could not delete an unused upload");
        }
    }
}

/// The citizen's file name for display only: the last path segment, no control characters.
fn safe_filename(raw: &str) -> String {
    domain::text::display_filename(raw, 200)
}

/// A multipart read error as the HTTP error (413 when the body is too large).
pub fn multipart_rejected(e: axum::extract::multipart::MultipartError) -> AppError {
    multipart_error(e)
}
