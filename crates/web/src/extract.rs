//! `Query` and `Path` as the product answers them: a query string that does not fit is a 422 naming
//! the parameter, a path that does not fit (a document id that is not a UUID) is a 404, both in
//! the API's JSON error or on a branded page, never axum's plain-text rejection.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::{AppError, FieldIssue};

/// The query string, deserialised; `?per_page=null` answers 422 at `per_page`.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, AppError> {
        let query = parts.uri.query().unwrap_or_default();
        let pairs = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(pairs).map(Self).map_err(|e| {
            let field = e.path().to_string();
            let field = if field == "." { "query".to_owned() } else { field };
            AppError::Validation(vec![FieldIssue::new(field, "invalid_parameter")])
        })
    }
}

/// The route's parameters; one that does not parse names nothing that exists, so it is a 404.
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| Self(value))
            .map_err(|_| AppError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    struct Page {
        page: Option<u64>,
        #[allow(dead_code)]
        per_page: Option<u64>,
    }

    async fn query(uri: &str) -> Result<Page, AppError> {
        let (mut parts, ()) = axum::http::Request::get(uri).body(()).map(axum::http::Request::into_parts).expect("request");
        Query::<Page>::from_request_parts(&mut parts, &()).await.map(|Query(p)| p)
    }

    #[tokio::test]
    async fn a_wrong_query_parameter_is_named() {
        assert_eq!(query("/x?page=2").await.ok().and_then(|p| p.page), Some(2));
        assert!(query("/x").await.is_ok());
        match query("/x?page=1&per_page=null").await {
            Err(AppError::Validation(fields)) => assert_eq!(fields, vec![FieldIssue::new("per_page", "invalid_parameter")]),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }
}

/// A multipart form of text fields (each cut at 2,000 characters) and at most one file in the part
/// named `file_field`: the texts by name, and the file's name and bytes. A file over `max_bytes` is
/// 413; a body that is not multipart is 400.
pub async fn form_with_file(
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
    file_field: &str,
    max_bytes: usize,
) -> Result<(std::collections::HashMap<String, String>, Option<(String, bytes::Bytes)>), AppError> {
    let mut multipart = multipart.map_err(|_| AppError::BadRequest)?;
    let mut fields = std::collections::HashMap::new();
    let mut file = None;
    while let Some(field) = multipart.next_field().await.map_err(|_| AppError::BadRequest)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == file_field {
            let filename = field.file_name().unwrap_or("document").to_owned();
            let bytes = field.bytes().await.map_err(|_| AppError::PayloadTooLarge)?;
            if bytes.len() > max_bytes {
                return Err(AppError::PayloadTooLarge);
            }
            file = Some((filename, bytes));
        } else {
            let text = field.text().await.map_err(|_| AppError::BadRequest)?;
            fields.insert(name, text.chars().take(2000).collect());
        }
    }
    Ok((fields, file))
}
