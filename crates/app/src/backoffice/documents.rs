//! Receipts (ใบเสร็จรับเงิน) and licences (ใบอนุญาต) attached to a request: the file is sniffed
//! by content (PDF or image only), stored under the tenant's prefix, then recorded with its
//! verification code and an audit record in one transaction; a failed write removes the object
//! again. Revoking with a reason makes the public verify page say revoked.

use access::authz::{Granted, IssueDocuments};
use bytes::Bytes;
use chrono::NaiveDate;
use sea_orm::DbErr;
use serde_json::json;
use store::documents::{self, Document, NewDocument, StoredObject};
use uuid::Uuid;

use super::reaches_item;
use crate::{App, audit};

pub struct NewDocumentInput {
    pub kind: String,
    pub number: String,
    pub title_th: String,
    pub title_en: String,
    /// Offered on download; its extension is set from the sniffed type.
    pub name: String,
    pub bytes: Bytes,
    pub valid_until: Option<NaiveDate>,
}

#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("no such request or document")]
    NotFound,
    #[error("this request is outside your categories")]
    OutOfReach,
    /// A field is wrong: its name and the catalogue code of the problem.
    #[error("{field}: {code}")]
    Invalid { field: &'static str, code: &'static str },
    #[error("already revoked")]
    AlreadyRevoked,
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error("storing the file: {0:#}")]
    Storage(anyhow::Error),
}

fn invalid(field: &'static str, code: &'static str) -> DocumentError {
    DocumentError::Invalid { field, code }
}

pub const TEXT_MAX: usize = 200;

pub async fn issue(
    app: &App,
    granted: &Granted<IssueDocuments>,
    request_id: Uuid,
    input: NewDocumentInput,
) -> Result<Document, DocumentError> {
    let scope = granted.scope();
    // Whose request it is comes first: outside the tenant 404, outside the officer's reach 403.
    let request = store::requests::process::find_by_id(&app.db, scope, request_id).await?.ok_or(DocumentError::NotFound)?;
    if !reaches_item(&app.db, scope, granted.reach(), request.item_id).await? {
        return Err(DocumentError::OutOfReach);
    }
    if !documents::KINDS.contains(&input.kind.as_str()) {
        return Err(invalid("kind", "invalid_choice"));
    }
    for (field, value) in [("number", &input.number), ("title_th", &input.title_th)] {
        if value.trim().is_empty() {
            return Err(invalid(field, "required"));
        }
    }
    if [&input.number, &input.title_th, &input.title_en].iter().any(|v| v.chars().count() > TEXT_MAX) {
        return Err(invalid("title_th", "too_long"));
    }
    if input.bytes.is_empty() {
        return Err(invalid("file", "required"));
    }
    let sniffed = files::sniff(&input.bytes).ok_or_else(|| invalid("file", "file_type"))?;
    let key = files::object_key(&scope.tenant_id().to_string(), "documents");
    let name = domain::text::display_filename(input.name.trim(), 200);
    let stem = name.rsplit_once('.').map_or(name.as_str(), |(stem, _)| stem);
    let stem = if stem.is_empty() { input.number.trim() } else { stem };
    let stored = StoredObject {
        object_key: key.clone(),
        filename: format!("{}.{}", stem.chars().take(200).collect::<String>(), sniffed.extension()),
        mime: sniffed.mime().to_owned(),
        bytes: i64::try_from(input.bytes.len()).unwrap_or(i64::MAX),
        sha256: files::sha256_hex(&input.bytes),
    };
    app.files.put(&key, input.bytes, sniffed.mime()).await.map_err(DocumentError::Storage)?;
    let new = NewDocument {
        kind: input.kind,
        number: input.number.trim().to_owned(),
        title_th: input.title_th.trim().to_owned(),
        title_en: input.title_en.trim().to_owned(),
        file: stored,
        valid_until: input.valid_until,
    };
    let written = async {
        let txn = store::begin_write(&app.db).await?;
        let doc = documents::issue(&txn, scope, &request, new).await?;
        audit::record(
            &txn,
            scope,
            &audit::actor(granted.acting()),
            "document.issue",
            ("document", doc.id.to_string()),
            None,
            Some(json!({ "request": request.reference, "kind": doc.kind, "number": doc.number, "code": doc.verification_code })),
        )
        .await?;
        txn.commit().await?;
        Ok::<_, DbErr>(doc)
    }
    .await;
    match written {
        Ok(doc) => Ok(doc),
        Err(e) => {
            if let Err(cleanup) = app.files.delete(&key).await {
                tracing::warn!(error = format!("{cleanup:#}"), key, "could not remove the object of a document not issued");
            }
            Err(e.into())
        }
    }
}

pub async fn revoke(
    app: &App,
    granted: &Granted<IssueDocuments>,
    document_id: Uuid,
    reason: &str,
) -> Result<Document, DocumentError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(invalid("reason", "required"));
    }
    if reason.chars().count() > 1000 {
        return Err(invalid("reason", "too_long"));
    }
    let scope = granted.scope();
    let txn = store::begin_write(&app.db).await?;
    let doc = documents::find(&txn, scope, document_id).await?.ok_or(DocumentError::NotFound)?;
    let request = store::requests::process::find_by_id(&txn, scope, doc.request_id).await?.ok_or(DocumentError::NotFound)?;
    if !reaches_item(&txn, scope, granted.reach(), request.item_id).await? {
        return Err(DocumentError::OutOfReach);
    }
    if !documents::revoke(&txn, scope, document_id, reason).await? {
        return Err(DocumentError::AlreadyRevoked);
    }
    audit::record(
        &txn,
        scope,
        &audit::actor(granted.acting()),
        "document.revoke",
        ("document", doc.id.to_string()),
        Some(json!({ "revoked": false })),
        Some(json!({ "revoked": true, "reason": reason })),
    )
    .await?;
    let revoked = documents::find(&txn, scope, document_id).await?.ok_or(DocumentError::NotFound)?;
    txn.commit().await?;
    Ok(revoked)
}
