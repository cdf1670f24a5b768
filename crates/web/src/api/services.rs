//! `GET /api/v1/services` (the catalogue with each sub-menu's current form and schema) and
//! `POST /api/v1/requests` (multipart: `form_id` = the sub-menu key, optional `form_version`,
//! `data` JSON, one part per file field named by its key; `Idempotency-Key` makes a repeat
//! return the first request). Form issues come back as 422 with `fields[]`: `code` is the
//! domain's code (`required`, `file_type`, …) and `message` its `form_error.<code>` text.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use domain::form::{FormSchema, Submission};
use serde::Serialize;
use store::services;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::accounts::csrf::{self, CsrfToken};
use crate::accounts::session::{self, CurrentCitizen};
use crate::error::{AppError, FieldIssue};
use crate::services::submission::{self, Outcome};
use crate::state::AppState;
use crate::tenancy::Tenant;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(catalogue)).routes(routes!(create))
}

#[derive(Serialize, ToSchema)]
struct Catalogue {
    categories: Vec<CategoryView>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = Category)]
struct CategoryView {
    key: String,
    icon: String,
    title_th: String,
    title_en: String,
    #[schema(required)]
    description_th: Option<String>,
    #[schema(required)]
    description_en: Option<String>,
    items: Vec<ItemView>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = CatalogueItem)]
struct ItemView {
    /// What `POST /api/v1/requests` takes as `form_id`.
    key: String,
    title_th: String,
    title_en: String,
    #[schema(required)]
    description_th: Option<String>,
    #[schema(required)]
    description_en: Option<String>,
    #[schema(required)]
    form: Option<FormView>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = CurrentForm)]
struct FormView {
    key: String,
    version: u32,
    /// The form schema (docs/forms.md): fields with types, labels, limits, files and conditions.
    #[schema(value_type = Object)]
    schema: FormSchema,
}

/// Categories → sub-menus → current form; four queries whatever the size of the catalogue.
#[utoipa::path(
    get,
    path = "/api/v1/services",
    tag = "citizens",
    operation_id = "listServices",
    summary = "Categories, their sub-menus and each sub-menu's current form with its schema",
    responses((status = 200, description = "The catalogue", body = Catalogue)),
)]
#[tracing::instrument(skip_all, fields(tenant = %tenant.0.slug))]
async fn catalogue(State(state): State<AppState>, tenant: Tenant) -> Result<Json<Catalogue>, AppError> {
    let scope = tenant.scope();
    let mut forms = services::current_forms(&state.db, scope).await?;
    let categories = services::catalogue(&state.db, scope)
        .await?
        .into_iter()
        .map(|c| CategoryView {
            key: c.category.key,
            icon: c.category.icon,
            title_th: c.category.title_th,
            title_en: c.category.title_en,
            description_th: c.category.description_th,
            description_en: c.category.description_en,
            items: c
                .items
                .into_iter()
                .map(|i| ItemView {
                    form: forms.get(&i.form_key).map(|f| FormView {
                        key: f.form_key.clone(),
                        version: f.version,
                        schema: f.schema.clone(),
                    }),
                    key: i.key,
                    title_th: i.title_th,
                    title_en: i.title_en,
                    description_th: i.description_th,
                    description_en: i.description_en,
                })
                .collect(),
        })
        .collect();
    forms.clear();
    Ok(Json(Catalogue { categories }))
}

#[derive(Serialize, ToSchema)]
#[schema(as = CreatedRequest)]
struct CreatedView {
    reference: String,
    status: String,
    submitted_at: DateTime<Utc>,
}

/// 422 with the issues at their fields, the messages from `[form_error]`.
fn invalid(issues: impl IntoIterator<Item = (String, String)>) -> Response {
    AppError::Validation(issues.into_iter().map(|(field, code)| FieldIssue::form(field, code)).collect()).into_response()
}

