//! `GET /api/v1/requests` (own requests, paginated with the total), `GET /api/v1/requests/{reference}`
//! (status, timeline, files, documents) and `GET /api/v1/requests/{reference}/documents/{id}`.

use axum::extract::State;
use crate::extract::{Path, Query};
use axum::response::Response;
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use store::documents;
use store::requests::track;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::accounts::session::CurrentCitizen;
use crate::error::AppError;
use crate::i18n::RequestLang;
use crate::requests::PER_PAGE;
use crate::requests::view::{self, AnswerView, StatusView};
use crate::state::AppState;
use crate::tenancy::Tenant;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(show)).routes(routes!(document)).routes(routes!(list))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// From 1.
    #[param(minimum = 1)]
    page: Option<u64>,
    /// Clamped to 1..=100.
    #[param(minimum = 1, maximum = 100)]
    per_page: Option<u64>,
}

#[derive(Serialize, ToSchema)]
struct RequestSummary {
    #[schema(examples("DEMO-2569-000123"))]
    reference: String,
    item_id: Uuid,
    form_key: String,
    form_version: i32,
    status: StatusView,
    #[schema(required)]
    rejection_reason: Option<String>,
    submitted_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
struct RequestList {
    items: Vec<RequestSummary>,
    page: u64,
    per_page: u64,
    total: u64,
}

fn summary(state: &AppState, lang: domain::locale::Lang, r: &track::ListedRequest) -> RequestSummary {
    RequestSummary {
        reference: r.reference.clone(),
        item_id: r.item_id,
        form_key: r.form_key.clone(),
        form_version: r.form_version,
        status: view::status_view(&state.views, lang, &r.status),
        rejection_reason: r.rejection_reason.clone(),
        submitted_at: r.submitted_at,
        updated_at: r.updated_at,
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/requests",
    tag = "citizens",
    operation_id = "listRequests",
    summary = "The signed-in citizen's requests, newest first",
    security(("bearer" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "A page", body = RequestList),
        (status = 401, description = "Not signed in", body = crate::ErrorBody),
        (status = 422, description = "A query parameter of the wrong kind (e.g. `per_page=null`); `fields` names it", body = crate::ErrorBody),
    ),
)]
#[tracing::instrument(skip_all, fields(tenant = %tenant.0.slug, citizen = %me.citizen.id))]
async fn list(
    State(state): State<AppState>,
    tenant: Tenant,
    me: CurrentCitizen,
    RequestLang(lang): RequestLang,
    Query(q): Query<ListQuery>,
) -> Result<Json<RequestList>, AppError> {
    let page = q.page.unwrap_or(1).max(1);
    let per_page = q.per_page.unwrap_or(PER_PAGE).clamp(1, 100);
    let found = track::list_rows_for_citizen(&state.db, tenant.scope(), me.citizen.id, page, per_page).await?;
    let items = found.items.iter().map(|r| summary(&state, lang, r)).collect();
    Ok(Json(RequestList { items, page, per_page, total: found.total }))
}

#[derive(Serialize, ToSchema)]
#[schema(as = RequestEvent)]
struct EventOut {
    #[schema(required)]
    from_status: Option<String>,
    status: StatusView,
    #[schema(required)]
    note: Option<String>,
    actor: String,
    at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = RequestFile)]
struct FileOut {
    id: Uuid,
    field: String,
    filename: String,
    mime: String,
    bytes: i64,
    sha256: String,
    url: String,
}

/// A receipt or licence issued on the request.
#[derive(Serialize, ToSchema)]
#[schema(as = Document)]
struct DocumentOut {
    id: Uuid,
    #[schema(pattern = "^(receipt|licence)$")]
    kind: String,
    number: String,
    title_th: String,
    title_en: String,
    filename: String,
    mime: String,
    issued_at: DateTime<Utc>,
    #[schema(required)]
    valid_until: Option<NaiveDate>,
    #[schema(pattern = "^(valid|expired|revoked)$")]
    state: &'static str,
    #[schema(required)]
    revoked_reason: Option<String>,
    verification_code: String,
    verify_url: String,
    download_url: String,
}

