//! Public pages of a tenant (home, terms) and of the platform, plus the language switch.

use axum::Router;
use axum::extract::State;
use crate::extract::Query;
use axum::http::{HeaderValue, Uri, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use domain::locale::Lang;
use serde::{Deserialize, Serialize};

use crate::accounts::csrf::CsrfToken;
use crate::accounts::session::MaybeCitizen;
use crate::error::AppError;
use crate::i18n::{LANG_COOKIE, RequestLang};
use crate::render::{PageCtx, markdown};
use crate::state::AppState;
use crate::tenancy::Tenant;

pub fn tenant_router() -> Router<AppState> {
    Router::new().route("/", get(home)).route("/terms", get(terms)).route("/lang", get(switch_lang))
}

pub fn platform_router() -> Router<AppState> {
    Router::new().route("/", get(platform_home)).route("/lang", get(switch_lang))
}

#[tracing::instrument(skip_all, fields(tenant = %tenant.0.slug))]
async fn home(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    csrf: CsrfToken,
    MaybeCitizen(me): MaybeCitizen,
    uri: Uri,
) -> Result<Html<String>, AppError> {
    let page = HomePage { signed_in: me.is_some(), csrf_token: csrf.0 };
    state.views.page("home.html", &PageCtx::new(lang, uri.path(), Some(&tenant)), &page)
}

/// Signed out, the home page offers what a citizen comes for: register, sign in, see the services.
#[derive(Serialize)]
struct HomePage {
    signed_in: bool,
    csrf_token: String,
}

#[derive(Serialize)]
struct TermsPage {
    version: String,
    html: String,
}

async fn terms(State(state): State<AppState>, tenant: Tenant, RequestLang(lang): RequestLang, uri: Uri) -> Result<Html<String>, AppError> {
    let version = &tenant.0.settings.terms_version;
    let terms = store::tenants::terms(&state.db, tenant.0.id, version).await?.ok_or(AppError::NotFound)?;
    let body = match lang {
        Lang::Th => &terms.body_th,
        Lang::En => &terms.body_en,
    };
    let page = TermsPage { version: terms.version.clone(), html: markdown(body) };
    state.views.page("terms.html", &PageCtx::new(lang, uri.path(), Some(&tenant)), &page)
}

#[derive(Serialize)]
struct TenantLink {
    name: String,
    url: String,
}

#[derive(Serialize)]
struct PlatformPage {
    tenants: Vec<TenantLink>,
}

async fn platform_home(State(state): State<AppState>, RequestLang(lang): RequestLang, uri: Uri) -> Result<Html<String>, AppError> {
    let scheme = if state.config.https { "https" } else { "http" };
    let port = match state.config.listen.port() {
        80 | 443 => String::new(),
        p => format!(":{p}"),
    };
    let tenants = store::tenants::list(&state.db)
        .await?
        .into_iter()
        .filter(|t| t.status == domain::tenant::TenantStatus::Active)
        .map(|t| TenantLink {
            name: match lang {
                Lang::Th => t.name_th,
                Lang::En => t.name_en,
            },
            url: format!("{scheme}://{}.{}{port}/", t.slug, state.config.base_domain),
        })
        .collect();
    state.views.page("platform.html", &PageCtx::new(lang, uri.path(), None), &PlatformPage { tenants })
}

#[derive(Deserialize)]
struct LangQuery {
    to: String,
    #[serde(default)]
    next: Option<String>,
}

/// `/lang?to=en&next=/path`: remembers the choice in a cookie and goes back. Only local paths.
async fn switch_lang(State(state): State<AppState>, Query(q): Query<LangQuery>) -> Result<Response, AppError> {
    let lang = Lang::parse(&q.to).ok_or(AppError::BadRequest)?;
    let next = q
        .next
        .filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
        .unwrap_or_else(|| "/".into());
    let secure = if state.config.https { "; Secure" } else { "" };
    let cookie = format!("{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{secure}", lang.code());
    let mut response = Redirect::to(&next).into_response();
    let value = HeaderValue::from_str(&cookie).map_err(|e| AppError::Internal(e.into()))?;
    response.headers_mut().append(header::SET_COOKIE, value);
    Ok(response)
}