/// `POST /api/v1/requests`. 201 for a new request; 200 with the same body for a repeat of an
/// `Idempotency-Key` (without the header every call is a new request).
#[utoipa::path(
    post,
    path = "/api/v1/requests",
    tag = "citizens",
    operation_id = "createRequest",
    summary = "Submit a service form with its evidence files",
    description = "Validated against the form's schema (the same validator as the web form). Files are sniffed by content and checked against the field's types, size and count; send one part per file, named by the file field's key. The time of receipt counts as the agency's acknowledgement (Act B.E. 2565 section 10); an acknowledgement e-mail is queued. Send `Idempotency-Key` so a repeat returns the same request. A cookie session must repeat its CSRF cookie in `X-CSRF-Token`.",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, max_length = 64, description = "A repeat with the same key answers the first request")),
    request_body(content = crate::api::multipart::SubmissionForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "The same `Idempotency-Key` was used before: the request it made, unchanged", body = CreatedView),
        (status = 201, description = "Received", body = CreatedView),
        (status = 400, description = "A body that is not multipart form data, or an empty or over-long `Idempotency-Key`", body = crate::ErrorBody),
        (status = 401, description = "Not signed in", body = crate::ErrorBody),
        (status = 403, description = "A cookie session without its CSRF token", body = crate::ErrorBody),
        (status = 413, description = "A file over the size limit", body = crate::ErrorBody),
        (status = 422, description = "The form's issues at their fields (`code` as in docs/forms.md, the message from the catalogue)", body = crate::ErrorBody),
    ),
)]
#[tracing::instrument(skip_all, fields(tenant = %tenant.0.slug, citizen = %me.citizen.id))]
async fn create(
    State(state): State<AppState>,
    tenant: Tenant,
    me: CurrentCitizen,
    csrf_token: CsrfToken,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    // A cookie session (a page's script) must repeat the CSRF cookie; a bearer token need not.
    if me.session.kind != session::API {
        let sent = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or_default();
        csrf::verify(&csrf_token, sent)?;
    }
    let idempotency_key = match headers.get("idempotency-key") {
        None => access::token::new_token(),
        Some(v) => {
            let key = v.to_str().map(str::trim).unwrap_or_default();
            if key.is_empty() || key.len() > 64 {
                return Err(AppError::BadRequest);
            }
            key.to_owned()
        }
    };
    let mut multipart = multipart.map_err(|_| AppError::BadRequest)?;
    let body = submission::read_body(&mut multipart).await?;
    let form_id = body.value("form_id").map(str::trim).unwrap_or_default();
    let scope = tenant.scope();
    let Some(item) = services::item(&state.db, scope, form_id).await? else {
        return Ok(invalid([("form_id".to_owned(), "api.unknown_form".to_owned())]));
    };
    let Some(form) = services::current_form(&state.db, scope, &item.item.form_key).await? else {
        return Ok(invalid([("form_id".to_owned(), "api.unknown_form".to_owned())]));
    };
    let asked_version = match body.value("form_version").map(str::trim).filter(|v| !v.is_empty()) {
        None => None,
        Some(raw) => match raw.parse::<u32>() {
            Ok(v) => Some(v),
            Err(_) => return Ok(invalid([("form_version".to_owned(), "wrong_type".to_owned())])),
        },
    };
    let data = body.value("data").unwrap_or("{}");
    let Some(values) = serde_json::from_str(data).ok().and_then(Submission::from_json) else {
        return Ok(invalid([("data".to_owned(), "api.invalid_data".to_owned())]));
    };
    let attempt = submission::Attempt {
        asked_version,
        idempotency_key: &idempotency_key,
        submission: values,
        files: &body.files,
    };
    let outcome = app::submission::submit(&state.app, &tenant.0, &me.citizen, &item, &form, attempt).await?;
    match outcome {
        Outcome::Created(created) => {
            let status = if created.existing { StatusCode::OK } else { StatusCode::CREATED };
            let r = created.request;
            Ok((status, Json(CreatedView { reference: r.reference, status: r.status, submitted_at: r.submitted_at }))
                .into_response())
        }
        Outcome::Invalid(issues) => Ok(invalid(issues.into_iter().map(|i| (i.field, i.code.to_owned())))),
        Outcome::Stale { .. } => {
            Ok(invalid([("form_version".to_owned(), "api.stale_version".to_owned())]))
        }
    }
}