/// One of the citizen's requests with answers, timeline, files, documents and notes.
#[derive(Serialize, ToSchema)]
struct RequestDetail {
    #[serde(flatten)]
    #[schema(inline)]
    summary: RequestSummary,
    answers: Vec<AnswerView>,
    timeline: Vec<EventOut>,
    files: Vec<FileOut>,
    documents: Vec<DocumentOut>,
    /// Notes from the municipality to the citizen.
    notes: Vec<NoteOut>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = RequestNote)]
struct NoteOut {
    body: String,
    at: DateTime<Utc>,
}

#[utoipa::path(
    get,
    path = "/api/v1/requests/{reference}",
    tag = "citizens",
    operation_id = "getRequest",
    summary = "One of the citizen's requests with answers, timeline, files and documents",
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "As `DEMO-2569-000123`")),
    responses(
        (status = 200, description = "The request", body = RequestDetail),
        (status = 401, description = "Not signed in", body = crate::ErrorBody),
        (status = 404, description = "No such request of this citizen", body = crate::ErrorBody),
    ),
)]
#[tracing::instrument(skip_all, fields(tenant = %tenant.0.slug, citizen = %me.citizen.id))]
async fn show(
    State(state): State<AppState>,
    tenant: Tenant,
    me: CurrentCitizen,
    RequestLang(lang): RequestLang,
    Path(reference): Path<String>,
) -> Result<Json<RequestDetail>, AppError> {
    let scope = tenant.scope();
    let d = view::detail(&state, scope, me.citizen.id, &reference).await?;
    let r = &d.request;
    let today = view::thai_date(Utc::now());
    Ok(Json(RequestDetail {
        summary: summary(&state, lang, &track::ListedRequest::of(r)),
        answers: view::answers(&state, scope, r, lang).await?,
        timeline: d
            .events
            .iter()
            .map(|e| EventOut {
                from_status: e.from_status.clone(),
                status: view::status_view(&state.views, lang, &e.to_status),
                note: e.note.clone(),
                actor: e.actor_kind.clone(),
                at: e.created_at,
            })
            .collect(),
        notes: d.notes.iter().map(|n| NoteOut { body: n.body.clone(), at: n.created_at }).collect(),
        files: d
            .files
            .iter()
            .map(|f| FileOut {
                id: f.id,
                field: f.field_key.clone(),
                filename: f.filename.clone(),
                mime: f.mime.clone(),
                bytes: f.bytes,
                sha256: f.sha256.clone(),
                url: format!("/requests/{}/files/{}", r.reference, f.id),
            })
            .collect(),
        documents: d
            .documents
            .iter()
            .map(|doc| DocumentOut {
                id: doc.id,
                kind: doc.kind.clone(),
                number: doc.number.clone(),
                title_th: doc.title_th.clone(),
                title_en: doc.title_en.clone(),
                filename: doc.filename.clone(),
                mime: doc.mime.clone(),
                issued_at: doc.issued_at,
                valid_until: doc.valid_until,
                state: view::validity_code(&documents::validity(doc, today)),
                revoked_reason: doc.revoked_reason.clone(),
                verification_code: doc.verification_code.clone(),
                verify_url: view::verify_url(&state, &tenant.0, &doc.verification_code),
                download_url: format!("/api/v1/requests/{}/documents/{}", r.reference, doc.id),
            })
            .collect(),
    }))
}

/// The document's file, always as an attachment.
#[utoipa::path(
    get,
    path = "/api/v1/requests/{reference}/documents/{id}",
    tag = "citizens",
    operation_id = "downloadDocument",
    summary = "Download a receipt or licence issued on the request",
    security(("bearer" = [])),
    params(("reference" = String, Path), ("id" = Uuid, Path, description = "A document's `id`")),
    responses(
        (status = 200, description = "The file, as an attachment", content(
            (String = "application/pdf"),
            (String = "image/png"),
            (String = "image/jpeg"),
        )),
        (status = 401, description = "Not signed in", body = crate::ErrorBody),
        (status = 404, description = "No such document on the citizen's request", body = crate::ErrorBody),
    ),
)]
async fn document(
    State(state): State<AppState>,
    tenant: Tenant,
    me: CurrentCitizen,
    Path((reference, id)): Path<(String, Uuid)>,
) -> Result<Response, AppError> {
    let doc = documents::find_for_citizen(&state.db, tenant.scope(), me.citizen.id, &reference, id).await?.ok_or(AppError::NotFound)?;
    crate::requests::document_response(&state, &doc, true).await
}
