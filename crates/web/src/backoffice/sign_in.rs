//! Staff sign-in pages: e-mail and password, then the TOTP or a recovery code (or, the first
//! time, enrolling an authenticator app by QR code and keeping ten recovery codes), signing out,
//! and setting a password from an invitation link.

use access::staff::{SignedInStaff, Stage};
use app::staff::manage::{self, InviteError};
use app::staff::sign_in::{self, Client as StaffClient, SignInError};
use axum::Router;
use axum::extract::State;
use crate::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};

use super::view::render;
use super::{MaybeStaff, check_csrf, staff_cookie};
use crate::accounts::csrf::{self, CsrfToken};
use crate::accounts::login::{Client, HtmlForm};
use crate::error::AppError;
use crate::i18n::RequestLang;
use crate::state::AppState;
use crate::tenancy::Tenant;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/login", get(login_page).post(login))
        .route("/staff/login/code", post(code))
        .route("/staff/enrol", get(enrol_page).post(enrol))
        .route("/staff/logout", post(logout))
        .route("/staff/invite/{token}", get(invite_page).post(accept_invite))
}

#[derive(Serialize, Default)]
struct LoginPage {
    csrf: String,
    /// `password` or `code`: which form to show.
    step: &'static str,
    email: String,
    error: Option<&'static str>,
    notice: Option<&'static str>,
}

fn with_session(state: &AppState, started: &access::staff::Started, to: &str) -> Response {
    let mut response = Redirect::to(to).into_response();
    let max_age = (started.expires_at - chrono::Utc::now()).num_seconds();
    response.headers_mut().append(header::SET_COOKIE, staff_cookie(state, &started.token, max_age));
    response
}

fn next_page(stage: Stage) -> &'static str {
    match stage {
        Stage::Full => "/staff",
        Stage::Totp => "/staff/login",
        Stage::Enrol => "/staff/enrol",
    }
}

