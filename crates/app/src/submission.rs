//! A citizen's submission, for the HTML form and the API alike: sniff and check every file,
//! re-encode images, validate with the one domain validator, store the files, then write the
//! request with its acknowledgement e-mail in one transaction; a failed write deletes the files.
//! An idempotency key makes a repeat answer the first request instead of making a second.

use domain::form::{FieldIssue as FormIssue, FileFact, MAX_FILE_BYTES, Submission, validate_submission};
use sea_orm::DbErr;
use std::collections::BTreeMap;
use store::citizens::Citizen;
use store::requests::submit::{self, Created, NewRequest, NewRequestFile};
use store::services::{FormVersion, ItemInCategory};
use store::tenants::TenantRecord;

use crate::App;

/// One uploaded file as read from the body, or brought back from staging.
pub struct Upload {
    pub filename: String,
    pub bytes: bytes::Bytes,
    /// Larger than the field allows; its content was not kept.
    pub oversize: bool,
    /// Set when the file came from an earlier, refused attempt (see `staging`).
    pub staged: Option<uuid::Uuid>,
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
#[tracing::instrument(skip_all, fields(tenant = %tenant.slug, citizen = %citizen.id, item = %item.item.key))]
pub async fn submit(
    app: &App,
    tenant: &TenantRecord,
    citizen: &Citizen,
    item: &ItemInCategory,
    form: &FormVersion,
    attempt: Attempt<'_>,
) -> Result<Outcome, SubmitError> {
    let Attempt { asked_version, idempotency_key, mut submission, files } = attempt;
    let scope = tenant.scope();
    // A repeat is answered before anything is checked or stored again, even if a newer form
    // version was published since the first attempt went through.
    if let Some(request) = submit::by_idempotency_key(&app.db, scope, citizen.id, idempotency_key).await? {
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
                match app.process_image(upload.bytes.clone(), files::process_evidence).await? {
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
            if let Err(e) = app.files.put(&object_key, file.body.clone(), mime).await {
                discard(app, &stored).await;
                return Err(e.context("storing an evidence file").into());
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
        citizen_id: citizen.id,
        item_id: item.item.id,
        form_key: form.form_key.clone(),
        form_version: i32::try_from(form.version).unwrap_or(i32::MAX),
        data_json: clean.to_json().to_string(),
        idempotency_key: idempotency_key.to_owned(),
        files: stored.clone(),
    };
    let ack = |request: &store::requests::Request| {
        app.letters
            .acknowledgement(tenant, citizen, item, request)
            .map(Some)
            .map_err(|e| DbErr::Custom(format!("rendering the acknowledgement: {e:#}")))
    };
    match submit::create(&app.db, scope, &tenant.slug, new, ack).await {
        Ok(created) => {
            if created.existing {
                discard(app, &stored).await; // a concurrent twin won; its files are the ones kept
            }
            Ok(Outcome::Created(Box::new(created)))
        }
        Err(e) => {
            discard(app, &stored).await;
            Err(e.into())
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
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

async fn discard(app: &App, stored: &[NewRequestFile]) {
    for file in stored {
        if let Err(e) = app.files.delete(&file.object_key).await {
            tracing::warn!(key = %file.object_key, error = format!("{e:#}"), "could not delete an unused upload");
        }
    }
}

/// The citizen's file name for display only: the last path segment, no control characters.
fn safe_filename(raw: &str) -> String {
    domain::text::display_filename(raw, 200)
}

