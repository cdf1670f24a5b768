//! The citizen side of services: categories with their sub-menus, the form of a sub-menu rendered
//! from its schema, the submission, and the "สำเร็จ" page that acknowledges receipt (section 10).

pub mod form_view;
mod date_input;
mod issues;
pub mod mail;
pub mod staging;
pub mod submission;

use axum::Router;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use crate::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use domain::form::{FieldType, Submission};
use domain::locale::Lang;
use serde::Serialize;
use store::services::{self, FormVersion, ItemInCategory};

use crate::accounts::csrf::{self, CSRF_FIELD, CsrfToken};
use crate::accounts::session::{CurrentCitizen, MaybeCitizen};
use crate::error::AppError;
use crate::i18n::RequestLang;
use crate::render::PageCtx;
use crate::state::AppState;
use crate::tenancy::Tenant;
use form_view::FormPage;
use submission::Outcome;

/// Hidden inputs of the form page; not answers.
pub const IDEMPOTENCY_FIELD: &str = "idempotency_key";
pub const VERSION_FIELD: &str = "form_version";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/services", get(catalogue))
        .route("/services/{item_key}", get(form).post(submit))
        .route("/services/requests/{reference}/done", get(done))
        .route("/services/form.js", get(form_script))
}

const FORM_JS: &str = include_str!("form.js");

/// The form page's script (conditional fields); versioned by the page's `?v=`, so cached long.
async fn form_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        FORM_JS,
    )
}

#[derive(Serialize)]
struct CategoryView {
    key: String,
    icon: String,
    /// The symbol drawn for `icon`.
    symbol: &'static str,
    title: String,
    description: Option<String>,
    items: Vec<ItemView>,
}

#[derive(Serialize)]
struct ItemView {
    key: String,
    title: String,
    description: Option<String>,
}

fn pick(lang: Lang, th: &str, en: &str) -> String {
    match lang {
        Lang::Th => th.to_owned(),
        Lang::En => en.to_owned(),
    }
}

fn pick_opt(lang: Lang, th: &Option<String>, en: &Option<String>) -> Option<String> {
    match lang {
        Lang::Th => th.clone(),
        Lang::En => en.clone().or_else(|| th.clone()),
    }
}

#[derive(Serialize)]
struct CataloguePage {
    categories: Vec<CategoryView>,
    csrf_token: String,
    signed_in: bool,
}

/// `GET /services`: the categories in order, each with its sub-menus. Open to everyone; the form
/// asks for a login.
#[tracing::instrument(skip_all, fields(tenant = %tenant.0.slug))]
async fn catalogue(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    csrf: CsrfToken,
    MaybeCitizen(me): MaybeCitizen,
) -> Result<Html<String>, AppError> {
    let categories = services::catalogue(&state.db, tenant.scope())
        .await?
        .into_iter()
        .map(|c| CategoryView {
            key: c.category.key,
            symbol: symbol(&c.category.icon),
            icon: c.category.icon,
            title: pick(lang, &c.category.title_th, &c.category.title_en),
            description: pick_opt(lang, &c.category.description_th, &c.category.description_en),
            items: c
                .items
                .into_iter()
                .map(|i| ItemView {
                    title: pick(lang, &i.title_th, &i.title_en),
                    description: pick_opt(lang, &i.description_th, &i.description_en),
                    key: i.key,
                })
                .collect(),
        })
        .collect();
    let page = CataloguePage { categories, csrf_token: csrf.0, signed_in: me.is_some() };
    state.views.page("services_catalogue.html", &PageCtx::new(lang, "/services", Some(&tenant)), &page)
}

/// One symbol per icon a category may name (`store::tenant_dir::services::ICONS`).
fn symbol(icon: &str) -> &'static str {
    match icon {
        "trash" => "🗑️",
        "building" => "🏗️",
        "megaphone" => "📣",
        "droplet" => "💧",
        "heart-pulse" => "🩺",
        "store" => "🏪",
        "receipt" => "🧾",
        "road" => "🛣️",
        "lightbulb" => "💡",
        "tree" => "🌳",
        "hands-helping" => "🤝",
        "elderly" => "🧓",
        "wheelchair" => "♿",
        "baby" => "👶",
        "school" => "🏫",
        "fire" => "🔥",
        "calendar" => "📅",
        "paw" => "🐾",
        "truck" => "🚚",
        "landmark" => "🏛️",
        _ => "📄",
    }
}

/// The offered sub-menu and the current version of its form, or 404.
async fn item_and_form(
    state: &AppState,
    tenant: &Tenant,
    item_key: &str,
) -> Result<(ItemInCategory, FormVersion), AppError> {
    let scope = tenant.scope();
    let item = services::item(&state.db, scope, item_key).await?.ok_or(AppError::NotFound)?;
    let form = services::current_form(&state.db, scope, &item.item.form_key).await?.ok_or(AppError::NotFound)?;
    Ok((item, form))
}