async fn login_page(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    csrf: CsrfToken,
    MaybeStaff(who): MaybeStaff,
) -> Result<Response, AppError> {
    let page = match &who {
        Some(w) if w.stage() == Stage::Totp => {
            LoginPage { csrf: w.session().csrf_token.clone(), step: "code", email: w.staff().email.clone(), ..LoginPage::default() }
        }
        Some(w) => return Ok(Redirect::to(next_page(w.stage())).into_response()),
        None => LoginPage { csrf: csrf.0, step: "password", ..LoginPage::default() },
    };
    render(&state, &tenant, lang, "/staff/login", "staff/login.html", StatusCode::OK, &page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LoginForm {
    csrf_token: String,
    email: String,
    password: String,
}

fn client<'a>(c: &'a Client, kind: &'a str) -> StaffClient<'a> {
    StaffClient { ip: &c.ip, user_agent: &c.user_agent, kind }
}

async fn login(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    csrf: CsrfToken,
    c: Client,
    HtmlForm(form): HtmlForm<LoginForm>,
) -> Result<Response, AppError> {
    csrf::verify(&csrf, &form.csrf_token)?;
    let mut page = LoginPage { csrf: csrf.0.clone(), step: "password", email: form.email.trim().to_owned(), ..LoginPage::default() };
    if page.email.is_empty() || form.password.is_empty() {
        page.error = Some("backoffice.login.error_missing");
        return render(&state, &tenant, lang, "/staff/login", "staff/login.html", StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let result =
        sign_in::with_password(&state.app, &state.staff_limits, &tenant.0, &page.email, &form.password, &client(&c, access::staff::WEB)).await;
    match result {
        Ok((stage, started)) => Ok(with_session(&state, &started, next_page(stage))),
        Err(e) => failed(&state, &tenant, lang, page, e),
    }
}

fn failed(state: &AppState, tenant: &Tenant, lang: domain::locale::Lang, mut page: LoginPage, e: SignInError) -> Result<Response, AppError> {
    let (status, key) = match e {
        SignInError::BadCredentials => (StatusCode::UNAUTHORIZED, "backoffice.login.error_invalid"),
        SignInError::WrongCode => (StatusCode::UNAUTHORIZED, "backoffice.login.error_code"),
        SignInError::ReusedCode => (StatusCode::UNAUTHORIZED, "backoffice.login.error_reused"),
        SignInError::EnrolmentRequired => (StatusCode::UNAUTHORIZED, "backoffice.login.error_enrol"),
        SignInError::TooMany(wait) => {
            page.error = Some("backoffice.login.error_locked");
            let mut response = render(state, tenant, lang, "/staff/login", "staff/login.html", StatusCode::TOO_MANY_REQUESTS, &page)?;
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(wait.seconds()));
            return Ok(response);
        }
        SignInError::Db(e) => return Err(e.into()),
        SignInError::Other(e) => return Err(AppError::Internal(e)),
    };
    page.error = Some(key);
    render(state, tenant, lang, "/staff/login", "staff/login.html", status, &page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CodeForm {
    csrf_token: String,
    code: String,
}

fn at_stage(who: Option<SignedInStaff>, stage: Stage) -> Result<SignedInStaff, Response> {
    match who {
        Some(w) if w.stage() == stage => Ok(w),
        Some(w) => Err(Redirect::to(next_page(w.stage())).into_response()),
        None => Err(Redirect::to("/staff/login").into_response()),
    }
}

async fn code(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    c: Client,
    MaybeStaff(who): MaybeStaff,
    HtmlForm(form): HtmlForm<CodeForm>,
) -> Result<Response, AppError> {
    let who = match at_stage(who, Stage::Totp) {
        Ok(w) => w,
        Err(r) => return Ok(r),
    };
    check_csrf(&who, &form.csrf_token)?;
    let page = LoginPage { csrf: who.session().csrf_token.clone(), step: "code", email: who.staff().email.clone(), ..LoginPage::default() };
    match sign_in::second_factor(&state.app, &state.staff_limits, &tenant.0, &who, &form.code, &client(&c, access::staff::WEB)).await {
        Ok(started) => Ok(with_session(&state, &started, "/staff")),
        Err(e) => failed(&state, &tenant, lang, page, e),
    }
}

#[derive(Serialize)]
struct EnrolPage {
    csrf: String,
    secret: String,
    /// The otpauth:// link as a QR code, an SVG `data:` URL.
    qr_data_url: String,
    otpauth_url: String,
    error: Option<&'static str>,
}

async fn enrol_form(state: &AppState, tenant: &Tenant, who: &SignedInStaff, error: Option<&'static str>) -> Result<EnrolPage, AppError> {
    let secret = sign_in::begin_enrolment(&state.app, who).await.map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    let issuer = format!("eservice {}", tenant.0.slug);
    let url = access::totp::otpauth_url(&secret, &issuer, &who.staff().email).unwrap_or_default();
    Ok(EnrolPage { csrf: who.session().csrf_token.clone(), qr_data_url: svg_data_url(&crate::requests::verify::qr_svg(&url)?), otpauth_url: url, secret, error })
}

async fn enrol_page(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    MaybeStaff(who): MaybeStaff,
) -> Result<Response, AppError> {
    let who = match at_stage(who, Stage::Enrol) {
        Ok(w) => w,
        Err(r) => return Ok(r),
    };
    let page = enrol_form(&state, &tenant, &who, None).await?;
    render(&state, &tenant, lang, "/staff/enrol", "staff/enrol.html", StatusCode::OK, &page)
}

#[derive(Serialize)]
struct CodesPage {
    codes: Vec<String>,
}

async fn enrol(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    c: Client,
    MaybeStaff(who): MaybeStaff,
    HtmlForm(form): HtmlForm<CodeForm>,
) -> Result<Response, AppError> {
    let who = match at_stage(who, Stage::Enrol) {
        Ok(w) => w,
        Err(r) => return Ok(r),
    };
    check_csrf(&who, &form.csrf_token)?;
    let code: String = form.code.chars().filter(char::is_ascii_digit).collect();
    match sign_in::confirm_enrolment(&state.app, &state.staff_limits, &tenant.0, &who, &code, &client(&c, access::staff::WEB)).await {
        Ok((started, codes)) => {
            let mut response =
                render(&state, &tenant, lang, "/staff/enrol", "staff/recovery_codes.html", StatusCode::OK, &CodesPage { codes })?;
            let max_age = (started.expires_at - chrono::Utc::now()).num_seconds();
            response.headers_mut().append(header::SET_COOKIE, staff_cookie(&state, &started.token, max_age));
            Ok(response)
        }
        Err(SignInError::TooMany(wait)) => Err(wait.into()),
        Err(SignInError::Db(e)) => Err(e.into()),
        Err(SignInError::Other(e)) => Err(AppError::Internal(e)),
        Err(_) => {
            let page = enrol_form(&state, &tenant, &who, Some("backoffice.login.error_code")).await?;
            render(&state, &tenant, lang, "/staff/enrol", "staff/enrol.html", StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LogoutForm {
    csrf_token: String,
}

async fn logout(State(state): State<AppState>, MaybeStaff(who): MaybeStaff, HtmlForm(form): HtmlForm<LogoutForm>) -> Result<Response, AppError> {
    if let Some(who) = who {
        check_csrf(&who, &form.csrf_token)?;
        sign_in::sign_out(&state.app, &who).await?;
    }
    let mut response = Redirect::to("/staff/login").into_response();
    response.headers_mut().append(header::SET_COOKIE, staff_cookie(&state, "", 0));
    Ok(response)
}

#[derive(Serialize, Default)]
struct InvitePage {
    csrf: String,
    token: String,
    name: String,
    email: String,
    error: Option<String>,
    invalid: bool,
}

async fn invite_page(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    csrf: CsrfToken,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let page = match manage::invitation(&state.app, &tenant.0, &token).await? {
        Some(member) => InvitePage { csrf: csrf.0, token, name: member.name, email: member.email, ..InvitePage::default() },
        None => InvitePage { invalid: true, ..InvitePage::default() },
    };
    let status = if page.invalid { StatusCode::NOT_FOUND } else { StatusCode::OK };
    render(&state, &tenant, lang, "/staff/invite", "staff/invite.html", status, &page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct InviteForm {
    csrf_token: String,
    password: String,
    password_confirm: String,
}

async fn accept_invite(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    csrf: CsrfToken,
    Path(token): Path<String>,
    HtmlForm(form): HtmlForm<InviteForm>,
) -> Result<Response, AppError> {
    csrf::verify(&csrf, &form.csrf_token)?;
    let Some(member) = manage::invitation(&state.app, &tenant.0, &token).await? else {
        let page = InvitePage { invalid: true, ..InvitePage::default() };
        return render(&state, &tenant, lang, "/staff/invite", "staff/invite.html", StatusCode::NOT_FOUND, &page);
    };
    let mut page = InvitePage { csrf: csrf.0.clone(), token: token.clone(), name: member.name, email: member.email, ..InvitePage::default() };
    if form.password != form.password_confirm {
        page.error = Some(state.views.t(lang, "field_error.password_mismatch"));
        return render(&state, &tenant, lang, "/staff/invite", "staff/invite.html", StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    match manage::accept_invite(&state.app, &tenant.0, &token, &form.password).await {
        Ok(_) => {
            let done = LoginPage { csrf: csrf.0, step: "password", email: page.email, notice: Some("backoffice.login.password_set"), ..LoginPage::default() };
            render(&state, &tenant, lang, "/staff/login", "staff/login.html", StatusCode::OK, &done)
        }
        Err(InviteError::Invalid) => {
            let page = InvitePage { invalid: true, ..InvitePage::default() };
            render(&state, &tenant, lang, "/staff/invite", "staff/invite.html", StatusCode::NOT_FOUND, &page)
        }
        Err(InviteError::Password(problem)) => {
            page.error = Some(state.views.t(lang, &format!("field_error.{}", problem.code())));
            render(&state, &tenant, lang, "/staff/invite", "staff/invite.html", StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(InviteError::Db(e)) => Err(e.into()),
        Err(InviteError::Other(e)) => Err(AppError::Internal(e)),
    }
}

fn svg_data_url(svg: &str) -> String {
    use base64::Engine as _;
    format!("data:image/svg+xml;base64,{}", base64::engine::general_purpose::STANDARD.encode(svg))
}
