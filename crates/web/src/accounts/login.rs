//! Signing in and out, the forgotten-password journey and the account e-mails it sends. The use
//! cases (`app::citizens::{sign_in, password_reset}`) are shared by these pages and the JSON API.

pub mod mail;
mod mailbox;
mod reset_pages;

use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use crate::extract::Query;
use axum::http::{HeaderValue, StatusCode, header, request::Parts};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use std::convert::Infallible;

use crate::accounts::csrf::{self, CSRF_COOKIE, CsrfToken};
use crate::accounts::session::{self, MaybeCitizen, WEB};
use crate::error::AppError;
use crate::form_errors::ErrorLink;
use crate::i18n::RequestLang;
use crate::render::PageCtx;
use crate::state::AppState;
use crate::tenancy::Tenant;
use app::citizens::session::sign_out;
use app::citizens::sign_in::{self, Credentials, SignInError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .merge(reset_pages::router())
}

/// `/dev/mailbox`: what the file transport wrote (mounted only when `config.dev_mailbox`).
pub fn dev_mailbox_router() -> Router<AppState> {
    mailbox::router()
}

/// Where a request comes from: the client address (the socket's, or what a trusted proxy forwarded;
/// see `server::client_addr`) and the user agent.
#[derive(Clone, Debug)]
pub struct Client {
    pub ip: String,
    pub user_agent: String,
}

impl Client {
    /// As the use cases take it, opening sessions of `kind`.
    pub fn with_kind<'a>(&'a self, kind: &'a str) -> app::Client<'a> {
        app::Client { ip: &self.ip, user_agent: &self.user_agent, kind }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        let ip = crate::server::request_client_ip(parts);
        let user_agent = parts.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        Ok(Self { ip, user_agent })
    }
}

/// A URL-encoded form; a body that is not one is a 400 page rather than axum's plain text.
pub struct HtmlForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for HtmlForm<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        axum::Form::<T>::from_request(req, state).await.map(|axum::Form(v)| Self(v)).map_err(|_| AppError::BadRequest)
    }
}

/// `next` if it is a path on this site, so a login link can never send anyone elsewhere.
pub fn local_path(next: Option<&str>) -> Option<&str> {
    next.filter(|n| {
        n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') && !n.chars().any(char::is_control)
    })
}

/// Pages that carry secrets (forms, reset tokens) are never stored by browsers or proxies.
pub(crate) fn no_store(status: StatusCode, html: Html<String>) -> Response {
    (status, [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))], html).into_response()
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LoginForm {
    csrf_token: String,
    username: String,
    password: String,
    next: String,
}

/// What `login.html` shows.
#[derive(Serialize, Default)]
pub(crate) struct LoginPage {
    csrf: String,
    username: String,
    next: Option<String>,
    /// A catalogue key: why the last attempt failed.
    error: Option<&'static str>,
    /// A catalogue key for a success notice above the form (after a password reset).
    notice: Option<&'static str>,
    signed_in_as: Option<String>,
}

/// `LoginPage` with what the template derives from it: the field at fault and the summary.
#[derive(Serialize)]
struct LoginShown<'a> {
    #[serde(flatten)]
    page: &'a LoginPage,
    error_field: &'static str,
    summary: Vec<ErrorLink>,
    lead: &'static str,
}

impl LoginPage {
    pub(crate) fn new(csrf: &CsrfToken) -> Self {
        Self { csrf: csrf.0.clone(), ..Self::default() }
    }

    pub(crate) fn with_notice(mut self, key: &'static str) -> Self {
        self.notice = Some(key);
        self
    }

    pub(crate) fn render(&self, state: &AppState, tenant: &Tenant, lang: domain::locale::Lang, status: StatusCode) -> Result<Response, AppError> {
        let path = match &self.next {
            Some(next) => format!("/login?next={next}"),
            None => "/login".to_owned(),
        };
        let error_field = match self.error {
            Some("login.error_password" | "login.error_locked") => "password",
            Some(_) => "username",
            None => "",
        };
        let shown = LoginShown {
            page: self,
            error_field,
            summary: self.error.iter().map(|key| ErrorLink::new(error_field, state.views.t(lang, key))).collect(),
            // After a reset the password is the new one, not the one chosen at registration.
            lead: if self.notice.is_some() { "login.lead_after_reset" } else { "login.lead" },
        };
        let html = state.views.page("login.html", &PageCtx::new(lang, &path, Some(tenant)), &shown)?;
        Ok(no_store(status, html))
    }
}

