//! The forgotten-password pages: "ลืมรหัสผ่าน" (e-mail) → the same "check your inbox" page for
//! every address → the link's new-password form with its guidance → "ดำเนินการสำเร็จ" and login.

use axum::Router;
use axum::extract::{FromRequestParts, State};
use crate::extract::Query;
use axum::http::{HeaderValue, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use domain::email::Email;
use domain::locale::Lang;
use domain::password_policy::{PasswordPolicy, guidance_keys};
use serde::{Deserialize, Serialize};
use std::convert::Infallible;

use app::citizens::password_reset::{self, LinkError, ResetError};
use super::{Client, HtmlForm, LoginPage, no_store};
use crate::accounts::csrf::{self, CsrfToken};
use crate::accounts::session;
use crate::error::AppError;
use crate::form_errors::ErrorLink;
use crate::i18n::RequestLang;
use crate::render::{PageCtx, Views};
use crate::state::AppState;
use crate::tenancy::Tenant;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/password/forgot", get(forgot_page).post(forgot))
        .route("/password/forgot/sent", get(forgot_sent))
        .route("/password/reset", get(reset_page).post(reset))
        .route("/password/reset/done", get(reset_done))
}

#[derive(Serialize, Default)]
struct ForgotPage {
    csrf: String,
    email: String,
    error: Option<&'static str>,
    summary: Vec<ErrorLink>,
}

