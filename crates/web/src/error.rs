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
    /// The catalogue table its message is in: `field_error` (accounts), `form_error` (forms) or
    /// `backoffice_error`.
    #[serde(skip)]
    pub messages: &'static str,
    /// Filled into the message's `{detail}` (the admin screens' checks word some problems only in
    /// English, such as a form schema's).
    #[serde(skip)]
    pub detail: Option<String>,
}

impl FieldIssue {
    pub fn new(field: impl Into<String>, code: impl Into<String>) -> Self {
        Self { field: field.into(), code: code.into(), messages: "field_error", detail: None }
    }

    /// An issue of a service form, translated from `[form_error]`.
    pub fn form(field: impl Into<String>, code: impl Into<String>) -> Self {
        Self { messages: "form_error", ..Self::new(field, code) }
    }

    /// An issue of a back-office call, translated from `[backoffice_error]`.
    pub fn backoffice(field: impl Into<String>, code: impl Into<String>) -> Self {
        Self { messages: "backoffice_error", ..Self::new(field, code) }
    }

    /// An issue of an admin's change, translated from `[admin_error]`.
    pub fn admin(field: impl Into<String>, code: impl Into<String>, detail: Option<String>) -> Self {
        Self { messages: "admin_error", detail, ..Self::new(field, code) }
    }