#[tracing::instrument(skip_all, fields(tenant = %tenant.0.slug))]
async fn login_page(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    csrf: CsrfToken,
    MaybeCitizen(current): MaybeCitizen,
    Query(q): Query<NextQuery>,
) -> Result<Response, AppError> {
    let page = LoginPage {
        next: local_path(q.next.as_deref()).map(str::to_owned),
        signed_in_as: current.map(|c| format!("{} {}", c.citizen.first_name, c.citizen.last_name)),
        ..LoginPage::new(&csrf)
    };
    page.render(&state, &tenant, lang, StatusCode::OK)
}

#[tracing::instrument(skip_all, fields(tenant = %tenant.0.slug))]
async fn login(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    csrf: CsrfToken,
    client: Client,
    SessionCookie(replaced): SessionCookie,
    DeviceCookie(device): DeviceCookie,
    HtmlForm(form): HtmlForm<LoginForm>,
) -> Result<Response, AppError> {
    csrf::verify(&csrf, &form.csrf_token)?;
    let mut page = LoginPage {
        username: form.username.trim().to_owned(),
        next: local_path(Some(&form.next)).map(str::to_owned),
        ..LoginPage::new(&csrf)
    };
    let credentials = match Credentials::parse(&form.username, &form.password) {
        Ok(credentials) => credentials,
        Err(issues) => {
            page.error = Some(if issues.iter().any(|i| i.field == "username") { "login.error_username" } else { "login.error_password" });
            return page.render(&state, &tenant, lang, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let signed_in =
        sign_in::sign_in(&state.app, &state.limits, &tenant.0, &client.with_kind(WEB), &credentials, replaced.as_deref(), device.as_deref())
            .await;
    match signed_in {
        Ok(signed_in) => {
            let target = match signed_in.citizen.identity_status.as_str() {
                store::citizens::identity_status::PHOTOS_REQUIRED => "/register/identity".to_owned(),
                _ => page.next.unwrap_or_else(|| "/welcome".to_owned()),
            };
            let mut response = Redirect::to(&target).into_response();
            let cookies = response.headers_mut();
            cookies.append(header::SET_COOKIE, session::cookie(&state, &signed_in.session.token));
            // A new CSRF token with the new session, so one planted before login is useless after it.
            if let Ok(value) = HeaderValue::from_str(&csrf_cookie(&state, &signed_in.session.csrf)) {
                cookies.append(header::SET_COOKIE, value);
            }
            if let Some(device) = &signed_in.new_device {
                cookies.append(header::SET_COOKIE, session::device_cookie(&state, device));
            }
            Ok(response)
        }
        Err(SignInError::InvalidCredentials) => {
            page.error = Some("login.error_invalid");
            page.render(&state, &tenant, lang, StatusCode::UNAUTHORIZED)
        }
        Err(SignInError::Locked(wait)) => {
            page.error = Some("login.error_locked");
            let mut response = page.render(&state, &tenant, lang, StatusCode::TOO_MANY_REQUESTS)?;
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(wait.seconds()));
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LogoutForm {
    csrf_token: String,
}

#[tracing::instrument(skip_all, fields(tenant = %tenant.0.slug))]
async fn logout(
    State(state): State<AppState>,
    tenant: Tenant,
    csrf: CsrfToken,
    SessionCookie(presented): SessionCookie,
    HtmlForm(form): HtmlForm<LogoutForm>,
) -> Result<Response, AppError> {
    csrf::verify(&csrf, &form.csrf_token)?;
    if let Some(token) = presented {
        sign_out(&state.app, tenant.scope(), &token).await?;
    }
    let mut response = Redirect::to("/").into_response();
    response.headers_mut().append(header::SET_COOKIE, session::cookie(&state, ""));
    Ok(response)
}

/// The session cookie sent with this request, if any, live or not.
struct SessionCookie(Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for SessionCookie {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(Self(session::cookie_token(parts, session::SESSION_COOKIE)))
    }
}

/// The device cookie sent with this request, if any (known to an account or not).
pub(crate) struct DeviceCookie(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for DeviceCookie {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(Self(session::cookie_token(parts, session::DEVICE_COOKIE)))
    }
}

fn csrf_cookie(state: &AppState, token: &str) -> String {
    let secure = if state.config.https { "; Secure" } else { "" };
    format!("{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{secure}")
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local_path(Some("/requests?page=2")), Some("/requests?page=2"));
        for bad in ["https://evil.example/", "//evil.example", "/\\evil.example", "evil", "", "/a\nb"] {
            assert_eq!(local_path(Some(bad)), None, "{bad:?}");
        }
        assert_eq!(local_path(None), None);
    }
}
