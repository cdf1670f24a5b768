//! Sessions in the database: a random id in an HttpOnly cookie (web) or a bearer token (API),
//! stored only as its SHA-256, with idle and absolute expiry. `CurrentCitizen` requires one.

use axum::extract::FromRequestParts;
use axum::http::{HeaderValue, header, request::Parts};
use chrono::{Duration, Utc};
use store::Scope;
use store::citizens::Citizen;
use store::sessions::Session;

use crate::error::AppError;
use crate::state::AppState;
use crate::tenancy::Tenant;

pub const SESSION_COOKIE: &str = "sid";
pub use app::citizens::session::{API, Lifetimes, Started, WEB, lifetimes};

/// A `Set-Cookie` value for an `HttpOnly` token cookie, `Secure` on HTTPS; an empty `token` clears
/// it. Tokens are base64url, so the value is always a valid header.
pub fn token_cookie(state: &AppState, name: &str, token: &str, path: &str, same_site: &str, max_age: i64) -> HeaderValue {
    let secure = if state.config.https { "; Secure" } else { "" };
    let max_age = if token.is_empty() { 0 } else { max_age.max(0) };
    let value = format!("{name}={token}; Path={path}; HttpOnly; SameSite={same_site}; Max-Age={max_age}{secure}");
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// The `Set-Cookie` value for a web session (or for clearing it when `token` is empty).
pub fn cookie(state: &AppState, token: &str) -> HeaderValue {
    token_cookie(state, SESSION_COOKIE, token, "/", "Lax", lifetimes(WEB).absolute.num_seconds())
}

/// The cookie that marks a browser the citizen signed in from before (see `sign_in::Throttle`).
pub const DEVICE_COOKIE: &str = "device";
const DEVICE_COOKIE_DAYS: i64 = 365;

pub fn device_cookie(state: &AppState, token: &str) -> HeaderValue {
    token_cookie(state, DEVICE_COOKIE, token, "/", "Lax", chrono::Duration::days(DEVICE_COOKIE_DAYS).num_seconds())
}

/// The non-empty value of the cookie `name`, as an owned token.
pub fn cookie_token(parts: &Parts, name: &str) -> Option<String> {
    cookie_value(parts, name).filter(|t| !t.is_empty()).map(str::to_owned)
}

pub fn cookie_value<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}

/// The session token of the request and its kind: a bearer token, else the session cookie.
pub fn presented_token(parts: &Parts) -> Option<(&str, &'static str)> {
    if let Some(auth) = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        return auth.strip_prefix("Bearer ").map(|t| (t.trim(), API));
    }
    cookie_value(parts, SESSION_COOKIE).filter(|t| !t.is_empty()).map(|t| (t, WEB))
}

/// The signed-in citizen of this tenant.
#[derive(Clone, Debug)]
pub struct CurrentCitizen {
    pub citizen: Citizen,
    pub session: Session,
}

impl CurrentCitizen {
    pub fn scope(&self) -> Scope {
        self.citizen.scope()
    }
}

async fn load(parts: &mut Parts, state: &AppState) -> Result<Option<CurrentCitizen>, AppError> {
    if let Some(found) = parts.extensions.get::<Option<CurrentCitizen>>() {
        return Ok(found.clone());
    }
    let Some(tenant) = parts.extensions.get::<Tenant>().cloned() else {
        return Ok(None);
    };
    let found = match presented_token(parts) {
        None => None,
        Some((token, kind)) => {
            let scope = tenant.scope();
            let id_hash = access::token::hash_token(token);
            let now = Utc::now();
            match store::sessions::lookup(&state.db, scope, &id_hash, kind, now).await? {
                None => None,
                Some((session, citizen)) => {
                    if now - session.last_seen_at > Duration::minutes(1) {
                        let idle = (now + lifetimes(kind).idle).min(session.expires_at);
                        store::sessions::touch(&state.db, scope, &id_hash, now, idle).await?;
                    }
                    Some(CurrentCitizen { citizen, session })
                }
            }
        }
    };
    parts.extensions.insert(found.clone());
    Ok(found)
}

/// Pages a citizen may open before accepting new terms of service: the terms themselves, and
/// signing out.
const BEFORE_NEW_TERMS: &[&str] = &["/terms/accept", "/logout"];

/// Rejects with 401 (API) or a redirect to the login page (HTML) when nobody is signed in. A
/// signed-in citizen whose tenant published new terms since they last accepted is sent to accept
/// them first (pages; the API reports it in `/api/v1/me` and takes the acceptance there).
impl FromRequestParts<AppState> for CurrentCitizen {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let path = parts.uri.path().to_owned();
        match load(parts, state).await? {
            Some(current) if !path.starts_with("/api/") && !BEFORE_NEW_TERMS.contains(&path.as_str()) => {
                let current_terms = parts.extensions.get::<Tenant>().map(|t| t.0.settings.terms_version.clone());
                match current_terms {
                    Some(version) if version != current.citizen.terms_version => {
                        let next = match parts.uri.query() {
                            Some(q) => format!("{path}?{q}"),
                            None => path.clone(),
                        };
                        Err(AppError::TermsRequired { next })
                    }
                    _ => Ok(current),
                }
            }
            Some(current) => Ok(current),
            None if parts.uri.path().starts_with("/api/") => Err(AppError::Unauthorized),
            None => Err(AppError::LoginRequired { next: parts.uri.path().to_owned() }),
        }
    }
}

/// The signed-in citizen, if any.
#[derive(Clone, Debug)]
pub struct MaybeCitizen(pub Option<CurrentCitizen>);

impl FromRequestParts<AppState> for MaybeCitizen {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        Ok(Self(load(parts, state).await?))
    }
}
