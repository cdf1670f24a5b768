//! The operator console on the platform's own host (the bare base domain): signing in with
//! e-mail, password and TOTP code, the municipalities with their usage, and suspending or
//! resuming one; and the same as JSON under `/api/v1/operator`. Operator sessions have their own
//! table and cookie, so neither a citizen's nor a staff member's session works here, and an
//! operator's does not work on any municipality's host.

pub mod api;
mod pages;

use std::marker::PhantomData;

use access::authz::{AuthzError, PlatformGranted, PlatformPermission};
use access::operator::SignedInOperator;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::{HeaderValue, header, request::Parts};
use chrono::Utc;

use crate::error::AppError;
use crate::state::AppState;

pub const OPERATOR_COOKIE: &str = "op_sid";

/// The console's pages (the API is in [`api::router`]).
pub fn router() -> Router<AppState> {
    pages::router()
}

fn is_api(parts: &Parts) -> bool {
    parts.uri.path().starts_with("/api/")
}

/// The `Set-Cookie` value for an operator session (or for clearing it when `token` is empty).
pub fn operator_cookie(state: &AppState, token: &str) -> HeaderValue {
    let max_age = access::operator::ABSOLUTE.num_seconds();
    crate::accounts::session::token_cookie(state, OPERATOR_COOKIE, token, "/operator", "Strict", max_age)
}

/// The operator session a request presents (bearer token under `/api`, else the cookie), if live.
async fn load(parts: &mut Parts, state: &AppState) -> Result<Option<SignedInOperator>, AppError> {
    if let Some(found) = parts.extensions.get::<Option<SignedInOperator>>() {
        return Ok(found.clone());
    }
    let (token, kind) = if is_api(parts) {
        let bearer = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
        (bearer.map(|t| t.trim().to_owned()), access::operator::API)
    } else {
        (crate::accounts::session::cookie_token(parts, OPERATOR_COOKIE), access::operator::WEB)
    };
    let found = match token {
        Some(token) => {
            let ip = crate::server::request_client_ip(parts);
            access::operator::authenticate(&state.db, &token, kind, &ip, Utc::now()).await?
        }
        None => None,
    };
    parts.extensions.insert(found.clone());
    Ok(found)
}

/// The operator session of the request, if any.
pub struct MaybeOperator(pub Option<SignedInOperator>);

impl FromRequestParts<AppState> for MaybeOperator {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        Ok(Self(load(parts, state).await?))
    }
}

/// A signed-in operator granted platform permission `P`: 401 (API) or the operator login (pages)
/// without a session, 403 without the permission.
pub struct Operating<P: PlatformPermission> {
    pub granted: PlatformGranted<P>,
    pub who: SignedInOperator,
    _p: PhantomData<P>,
}

impl<P: PlatformPermission> FromRequestParts<AppState> for Operating<P> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let who = match load(parts, state).await? {
            Some(who) => who,
            None if is_api(parts) => return Err(AppError::Unauthorized),
            None => return Err(AppError::OperatorLoginRequired),
        };
        match state.app.authz.grant_platform::<P>(&who).await {
            Ok(granted) => Ok(Self { granted, who, _p: PhantomData }),
            Err(AuthzError::Denied) => Err(AppError::Forbidden),
            Err(e) => Err(AppError::Internal(anyhow::anyhow!("{e}"))),
        }
    }
}

/// A form from a signed-in operator must carry their session's CSRF token.
pub fn check_csrf(who: &SignedInOperator, submitted: &str) -> Result<(), AppError> {
    crate::accounts::csrf::verify_session(&who.session().csrf_token, submitted)
}

/// `active` or `suspended` as a status an operator may set.
pub fn parse_status(raw: &str) -> Option<domain::tenant::TenantStatus> {
    match raw.trim() {
        "active" => Some(domain::tenant::TenantStatus::Active),
        "suspended" => Some(domain::tenant::TenantStatus::Suspended),
        _ => None,
    }
}
