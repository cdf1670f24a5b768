//! The municipality's back office at `/staff` (pages) and `/api/v1/backoffice` (JSON): staff
//! sign-in with TOTP, the identity and request queues, processing, documents, the audit trail.
//! Handlers parse, ask for the capability the use case needs (`Can<P>`), call it, and render.

pub mod api;
pub mod demo;
pub mod letters;
mod pages;
mod sign_in;
mod team;
pub mod view;

use std::marker::PhantomData;

use access::authz::{AuthzError, Granted, Permission};
use access::staff::{SignedInStaff, Stage};
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::{HeaderValue, header, request::Parts};
use chrono::Utc;


use crate::error::AppError;
use crate::state::AppState;
use crate::tenancy::Tenant;

/// The staff session cookie: its own name and path, so a citizen's `sid` never opens it.
pub const STAFF_COOKIE: &str = "staff_sid";

/// Every back-office page route that needs a signed-in staff member, as `(method, path)`, for the
/// route × role test (the API's are those of the OpenAPI document). Sign-in and invitation pages are open.
pub const PAGES: &[(&str, &str)] = &[
    ("GET", "/staff"),
    ("GET", "/staff/identities"),
    ("GET", "/staff/identities/{citizen}"),
    ("GET", "/staff/identities/{citizen}/photos/{photo}"),
    ("POST", "/staff/identities/{citizen}/decision"),
    ("GET", "/staff/requests"),
    ("GET", "/staff/requests.csv"),
    ("POST", "/staff/requests/bulk"),
    ("GET", "/staff/requests/{id}"),
    ("GET", "/staff/requests/{id}/files/{file}"),
    ("POST", "/staff/requests/{id}/status"),
    ("POST", "/staff/requests/{id}/assign"),
    ("POST", "/staff/requests/{id}/notes"),
    ("POST", "/staff/requests/{id}/documents"),
    ("POST", "/staff/documents/{document}/revoke"),
    ("GET", "/staff/audit"),
    ("GET", "/staff/team"),
    ("POST", "/staff/team/invite"),
    ("POST", "/staff/team/{member}/role"),
    ("POST", "/staff/team/{member}/categories"),
    ("POST", "/staff/team/{member}/reset-totp"),
    ("POST", "/staff/team/{member}/deactivate"),
];

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(sign_in::router())
        .merge(pages::router())
        .merge(team::router())
        .merge(crate::admin::pages::router())
        .merge(crate::admin::builder::router())
}

fn is_api(parts: &Parts) -> bool {
    parts.uri.path().starts_with("/api/")
}


/// The `Set-Cookie` value for a staff session (or for clearing it when `token` is empty).
pub fn staff_cookie(state: &AppState, token: &str, max_age: i64) -> HeaderValue {
    crate::accounts::session::token_cookie(state, STAFF_COOKIE, token, "/staff", "Strict", max_age)
}

/// The staff session a request presents (bearer token under `/api`, else the cookie), if live.
async fn load(parts: &mut Parts, state: &AppState) -> Result<Option<SignedInStaff>, AppError> {
    if let Some(found) = parts.extensions.get::<Option<SignedInStaff>>() {
        return Ok(found.clone());
    }
    let Some(tenant) = parts.extensions.get::<Tenant>().cloned() else {
        return Ok(None);
    };
    let (token, kind) = if is_api(parts) {
        let bearer = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
        (bearer.map(|t| t.trim().to_owned()), access::staff::API)
    } else {
        (crate::accounts::session::cookie_token(parts, STAFF_COOKIE), access::staff::WEB)
    };
    let found = match token {
        Some(token) => access::staff::authenticate(&state.db, tenant.scope(), &token, kind, &crate::server::request_client_ip(parts), Utc::now()).await?,
        None => None,
    };
    parts.extensions.insert(found.clone());
    Ok(found)
}

/// The staff session of the request at whatever stage of signing in it is.
#[derive(Clone, Debug)]
pub struct MaybeStaff(pub Option<SignedInStaff>);

impl FromRequestParts<AppState> for MaybeStaff {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        Ok(Self(load(parts, state).await?))
    }
}

/// A fully signed-in staff member granted permission `P` in this tenant: 401 (API) or the staff
/// login (pages) without a session, 403 without the permission.
pub struct Can<P: Permission> {
    pub granted: Granted<P>,
    pub who: SignedInStaff,
    _p: PhantomData<P>,
}

impl<P: Permission> FromRequestParts<AppState> for Can<P> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let who = match load(parts, state).await? {
            Some(who) if who.stage() == Stage::Full => who,
            _ if is_api(parts) => return Err(AppError::Unauthorized),
            _ => return Err(AppError::StaffLoginRequired),
        };
        match state.app.authz.grant::<P>(&who).await {
            Ok(granted) => Ok(Self { granted, who, _p: PhantomData }),
            Err(AuthzError::Denied) => Err(AppError::Forbidden),
            Err(e) => Err(AppError::Internal(anyhow::anyhow!("{e}"))),
        }
    }
}

/// Whom a request is assigned to, as forms and the API name it: `me`, nobody (empty or
/// `nobody`), or a staff id. None when it is none of these.
pub fn assignee(raw: &str, me: uuid::Uuid) -> Option<Option<uuid::Uuid>> {
    match raw.trim() {
        "me" => Some(Some(me)),
        "" | "nobody" => Some(None),
        other => uuid::Uuid::parse_str(other).ok().map(Some),
    }
}

/// A form from a signed-in staff member must carry their session's CSRF token.
pub fn check_csrf(who: &SignedInStaff, submitted: &str) -> Result<(), AppError> {
    crate::accounts::csrf::verify_session(&who.session().csrf_token, submitted)
}
