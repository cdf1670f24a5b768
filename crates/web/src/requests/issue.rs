//! Issuing a receipt or licence on a request (for the back office): the file's type is sniffed,
//! it is put in the object store under a tenant-prefixed key, then the row is written; a failed
//! write removes the object again, so no document points at a missing file and no file is orphaned.

use bytes::Bytes;
use chrono::NaiveDate;
use store::documents::{self, Document, NewDocument, StoredObject};
use store::requests::Request;

use crate::error::{AppError, FieldIssue};
use crate::state::AppState;
use crate::tenancy::Tenant;

pub struct IssueInput {
    pub kind: String,
    pub number: String,
    pub title_th: String,
    pub title_en: String,
    /// Shown and offered on download; its extension is set from the sniffed type.
    pub name: String,
    pub bytes: Bytes,
    pub valid_until: Option<NaiveDate>,
}

pub async fn issue_document(state: &AppState, tenant: &Tenant, request: &Request, input: IssueInput) -> Result<Document, AppError> {
    use anyhow::Context as _;
    if !documents::KINDS.contains(&input.kind.as_str()) {
        return Err(AppError::Validation(vec![FieldIssue::new("kind", "invalid_choice")]));
    }
    let sniffed = files::sniff(&input.bytes).ok_or_else(|| AppError::Validation(vec![FieldIssue::new("file", "file_type")]))?;
    let scope = tenant.scope();
    let key = files::object_key(&scope.tenant_id().to_string(), "documents");
    let stored = StoredObject {
        object_key: key.clone(),
        filename: format!("{}.{}", input.name.trim_end_matches(&format!(".{}", sniffed.extension())), sniffed.extension()),
        mime: sniffed.mime().to_owned(),
        bytes: i64::try_from(input.bytes.len()).unwrap_or(i64::MAX),
        sha256: files::sha256_hex(&input.bytes),
    };
    state.files.put(&key, input.bytes, sniffed.mime()).await.context("storing an issued document")?;
    let new = NewDocument {
        kind: input.kind,
        number: input.number,
        title_th: input.title_th,
        title_en: input.title_en,
        file: stored,
        valid_until: input.valid_until,
    };
    match documents::issue(&state.db, scope, request, new).await {
        Ok(doc) => Ok(doc),
        Err(e) => {
            if let Err(cleanup) = state.files.delete(&key).await {
                tracing::warn!(error = format!("{cleanup:#}"), key, "could not remove the object of a document not issued");
            }
            Err(e.into())
        }
    }
}
