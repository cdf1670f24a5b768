//! CSRF protection for HTML forms: a random token in an HttpOnly, SameSite cookie that every form
//! repeats in a hidden `csrf_token` field (double submit). Requests with a bearer token are not
//! cookie-authenticated and need no CSRF token.

use axum::extract::{FromRequestParts, Request};
use axum::http::{HeaderValue, header, request::Parts};
use axum::middleware::Next;
use axum::response::Response;
use std::convert::Infallible;

use crate::accounts::session::cookie_value;
use crate::error::AppError;

pub const CSRF_COOKIE: &str = "csrf";
pub const CSRF_FIELD: &str = "csrf_token";

/// The token to put in this request's forms.
#[derive(Clone, Debug)]
pub struct CsrfToken(pub String);

impl<S: Send + Sync> FromRequestParts<S> for CsrfToken {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(parts.extensions.get::<CsrfToken>().cloned().unwrap_or(CsrfToken(String::new())))
    }
}

/// Makes sure every visitor has a CSRF cookie, and exposes its value as `CsrfToken`.
pub async fn ensure_cookie(https: bool, mut req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let existing = cookie_value(&parts, CSRF_COOKIE).filter(|v| v.len() >= 32).map(str::to_owned);
    let (token, fresh) = match existing {
        Some(token) => (token, false),
        None => (access::token::new_token(), true),
    };
    parts.extensions.insert(CsrfToken(token.clone()));
    req = Request::from_parts(parts, body);
    let mut response = next.run(req).await;
    if fresh {
        let secure = if https { "; Secure" } else { "" };
        let value = format!("{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{secure}");
        if let Ok(value) = HeaderValue::from_str(&value) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// Checks a submitted form token against the cookie.
pub fn verify(expected: &CsrfToken, submitted: &str) -> Result<(), AppError> {
    if !expected.0.is_empty() && access::token::constant_time_eq(expected.0.as_bytes(), submitted.as_bytes()) {
        Ok(())
    } else {
        Err(AppError::CsrfRejected)
    }
}

/// A form from a signed-in staff member or operator repeats their session's own CSRF token.
pub fn verify_session(expected: &str, submitted: &str) -> Result<(), AppError> {
    if !expected.is_empty() && access::token::constant_time_eq(expected.as_bytes(), submitted.as_bytes()) {
        Ok(())
    } else {
        Err(AppError::CsrfRejected)
    }
}
