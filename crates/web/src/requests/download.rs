//! Opening or downloading a request's file or document: only the citizen's own, with the stored
//! (sniffed) type, an RFC 5987 filename, `nosniff` and no caching anywhere but the browser.

use axum::extract::State;
use crate::extract::{Path, Query};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Deserialize;
use store::documents::{self, Document};
use store::requests::track;
use uuid::Uuid;

use crate::accounts::session::CurrentCitizen;
use crate::error::AppError;
use crate::state::AppState;
use crate::tenancy::Tenant;

#[derive(Deserialize)]
pub struct DownloadQuery {
    download: Option<String>,
}

impl DownloadQuery {
    fn attachment(&self) -> bool {
        self.download.as_deref().is_some_and(|v| v == "1" || v == "true")
    }
}

pub async fn file(
    State(state): State<AppState>,
    tenant: Tenant,
    me: CurrentCitizen,
    Path((reference, id)): Path<(String, Uuid)>,
    Query(q): Query<DownloadQuery>,
) -> Result<Response, AppError> {
    let found = track::file_for_citizen(&state.db, tenant.scope(), me.citizen.id, &reference, id).await?.ok_or(AppError::NotFound)?;
    let bytes = object(&state, &found.object_key).await?;
    Ok(attachment(bytes, &found.mime, &found.filename, q.attachment()))
}

pub async fn document(
    State(state): State<AppState>,
    tenant: Tenant,
    me: CurrentCitizen,
    Path((reference, id)): Path<(String, Uuid)>,
    Query(q): Query<DownloadQuery>,
) -> Result<Response, AppError> {
    let found = documents::find_for_citizen(&state.db, tenant.scope(), me.citizen.id, &reference, id).await?.ok_or(AppError::NotFound)?;
    document_response(&state, &found, q.attachment()).await
}

pub(crate) async fn document_response(state: &AppState, doc: &Document, as_attachment: bool) -> Result<Response, AppError> {
    let bytes = object(state, &doc.object_key).await?;
    Ok(attachment(bytes, &doc.mime, &doc.filename, as_attachment))
}

async fn object(state: &AppState, key: &str) -> Result<Bytes, AppError> {
    use anyhow::Context as _;
    state
        .files
        .get(key)
        .await
        .context("reading a stored file")?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("stored object {key} is missing")))
}

/// The response for a private file: `inline` to view it, `attachment` to download it. A PDF is
/// always sandboxed (`Content-Security-Policy: sandbox`): whatever script or form it carries runs
/// in an opaque origin, never with the site's cookies.
pub(crate) fn attachment(bytes: Bytes, mime: &str, filename: &str, as_attachment: bool) -> Response {
    let disposition = content_disposition(if as_attachment { "attachment" } else { "inline" }, filename);
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_str(mime).unwrap_or(HeaderValue::from_static("application/octet-stream")));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    if mime == "application/pdf" {
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox"));
    }
    response
}

/// `inline; filename="ascii fallback"; filename*=UTF-8''percent-encoded` (RFC 6266 / RFC 5987).
pub fn content_disposition(kind: &str, filename: &str) -> String {
    let fallback: String = filename
        .chars()
        .map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' && c != '%' || c == ' ' { c } else { '_' })
        .collect();
    let encoded: String = filename
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'!' | b'#' | b'$' | b'&' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect();
    format!("{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thai_filenames_are_encoded_with_an_ascii_fallback() {
        assert_eq!(
            content_disposition("attachment", "ใบเสร็จ \"1\".pdf"),
            "attachment; filename=\"_______ _1_.pdf\"; filename*=UTF-8''%E0%B9%83%E0%B8%9A%E0%B9%80%E0%B8%AA%E0%B8%A3%E0%B9%87%E0%B8%88%20%221%22.pdf"
        );
    }
}
