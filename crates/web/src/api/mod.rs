//! The public JSON API under `/api/v1`, resolved by Host like the pages.

pub mod accounts;
pub mod requests;
pub mod services;
pub mod auth;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use crate::error::AppError;
use crate::state::AppState;
use crate::tenancy::Tenant;

pub fn tenant_router() -> Router<AppState> {
    Router::new().route("/api/v1/tenant", get(tenant_info)).route("/api/v1/openapi.json", get(openapi)).merge(auth::router())
}

#[derive(Serialize)]
struct Names<'a> {
    th: &'a str,
    en: &'a str,
}

#[derive(Serialize)]
struct BrandingView<'a> {
    primary_color: &'a str,
    accent_color: &'a str,
    logo_url: &'static str,
}

#[derive(Serialize)]
struct TermsView {
    version: String,
    th: String,
    en: String,
}

#[derive(Serialize)]
struct TenantInfo<'a> {
    slug: &'a str,
    name: Names<'a>,
    branding: BrandingView<'a>,
    terms: TermsView,
    id_photo_count: u8,
    contact: &'a domain::tenant::Contact,
}

async fn tenant_info(State(state): State<AppState>, Tenant(t): Tenant) -> Result<Json<serde_json::Value>, AppError> {
    let terms = store::tenants::terms(&state.db, t.id, &t.settings.terms_version).await?.ok_or(AppError::NotFound)?;
    let info = TenantInfo {
        slug: &t.slug,
        name: Names { th: &t.name_th, en: &t.name_en },
        branding: BrandingView {
            primary_color: &t.settings.branding.primary_color,
            accent_color: &t.settings.branding.accent_color,
            logo_url: "/branding/logo",
        },
        terms: TermsView { version: terms.version, th: terms.body_th, en: terms.body_en },
        id_photo_count: t.settings.identity.photo_count,
        contact: &t.settings.contact,
    };
    Ok(Json(serde_json::to_value(info).map_err(|e| AppError::Internal(e.into()))?))
}

/// The OpenAPI document of this API (kept by hand next to the handlers; a test checks that every
/// path it lists is served).
pub const OPENAPI: &str = include_str!("openapi.json");

async fn openapi() -> impl axum::response::IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], OPENAPI)
}