    /// The message-catalogue key of this issue's message.
    pub fn message_key(&self) -> String {
        format!("{}.{}", self.messages, self.code)
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
    /// Unique data already taken (409), e.g. a national ID registered twice.
    #[error("conflict")]
    Conflict(Vec<FieldIssue>),
    #[error("not signed in")]
    Unauthorized,
    /// An HTML page that needs a signed-in citizen: redirect to the login page.
    #[error("login required")]
    LoginRequired { next: String },
    #[error("csrf token rejected")]
    CsrfRejected,
    /// Signed in, but without the permission this needs (403).
    #[error("forbidden")]
    Forbidden,
    /// A page for a signed-in citizen who has not accepted the tenant's current terms yet:
    /// redirect to accept them, then on to `next`.
    #[error("new terms to accept")]
    TermsRequired { next: String },
    /// A back-office page that needs a signed-in staff member: redirect to the staff login.
    #[error("staff login required")]
    StaffLoginRequired,
    /// An operator console page without an operator session: redirect to the operator login.
    #[error("operator login required")]
    OperatorLoginRequired,
    /// Someone else changed the record since it was read (409): who and when.
    #[error("changed by someone else")]
    Stale { by: String, at: String },
    #[error("too many attempts")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("payload too large")]
    PayloadTooLarge,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<access::ratelimit::RetryAfter> for AppError {
    fn from(r: access::ratelimit::RetryAfter) -> Self {
        Self::TooManyRequests { retry_after_secs: r.seconds() }
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Internal(e.into())
    }
}

impl From<app::Issue> for FieldIssue {
    fn from(issue: app::Issue) -> Self {
        Self::new(issue.field, issue.code)
    }
}

/// The citizen's corrections, worded from `[field_error]`.
pub fn field_issues(issues: Vec<app::Issue>) -> Vec<FieldIssue> {
    issues.into_iter().map(FieldIssue::from).collect()
}

// The citizen use cases' refusals as HTTP errors. Pages that re-show a form with the message
// match the refusals they word themselves first, and pass the rest on through these.

impl From<app::citizens::registration::RegisterError> for AppError {
    fn from(e: app::citizens::registration::RegisterError) -> Self {
        use app::citizens::registration::RegisterError as E;
        match e {
            E::Invalid(issues) => Self::Validation(field_issues(issues)),
            E::Taken(issues) => Self::Conflict(field_issues(issues)),
            E::TooMany(wait) => wait.into(),
            E::Db(e) => e.into(),
            E::Other(e) => Self::Internal(e),
        }
    }
}

impl From<app::citizens::photos::PhotoError> for AppError {
    fn from(e: app::citizens::photos::PhotoError) -> Self {
        use app::citizens::photos::PhotoError as E;
        match e {
            E::AlreadyVerified => Self::Conflict(vec![FieldIssue::new("photos", "identity_already_verified")]),
            E::Invalid(issues) => Self::Validation(field_issues(issues)),
            E::NotFound => Self::NotFound,
            E::Db(e) => e.into(),
            E::Other(e) => Self::Internal(e),
        }
    }
}

impl From<app::citizens::sign_in::SignInError> for AppError {
    fn from(e: app::citizens::sign_in::SignInError) -> Self {
        use app::citizens::sign_in::SignInError as E;
        match e {
            E::InvalidCredentials => Self::Unauthorized,
            E::Locked(wait) => wait.into(),
            E::Db(e) => e.into(),
            E::Other(e) => Self::Internal(e),
        }
    }
}

impl From<app::citizens::password_reset::LinkError> for AppError {
    fn from(e: app::citizens::password_reset::LinkError) -> Self {
        use app::citizens::password_reset::LinkError as E;
        match e {
            E::TooMany(wait) => wait.into(),
            E::Db(e) => e.into(),
            E::Letter(e) => Self::Internal(e),
        }
    }
}

impl From<app::citizens::password_reset::ResetError> for AppError {
    fn from(e: app::citizens::password_reset::ResetError) -> Self {
        use app::citizens::password_reset::ResetError as E;
        match e.issue() {
            Some(issue) => Self::Validation(vec![issue.into()]),
            None => match e {
                E::Db(e) => e.into(),
                E::Other(e) => Self::Internal(e),
                E::TokenInvalid | E::Password(_) => Self::BadRequest,
            },
        }
    }
}

impl From<app::submission::SubmitError> for AppError {
    fn from(e: app::submission::SubmitError) -> Self {
        match e {
            app::submission::SubmitError::Db(e) => e.into(),
            app::submission::SubmitError::Other(e) => Self::Internal(e),
        }
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
    /// Values for `{name}` placeholders in the message.
    pub params: Vec<(&'static str, String)>,
}

/// A refusal the API words itself: `code` to branch on and the catalogue's `message_key`.
pub fn refusal(status: StatusCode, code: &'static str, message_key: &'static str) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    let info = ErrorInfo { code, title_key: "error.bad_request", message_key, fields: Vec::new(), params: Vec::new() };
    let mut response = (status, code).into_response();
    response.extensions_mut().insert(info);
    response
}

impl AppError {
    fn parts(&self) -> (StatusCode, ErrorInfo) {
        let info = |code, title_key, message_key| ErrorInfo { code, title_key, message_key, fields: Vec::new(), params: Vec::new() };
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
            Self::Conflict(fields) => (
                StatusCode::CONFLICT,
                ErrorInfo { fields: fields.clone(), ..info("conflict", "error.bad_request", "error.conflict") },
            ),
            Self::Unauthorized | Self::LoginRequired { .. } | Self::TermsRequired { .. } => {
                (StatusCode::UNAUTHORIZED, info("unauthorized", "error.unauthorized_title", "error.unauthorized"))
            }
            Self::CsrfRejected => (StatusCode::FORBIDDEN, info("csrf", "error.csrf_title", "error.csrf")),
            Self::Forbidden => (StatusCode::FORBIDDEN, info("forbidden", "error.forbidden_title", "error.forbidden")),
            Self::StaffLoginRequired | Self::OperatorLoginRequired => {
                (StatusCode::UNAUTHORIZED, info("unauthorized", "error.unauthorized_title", "error.unauthorized"))
            }
            Self::Stale { by, at } => (
                StatusCode::CONFLICT,
                ErrorInfo { params: vec![("by", by.clone()), ("at", at.clone())], ..info("stale", "error.stale_title", "error.stale") },
            ),
            Self::TooManyRequests { .. } => {
                (StatusCode::TOO_MANY_REQUESTS, info("too_many_requests", "error.too_many_title", "error.too_many"))
            }
            Self::PayloadTooLarge => {
                (StatusCode::PAYLOAD_TOO_LARGE, info("too_large", "error.bad_request", "error.too_large"))
            }
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
        let encode = crate::render::encode_path;
        if let Self::LoginRequired { next } = &self {
            return axum::response::Redirect::to(&format!("/login?next={}", encode(next))).into_response();
        }
        if let Self::TermsRequired { next } = &self {
            return axum::response::Redirect::to(&format!("/terms/accept?next={}", encode(next))).into_response();
        }
        if let Self::StaffLoginRequired = &self {
            return axum::response::Redirect::to("/staff/login").into_response();
        }
        if let Self::OperatorLoginRequired = &self {
            return axum::response::Redirect::to("/operator/login").into_response();
        }
        let (status, info) = self.parts();
        let mut response = (status, info.code).into_response();
        if let Self::TooManyRequests { retry_after_secs } = &self {
            if let Ok(v) = axum::http::HeaderValue::from_str(&retry_after_secs.to_string()) {
                response.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
            }
        }
        response.extensions_mut().insert(info);
        response
    }
}
