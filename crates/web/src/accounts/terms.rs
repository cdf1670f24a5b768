//! New terms of service: when the municipality publishes a new version, each citizen reads and
//! accepts it at their next visit before anything else (`/terms/accept`); the acceptance is kept
//! with the earlier ones.

use app::citizens::terms::TermsError;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use domain::locale::Lang;
use serde::{Deserialize, Serialize};

use crate::accounts::csrf::{self, CsrfToken};
use crate::accounts::login::{HtmlForm, local_path, no_store};
use crate::accounts::session::CurrentCitizen;
use crate::error::AppError;
use crate::extract::Query;
use crate::form_errors::ErrorLink;
use crate::i18n::RequestLang;
use crate::render::{PageCtx, markdown};
use crate::state::AppState;
use crate::tenancy::Tenant;

pub fn router() -> Router<AppState> {
    Router::new().route("/terms/accept", get(page).post(accept))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Next {
    next: String,
}

#[derive(Serialize)]
struct AcceptPage {
    csrf: String,
    version: String,
    html: String,
    next: String,
    error: Option<String>,
    summary: Vec<ErrorLink>,
}

fn next_or_welcome(next: &str) -> String {
    local_path(Some(next)).filter(|n| !n.starts_with("/terms/accept")).unwrap_or("/welcome").to_owned()
}

async fn render(state: &AppState, tenant: &Tenant, lang: Lang, csrf: &CsrfToken, next: &str, error: Option<String>, status: StatusCode) -> Result<Response, AppError> {
    let version = &tenant.0.settings.terms_version;
    let terms = store::tenants::terms(&state.db, tenant.0.id, version).await?.ok_or(AppError::NotFound)?;
    let body = match lang {
        Lang::Th => &terms.body_th,
        Lang::En => &terms.body_en,
    };
    let page = AcceptPage {
        csrf: csrf.0.clone(),
        version: terms.version.clone(),
        html: markdown(body),
        next: next.to_owned(),
        summary: error.iter().map(|m| ErrorLink::new("f-accept_terms", m.clone())).collect(),
        error,
    };
    let html = state.views.page("terms_accept.html", &PageCtx::new(lang, "/terms/accept", Some(tenant)), &page)?;
    Ok(no_store(status, html))
}

/// The new terms with the acceptance box; a citizen who accepted them already goes on.
async fn page(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    csrf: CsrfToken,
    me: CurrentCitizen,
    Query(q): Query<Next>,
) -> Result<Response, AppError> {
    let next = next_or_welcome(&q.next);
    if me.citizen.terms_version == tenant.0.settings.terms_version {
        return Ok(Redirect::to(&next).into_response());
    }
    render(&state, &tenant, lang, &csrf, &next, None, StatusCode::OK).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AcceptForm {
    csrf_token: String,
    version: String,
    accept_terms: String,
    next: String,
}

async fn accept(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    csrf: CsrfToken,
    me: CurrentCitizen,
    client: crate::accounts::login::Client,
    HtmlForm(form): HtmlForm<AcceptForm>,
) -> Result<Response, AppError> {
    csrf::verify(&csrf, &form.csrf_token)?;
    let next = next_or_welcome(&form.next);
    if form.accept_terms.is_empty() {
        let message = state.views.t(lang, "field_error.terms_not_accepted");
        return render(&state, &tenant, lang, &csrf, &next, Some(message), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    match app::citizens::terms::accept(&state.app, &tenant.0, &me.citizen, &form.version, &client.ip).await {
        Ok(()) => Ok(Redirect::to(&next).into_response()),
        // Terms published again while this page was open: show the newest ones.
        Err(TermsError::Outdated) => Ok(Redirect::to(&format!("/terms/accept?next={next}")).into_response()),
        Err(TermsError::Db(e)) => Err(e.into()),
    }
}
