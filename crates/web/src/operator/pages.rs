//! The console's pages: sign-in, the municipalities (searchable, paginated, with usage), one
//! municipality with its host names and the suspend/resume form, and sign-out.

use access::authz::ManageTenants;
use app::operator::{self as use_case, SignInError, StatusError};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::locale::Lang;
use domain::tenant::TenantStatus;
use serde::{Deserialize, Serialize};

use super::{MaybeOperator, Operating, check_csrf, operator_cookie, parse_status};
use crate::accounts::csrf::{self, CsrfToken};
use crate::accounts::login::{Client, HtmlForm};
use crate::error::AppError;
use crate::extract::{Path, Query};
use crate::i18n::RequestLang;
use crate::render::PageCtx;
use crate::requests::view::{Pager, when};
use crate::state::AppState;

const PER_PAGE: u64 = 50;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/operator/login", get(login_page).post(login))
        .route("/operator/logout", post(logout))
        .route("/operator", get(tenants))
        .route("/operator/tenants/{slug}", get(tenant))
        .route("/operator/tenants/{slug}/status", post(set_status))
}

fn render(state: &AppState, lang: Lang, path: &str, template: &str, status: StatusCode, page: &impl Serialize) -> Result<Response, AppError> {
    let html = state.views.page(template, &PageCtx::new(lang, path, None), page)?;
    let mut response = (status, html).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

#[derive(Serialize, Default)]
struct LoginPage {
    csrf: String,
    email: String,
    error: Option<&'static str>,
}

async fn login_page(State(state): State<AppState>, RequestLang(lang): RequestLang, csrf: CsrfToken, MaybeOperator(who): MaybeOperator) -> Result<Response, AppError> {
    if who.is_some() {
        return Ok(Redirect::to("/operator").into_response());
    }
    render(&state, lang, "/operator/login", "operator/login.html", StatusCode::OK, &LoginPage { csrf: csrf.0, ..LoginPage::default() })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LoginForm {
    csrf_token: String,
    email: String,
    password: String,
    code: String,
}

async fn login(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    csrf: CsrfToken,
    client: Client,
    HtmlForm(form): HtmlForm<LoginForm>,
) -> Result<Response, AppError> {
    csrf::verify(&csrf, &form.csrf_token)?;
    let mut page = LoginPage { csrf: csrf.0.clone(), email: form.email.trim().to_owned(), error: None };
    if page.email.is_empty() || form.password.is_empty() || form.code.trim().is_empty() {
        page.error = Some("operator.login.error_missing");
        return render(&state, lang, "/operator/login", "operator/login.html", StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let signed_in =
        use_case::sign_in(&state.app, &state.staff_limits, &page.email, &form.password, &form.code, &client.with_kind(access::operator::WEB)).await;
    let (status, key) = match signed_in {
        Ok(started) => {
            let mut response = Redirect::to("/operator").into_response();
            response.headers_mut().append(header::SET_COOKIE, operator_cookie(&state, &started.token));
            return Ok(response);
        }
        Err(SignInError::BadCredentials) => (StatusCode::UNAUTHORIZED, "operator.login.error_invalid"),
        Err(SignInError::ReusedCode) => (StatusCode::UNAUTHORIZED, "operator.login.error_reused"),
        Err(SignInError::TooMany(wait)) => {
            page.error = Some("operator.login.error_locked");
            let mut response = render(&state, lang, "/operator/login", "operator/login.html", StatusCode::TOO_MANY_REQUESTS, &page)?;
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(wait.seconds()));
            return Ok(response);
        }
        Err(SignInError::Db(e)) => return Err(e.into()),
        Err(SignInError::Other(e)) => return Err(AppError::Internal(e)),
    };
    page.error = Some(key);
    render(&state, lang, "/operator/login", "operator/login.html", status, &page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CsrfForm {
    csrf_token: String,
}

async fn logout(State(state): State<AppState>, MaybeOperator(who): MaybeOperator, HtmlForm(form): HtmlForm<CsrfForm>) -> Result<Response, AppError> {
    if let Some(who) = who {
        check_csrf(&who, &form.csrf_token)?;
        use_case::sign_out(&state.app, &who).await?;
    }
    let mut response = Redirect::to("/operator/login").into_response();
    response.headers_mut().append(header::SET_COOKIE, operator_cookie(&state, ""));
    Ok(response)
}

/// A municipality's row: its names in the page's language first, status and usage.
#[derive(Serialize)]
struct TenantRow {
    slug: String,
    name: String,
    name_other: String,
    active: bool,
    citizens: u64,
    identities_waiting: u64,
    staff: u64,
    requests: u64,
    requests_30_days: u64,
}

impl TenantRow {
    fn new(t: &store::tenants::TenantRecord, usage: &store::tenants::Usage, lang: Lang) -> Self {
        let (name, name_other) = match lang {
            Lang::Th => (&t.name_th, &t.name_en),
            Lang::En => (&t.name_en, &t.name_th),
        };
        Self {
            slug: t.slug.clone(),
            name: name.clone(),
            name_other: name_other.clone(),
            active: t.status == TenantStatus::Active,
            citizens: usage.citizens,
            identities_waiting: usage.identities_waiting,
            staff: usage.staff,
            requests: usage.requests,
            requests_30_days: usage.requests_30_days,
        }
    }
}

#[derive(Serialize)]
struct Me {
    email: String,
    csrf: String,
}

fn me(who: &access::operator::SignedInOperator) -> Me {
    Me { email: who.operator().email.clone(), csrf: who.session().csrf_token.clone() }
}

#[derive(Serialize)]
struct ActionRow {
    when: String,
    who: String,
    action: String,
    subject: String,
}

#[derive(Serialize)]
struct TenantsPage {
    me: Me,
    q: String,
    link_query: String,
    tenants: Vec<TenantRow>,
    pager: Pager,
    actions: Vec<ActionRow>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    q: String,
    page: Option<u64>,
}

async fn tenants(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    can: Operating<ManageTenants>,
    Query(q): Query<ListQuery>,
    uri: Uri,
) -> Result<Response, AppError> {
    let page = q.page.unwrap_or(1).max(1);
    let found = use_case::tenants(&state.app, &can.granted, Some(&q.q), page, PER_PAGE).await?;
    let actions = use_case::recent_actions(&state.app, &can.granted, 10)
        .await?
        .into_iter()
        .map(|a| ActionRow { when: when(a.created_at, lang), who: a.actor_label, action: a.action, subject: a.subject_id })
        .collect();
    let view = TenantsPage {
        me: me(&can.who),
        link_query: format!("q={}", crate::render::encode_path(q.q.trim())),
        q: q.q.trim().to_owned(),
        tenants: found.items.iter().map(|o| TenantRow::new(&o.tenant, &o.usage, lang)).collect(),
        pager: Pager::new(page, found.total, PER_PAGE),
        actions,
    };
    render(&state, lang, uri.path(), "operator/tenants.html", StatusCode::OK, &view)
}

#[derive(Serialize)]
struct TenantPage {
    me: Me,
    tenant: TenantRow,
    domains: Vec<String>,
    host: String,
    done: Option<String>,
    error: Option<&'static str>,
    reason: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DoneQuery {
    done: Option<String>,
}

async fn tenant_page(state: &AppState, lang: Lang, can: &Operating<ManageTenants>, slug: &str, outcome: (Option<String>, Option<&'static str>, String), status: StatusCode) -> Result<Response, AppError> {
    let detail = use_case::tenant(&state.app, &can.granted, slug).await?.ok_or(AppError::NotFound)?;
    let (done, error, reason) = outcome;
    let view = TenantPage {
        me: me(&can.who),
        tenant: TenantRow::new(&detail.tenant, &detail.usage, lang),
        domains: detail.domains,
        host: format!("{}.{}", detail.tenant.slug, state.config.base_domain),
        done: done.filter(|d| d == "suspended" || d == "active"),
        error,
        reason,
    };
    render(state, lang, &format!("/operator/tenants/{slug}"), "operator/tenant.html", status, &view)
}

async fn tenant(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    can: Operating<ManageTenants>,
    Path(slug): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, AppError> {
    tenant_page(&state, lang, &can, &slug, (q.done, None, String::new()), StatusCode::OK).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StatusForm {
    csrf_token: String,
    status: String,
    reason: String,
}

async fn set_status(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    can: Operating<ManageTenants>,
    Path(slug): Path<String>,
    HtmlForm(form): HtmlForm<StatusForm>,
) -> Result<Response, AppError> {
    check_csrf(&can.who, &form.csrf_token)?;
    let status = parse_status(&form.status).ok_or(AppError::BadRequest)?;
    let refused = |key| (None, Some(key), form.reason.clone());
    match use_case::set_status(&state.app, &can.granted, &slug, status, &form.reason).await {
        Ok(_) => {
            state.tenants.invalidate_all();
            Ok(Redirect::to(&format!("/operator/tenants/{slug}?done={}", status.as_str())).into_response())
        }
        Err(StatusError::ReasonRequired) => tenant_page(&state, lang, &can, &slug, refused("operator.tenant.error_reason"), StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(StatusError::ReasonTooLong) => tenant_page(&state, lang, &can, &slug, refused("operator.tenant.error_reason_long"), StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(StatusError::NotFound) => Err(AppError::NotFound),
        Err(StatusError::Db(e)) => Err(e.into()),
    }
}