impl ForgotPage {
    fn refused(mut self, views: &Views, lang: Lang, key: &'static str) -> Self {
        self.error = Some(key);
        self.summary = vec![ErrorLink::new("email", views.t(lang, key))];
        self
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ForgotForm {
    csrf_token: String,
    email: String,
}

/// The pages of the reset journey: never cached, and never sending a Referer, so the token in a
/// reset link's address cannot travel to the page's stylesheet or logo requests.
fn render(state: &AppState, tenant: &Tenant, lang: Lang, path: &str, template: &str, status: StatusCode, page: &impl Serialize) -> Result<Response, AppError> {
    let mut response = no_store(status, state.views.page(template, &PageCtx::new(lang, path, Some(tenant)), page)?);
    response
        .headers_mut()
        .insert(axum::http::header::REFERRER_POLICY, axum::http::HeaderValue::from_static("no-referrer"));
    Ok(response)
}

async fn forgot_page(State(state): State<AppState>, tenant: Tenant, RequestLang(lang): RequestLang, csrf: CsrfToken) -> Result<Response, AppError> {
    let page = ForgotPage { csrf: csrf.0, ..ForgotPage::default() };
    render(&state, &tenant, lang, "/password/forgot", "forgot_request.html", StatusCode::OK, &page)
}

#[tracing::instrument(skip_all, fields(tenant = %tenant.0.slug))]
async fn forgot(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    csrf: CsrfToken,
    client: Client,
    HtmlForm(form): HtmlForm<ForgotForm>,
) -> Result<Response, AppError> {
    csrf::verify(&csrf, &form.csrf_token)?;
    let page = ForgotPage { csrf: csrf.0, email: form.email.trim().to_owned(), ..ForgotPage::default() };
    let Ok(email) = Email::parse(&form.email) else {
        let page = page.refused(&state.views, lang, "forgot.error_email");
        return render(&state, &tenant, lang, "/password/forgot", "forgot_request.html", StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    match password_reset::request_link(&state.app, &state.limits, &tenant.0, &client.ip, &email).await {
        Ok(()) => Ok(Redirect::to("/password/forgot/sent").into_response()),
        Err(LinkError::TooMany(wait)) => {
            let page = page.refused(&state.views, lang, "forgot.error_locked");
            let mut response =
                render(&state, &tenant, lang, "/password/forgot", "forgot_request.html", StatusCode::TOO_MANY_REQUESTS, &page)?;
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(wait.seconds()));
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Serialize)]
struct SentPage {
    minutes: i64,
}

async fn forgot_sent(State(state): State<AppState>, tenant: Tenant, RequestLang(lang): RequestLang) -> Result<Response, AppError> {
    let page = SentPage { minutes: password_reset::LINK_LIFETIME.num_minutes() };
    render(&state, &tenant, lang, "/password/forgot/sent", "forgot_sent.html", StatusCode::OK, &page)
}

#[derive(Deserialize)]
struct TokenQuery {
    #[serde(default)]
    token: String,
}

#[derive(Serialize, Default)]
struct ResetPage {
    csrf: String,
    token: String,
    guidance: Vec<String>,
    /// The message for the password field, already translated.
    error: Option<String>,
    /// `password` or `password_confirm`: the field the message is about.
    error_field: &'static str,
    summary: Vec<ErrorLink>,
}

impl ResetPage {
    fn new(views: &Views, lang: Lang, csrf: CsrfToken, token: String) -> Self {
        let guidance = guidance_keys().iter().map(|key| policy_text(views, lang, key)).collect();
        Self { csrf: csrf.0, token, guidance, error: None, error_field: "", summary: Vec::new() }
    }
}

/// A catalogue message about the password, with the policy's lengths filled in.
fn policy_text(views: &Views, lang: Lang, key: &str) -> String {
    let policy = PasswordPolicy::default();
    views.t(lang, key).replace("{min}", &policy.min_length.to_string()).replace("{max}", &policy.max_length.to_string())
}

/// Holds the token of an opened reset link, so that it leaves the address bar (and the history)
/// after the first load; only sent back to the reset page itself.
const RESET_COOKIE: &str = "reset_token";

fn reset_cookie(state: &AppState, token: &str) -> HeaderValue {
    session::token_cookie(state, RESET_COOKIE, token, "/password/reset", "Lax", password_reset::LINK_LIFETIME.num_seconds())
}

/// The link from the e-mail (`?token=`) is answered with a redirect to the bare page, the token
/// moved into a cookie; the bare page puts it into the form.
async fn reset_page(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    csrf: CsrfToken,
    Query(q): Query<TokenQuery>,
    ResetCookie(kept): ResetCookie,
) -> Result<Response, AppError> {
    if !q.token.is_empty() {
        let mut response = Redirect::to("/password/reset").into_response();
        let headers = response.headers_mut();
        headers.append(header::SET_COOKIE, reset_cookie(&state, &q.token));
        headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return Ok(response);
    }
    let token = kept.unwrap_or_default();
    if !password_reset::link_is_live(&state.app, &tenant.0, &token).await? {
        return invalid_link(&state, &tenant, lang);
    }
    render(&state, &tenant, lang, "/password/reset", "reset_form.html", StatusCode::OK, &ResetPage::new(&state.views, lang, csrf, token))
}

struct ResetCookie(Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ResetCookie {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(Self(session::cookie_token(parts, RESET_COOKIE)))
    }
}

fn invalid_link(state: &AppState, tenant: &Tenant, lang: Lang) -> Result<Response, AppError> {
    render(state, tenant, lang, "/password/reset", "reset_invalid.html", StatusCode::BAD_REQUEST, &())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ResetForm {
    csrf_token: String,
    token: String,
    password: String,
    password_confirm: String,
}

#[tracing::instrument(skip_all, fields(tenant = %tenant.0.slug))]
async fn reset(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    csrf: CsrfToken,
    HtmlForm(form): HtmlForm<ResetForm>,
) -> Result<Response, AppError> {
    csrf::verify(&csrf, &form.csrf_token)?;
    let (error_field, error) = if form.password != form.password_confirm {
        ("password_confirm", state.views.t(lang, "field_error.password_mismatch"))
    } else {
        match password_reset::reset_password(&state.app, &state.limits, &tenant.0, &form.token, &form.password).await {
            Ok(device) => {
                let mut response = Redirect::to("/password/reset/done").into_response();
                let headers = response.headers_mut();
                headers.append(header::SET_COOKIE, session::device_cookie(&state, &device));
                headers.append(header::SET_COOKIE, reset_cookie(&state, ""));
                return Ok(response);
            }
            Err(ResetError::TokenInvalid) => return invalid_link(&state, &tenant, lang),
            Err(ResetError::Password(problem)) => ("password", policy_text(&state.views, lang, &format!("field_error.{}", problem.code()))),
            Err(e) => return Err(e.into()),
        }
    };
    let summary = vec![ErrorLink::new(error_field, error.clone())];
    let page = ResetPage { error: Some(error), error_field, summary, ..ResetPage::new(&state.views, lang, csrf, form.token) };
    render(&state, &tenant, lang, "/password/reset", "reset_form.html", StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// "ดำเนินการสำเร็จ", on the login screen itself, as the seed describes.
async fn reset_done(State(state): State<AppState>, tenant: Tenant, RequestLang(lang): RequestLang, csrf: CsrfToken) -> Result<Response, AppError> {
    LoginPage::new(&csrf).with_notice("reset.done").render(&state, &tenant, lang, StatusCode::OK)
}
