//! The JSON API under `/api/v1`, resolved by Host like the pages. Every route is registered with
//! its OpenAPI description (`routes!` of `#[utoipa::path]` handlers), so none goes undocumented.

pub mod accounts;
pub mod requests;
pub mod services;
pub mod auth;
pub(crate) mod multipart;
pub(crate) mod refusals;

use std::sync::LazyLock;

use axum::extract::State;
use axum::{Json, Router};
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::ErrorBody;
use crate::error::AppError;
use crate::state::AppState;
use crate::tenancy::Tenant;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "eservice API (citizens and back office)",
        version = "1",
        description = "The JSON API of a municipality's citizen e-service portal. Every call is made on the municipality's own host (`<slug>.<base domain>` or its custom domain): the Host decides the tenant. Errors are `{\"error\": {\"code\", \"message\", \"fields\"?}}` with messages in Thai (or English with `Accept-Language: en`). The back-office calls under `/api/v1/backoffice` take a staff bearer token from `POST /api/v1/backoffice/auth/login` and the permission each names; see docs/backoffice.md. The municipal admin's settings are under `/api/v1/admin` (the permission `tenant/configure`); see docs/admin-guide.md.",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later"),
    ),
    servers((url = "/")),
    modifiers(&BearerSchemes),
    tags(
        (name = "citizens", description = "Registration, sign-in, the profile, the catalogue and the citizen's own requests"),
        (name = "backoffice", description = "Staff work: identities, the request queue, documents, audit and the team (docs/backoffice.md). Every call but sign-in needs a staff bearer token from `POST /api/v1/backoffice/auth/login` and the permission it names; an officer narrowed to categories is refused (403) outside them, and another tenant's records are not found (404)."),
        (name = "admin", description = "The municipal admin's settings, services and forms (docs/admin-guide.md). Every call needs a staff bearer token with the permission `tenant/configure` (admins). A change sends the `revision` it was made from and answers with the settings after it and a new `revision`; it reaches every replica within the tenant cache TTL."),
    ),
)]
struct ApiDoc;

/// `bearer`: a citizen's token from `POST /api/v1/auth/login`; `staffBearer`: a staff token.
struct BearerSchemes;

impl utoipa::Modify for BearerSchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).description(Some("A token from POST /api/v1/auth/login")).build()));
        components.add_security_scheme(
            "staffBearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).description(Some("A token from POST /api/v1/backoffice/auth/login")).build()),
        );
    }
}

/// The whole `/api/v1` surface with its description: the site serves its routes and
/// `/api/v1/openapi.json` its document.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(tenant_info))
        .routes(routes!(openapi))
        .merge(auth::router())
        .merge(accounts::router())
        .merge(services::router())
        .merge(requests::router())
        .merge(crate::backoffice::api::router())
        .merge(crate::admin::api::router())
}

/// The API's routes for the tenant site.
pub fn tenant_router() -> Router<AppState> {
    router().split_for_parts().0
}

/// The OpenAPI document of the routes [`router`] registers, every object schema closed.
pub fn document() -> serde_json::Value {
    let mut doc = serde_json::to_value(router().into_openapi()).unwrap_or_default();
    close_objects(&mut doc);
    doc
}

/// Every `(METHOD, path)` of the document, as the router serves it.
pub fn operations() -> Vec<(String, String)> {
    let methods = ["get", "put", "post", "delete", "patch"];
    let doc = document();
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();
    paths
        .iter()
        .flat_map(|(path, item)| {
            methods.iter().filter(|m| item.get(**m).is_some()).map(move |m| (m.to_uppercase(), path.clone()))
        })
        .collect()
}

/// An object that lists its properties allows no others: the views are serialized from structs,
/// and a request body with anything else is not what the API reads. Free-form objects (a form
/// schema, an audit record's before and after) list none and stay open. The parts of an `allOf`
/// (a flattened struct) are closed together, by `unevaluatedProperties` on the whole.
pub(crate) fn close_objects(node: &mut serde_json::Value) {
    close(node, true);
}

fn close(node: &mut serde_json::Value, close_self: bool) {
    match node {
        serde_json::Value::Object(map) => {
            let is_object = match map.get("type") {
                Some(serde_json::Value::String(t)) => t == "object",
                Some(serde_json::Value::Array(types)) => types.iter().any(|t| t == "object"),
                _ => false,
            };
            if close_self && is_object && map.contains_key("properties") && !map.contains_key("additionalProperties") {
                map.insert("additionalProperties".to_owned(), serde_json::Value::Bool(false));
            }
            if close_self && map.contains_key("allOf") && !map.contains_key("unevaluatedProperties") {
                map.insert("unevaluatedProperties".to_owned(), serde_json::Value::Bool(false));
            }
            for (key, value) in map.iter_mut() {
                match (key.as_str(), value) {
                    ("allOf", serde_json::Value::Array(parts)) => parts.iter_mut().for_each(|p| close(p, false)),
                    (_, value) => close(value, true),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|i| close(i, true)),
        _ => {}
    }
}

/// Serialized once; the same on every tenant host.
pub static OPENAPI: LazyLock<String> = LazyLock::new(|| document().to_string());

#[derive(Serialize, ToSchema)]
struct Names<'a> {
    th: &'a str,
    en: &'a str,
}

#[derive(Serialize, ToSchema)]
struct BrandingView<'a> {
    primary_color: &'a str,
    accent_color: &'a str,
    logo_url: &'static str,
}

#[derive(Serialize, ToSchema)]
struct TermsView {
    version: String,
    /// Markdown.
    th: String,
    en: String,
}

/// Public information about the municipality.
#[derive(Serialize, ToSchema)]
#[schema(as = Tenant)]
struct TenantInfo<'a> {
    slug: &'a str,
    name: Names<'a>,
    branding: BrandingView<'a>,
    terms: TermsView,
    #[schema(minimum = 1, maximum = 5)]
    id_photo_count: u8,
    contact: &'a domain::tenant::Contact,
}

#[utoipa::path(
    get,
    path = "/api/v1/tenant",
    tag = "citizens",
    operation_id = "getTenant",
    summary = "Public information about this municipality",
    responses(
        (status = 200, description = "Name, branding, current terms and the number of ID photos", body = TenantInfo),
        (status = 404, description = "No such municipality, or its terms are missing", body = ErrorBody),
        (status = 503, description = "The municipality is suspended", body = ErrorBody),
    ),
)]
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

#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "citizens",
    operation_id = "getOpenApi",
    summary = "This document",
    description = "The OpenAPI 3.1 description of every call, generated from the handlers; the same on every tenant host.",
    responses((status = 200, description = "The document", body = Object)),
)]
async fn openapi() -> impl axum::response::IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], OPENAPI.as_str())
}