/// `GET /services/{item_key}`: the form, prefilled from the account, with a fresh idempotency key.
#[tracing::instrument(skip_all, fields(tenant = %tenant.0.slug, citizen = %me.citizen.id))]
async fn form(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    csrf: CsrfToken,
    me: CurrentCitizen,
    Path(item_key): Path<String>,
) -> Result<Html<String>, AppError> {
    let (item, form) = item_and_form(&state, &tenant, &item_key).await?;
    let page = FormPage::fresh(&state, lang, &csrf, &me, &item, &form);
    let path = format!("/services/{item_key}");
    state.views.page("services_form.html", &PageCtx::new(lang, &path, Some(&tenant)), &page)
}

/// `POST /services/{item_key}` (multipart: `csrf_token` first, then the answers, the hidden
/// idempotency key and form version, and the files).
#[tracing::instrument(skip_all, fields(tenant = %tenant.0.slug, citizen = %me.citizen.id))]
async fn submit(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    csrf: CsrfToken,
    me: CurrentCitizen,
    Path(item_key): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    let mut multipart = multipart.map_err(|_| AppError::BadRequest)?;
    let first = multipart.next_field().await.map_err(submission::multipart_rejected)?.ok_or(AppError::CsrfRejected)?;
    if first.name() != Some(CSRF_FIELD) {
        return Err(AppError::CsrfRejected);
    }
    let token = first.text().await.map_err(|_| AppError::CsrfRejected)?;
    csrf::verify(&csrf, &token)?;

    let (item, form) = item_and_form(&state, &tenant, &item_key).await?;
    let body = submission::read_body(&mut multipart).await?;
    let idempotency_key = body.value(IDEMPOTENCY_FIELD).map(str::trim).unwrap_or_default().to_owned();
    if idempotency_key.is_empty() || idempotency_key.len() > 64 {
        return Err(AppError::BadRequest);
    }
    let asked_version = body.value(VERSION_FIELD).and_then(|v| v.trim().parse::<u32>().ok());
    let answers: Vec<(String, String)> = body
        .values
        .iter()
        .filter(|(name, _)| name != IDEMPOTENCY_FIELD && name != VERSION_FIELD)
        .filter(|(name, _)| !name.starts_with(staging::FIELD_PREFIX) && !is_file_field(&form, name))
        .cloned()
        .collect();
    let (tenant_id, citizen_id) = (tenant.0.id, me.citizen.id);
    let mut files = body.files;
    staging::restore(&state, tenant_id, citizen_id, &body.values, &mut files).await?;
    let attempt = submission::Attempt {
        asked_version: asked_version.or(Some(0)),
        idempotency_key: &idempotency_key,
        submission: Submission::from_form_pairs(date_input::combine(&form.schema, lang, &answers)),
        files: &files,
    };
    let (issues, stale) = match app::submission::submit(&state.app, &tenant.0, &me.citizen, &item, &form, attempt).await? {
        Outcome::Created(created) => {
            staging::discard(&state, tenant_id, citizen_id, &files).await;
            let done = format!("/services/requests/{}/done", created.request.reference);
            return Ok(Redirect::to(&done).into_response());
        }
        Outcome::Invalid(issues) => (issues, false),
        Outcome::Stale { .. } => (Vec::new(), true),
    };
    let staged = staging::keep(&state, tenant_id, citizen_id, &mut files, &issues).await?;
    let again = form_view::Again { pairs: &answers, idempotency_key: &idempotency_key, issues: &issues, stale, staged };
    let page = FormPage::again(&state, lang, &csrf, &me, &item, &form, again);
    let path = format!("/services/{item_key}");
    let html = state.views.page("services_form.html", &PageCtx::new(lang, &path, Some(&tenant)), &page)?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
}

fn is_file_field(form: &FormVersion, name: &str) -> bool {
    form.schema.field(name).is_some_and(|f| f.kind == FieldType::File)
}

#[derive(Serialize)]
struct DonePage {
    csrf_token: String,
    reference: String,
    service: String,
    received_at: String,
    status: String,
    identity_status: String,
    identity_label: String,
}

/// `GET /services/requests/{reference}/done`: "สำเร็จ", the reference and the time of receipt.
#[tracing::instrument(skip_all, fields(tenant = %tenant.0.slug, citizen = %me.citizen.id))]
async fn done(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    csrf: CsrfToken,
    me: CurrentCitizen,
    Path(reference): Path<String>,
) -> Result<Html<String>, AppError> {
    let scope = tenant.scope();
    let request = store::requests::submit::of_citizen(&state.db, scope, me.citizen.id, &reference)
        .await?
        .ok_or(AppError::NotFound)?;
    let service = match services::item_by_id(&state.db, scope, request.item_id).await? {
        Some(i) => pick(lang, &i.item.title_th, &i.item.title_en),
        None => request.form_key.clone(),
    };
    let status = domain::request::Status::parse(&request.status)
        .map(|s| state.views.t(lang, s.message_key()))
        .unwrap_or_else(|| request.status.clone());
    let page = DonePage {
        csrf_token: csrf.0,
        received_at: mail::received_at(request.submitted_at, lang),
        reference: request.reference,
        service,
        status,
        identity_label: state.views.t(lang, &format!("identity_status.{}", me.citizen.identity_status)),
        identity_status: me.citizen.identity_status.clone(),
    };
    let path = format!("/services/requests/{reference}/done");
    state.views.page("services_done.html", &PageCtx::new(lang, &path, Some(&tenant)), &page)
}
