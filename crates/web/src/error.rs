//! One error type at the HTTP boundary. Handlers return it; the site layer turns it into a
//! translated JSON error under `/api` or a branded page elsewhere. Causes are logged, not shown.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// A field that failed validation: the field name and a message-catalogue key.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct FieldIssue {
    pub field: String,
    pub code: String,
}

impl FieldIssue {
    pub fn new(field: impl Into<String>, code: impl Into<String>) -> Self {
        Self { field: field.into(), code: code.into() }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("tenant unavailable")]
    Unavailable,
    #[error("bad request")]
    BadRequest,
    #[error("invalid input")]
    Validation(Vec<FieldIssue>),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sea_orm::DbErr> for AppError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Internal(e.into())
    }
}

/// What the site layer needs to render an error; carried as a response extension.
#[derive(Clone, Debug)]
pub struct ErrorInfo {
    pub code: &'static str,
    /// Catalogue keys for the title and message.
    pub title_key: &'static str,
    pub message_key: &'static str,
    pub fields: Vec<FieldIssue>,
}

impl AppError {
    fn parts(&self) -> (StatusCode, ErrorInfo) {
        let info = |code, title_key, message_key| ErrorInfo { code, title_key, message_key, fields: Vec::new() };
        match self {
            Self::NotFound => (StatusCode::NOT_FOUND, info("not_found", "error.not_found_title", "error.not_found")),
            Self::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                info("tenant_unavailable", "error.unavailable_title", "error.unavailable"),
            ),
            Self::BadRequest => (StatusCode::BAD_REQUEST, info("bad_request", "error.bad_request", "error.bad_request")),
            Self::Validation(fields) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorInfo { fields: fields.clone(), ..info("validation", "error.bad_request", "error.bad_request") },
            ),
            Self::Internal(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, info("internal", "error.internal_title", "error.internal"))
            }
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let Self::Internal(cause) = &self {
            tracing::error!(error = format!("{cause:#}"), "request failed");
        }
        let (status, info) = self.parts();
        let mut response = (status, info.code).into_response();
        response.extensions_mut().insert(info);
        response
    }
}
