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
