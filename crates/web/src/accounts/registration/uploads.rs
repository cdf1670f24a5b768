//! Reading image uploads from a multipart body: each file is read only up to the image size limit,
//! so an oversized one is refused without holding it in memory. HTML forms carry their CSRF token
//! as the first part, checked before any file is read.

use axum::extract::Multipart;
use axum::extract::multipart::{Field, MultipartError};
use axum::http::StatusCode;
use bytes::{Bytes, BytesMut};

use crate::accounts::csrf::{self, CSRF_FIELD, CsrfToken};
use crate::error::AppError;

/// Files kept in memory per request at most; further parts are only counted.
const MAX_KEPT_FILES: usize = domain::tenant::MAX_ID_PHOTOS as usize + 1;

/// One file part: its bytes, or the fact that it was larger than allowed.
pub use app::citizens::photos::Upload as FilePart;

pub(crate) fn multipart_error(e: MultipartError) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE { AppError::PayloadTooLarge } else { AppError::BadRequest }
}

/// The parts named `file_field`, in order; other parts are skipped.
pub async fn files(multipart: &mut Multipart, file_field: &str, max_bytes: usize) -> Result<Vec<FilePart>, AppError> {
    let mut found = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        if field.name() != Some(file_field) {
            continue;
        }
        if found.len() >= MAX_KEPT_FILES {
            found.push(FilePart { bytes: Bytes::from_static(b"-"), oversize: false });
            continue;
        }
        found.push(read_limited(field, max_bytes).await?);
    }
    Ok(found)
}

/// An HTML form's files: the first part must be the CSRF token, and it must match.
pub async fn form_files(
    multipart: &mut Multipart,
    token: &CsrfToken,
    file_field: &str,
    max_bytes: usize,
) -> Result<Vec<FilePart>, AppError> {
    let first = multipart.next_field().await.map_err(multipart_error)?.ok_or(AppError::CsrfRejected)?;
    if first.name() != Some(CSRF_FIELD) {
        return Err(AppError::CsrfRejected);
    }
    let submitted = read_limited(first, 256).await?;
    csrf::verify(token, std::str::from_utf8(&submitted.bytes).unwrap_or_default())?;
    files(multipart, file_field, max_bytes).await
}

pub(crate) async fn read_limited(mut field: Field<'_>, max_bytes: usize) -> Result<FilePart, AppError> {
    let mut bytes = BytesMut::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        if bytes.len() + chunk.len() > max_bytes {
            // The rest of this part is skipped when the next one is asked for.
            return Ok(FilePart { bytes: Bytes::new(), oversize: true });
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(FilePart { bytes: bytes.freeze(), oversize: false })
}
