//! `GET /api/v1/requests` (own requests, paginated with the total), `GET /api/v1/requests/{reference}`
//! (status, timeline, files, documents) and `GET /api/v1/requests/{reference}/documents/{id}`.

use axum::extract::State;
use crate::extract::{Path, Query};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use store::documents;
use store::requests::track;
use uuid::Uuid;

use crate::accounts::session::CurrentCitizen;
use crate::error::AppError;
use crate::i18n::RequestLang;
use crate::requests::PER_PAGE;
use crate::requests::view::{self, AnswerView, StatusView};
use crate::state::AppState;
use crate::tenancy::Tenant;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/requests/{reference}", get(show))
        .route("/api/v1/requests/{reference}/documents/{id}", get(document))
        .route("/api/v1/requests", get(list))
}

#[derive(Deserialize)]
struct ListQuery {
    page: Option<u64>,
    per_page: Option<u64>,
}

#[derive(Serialize)]
struct RequestSummary {
    reference: String,
    item_id: Uuid,
    form_key: String,
    form_version: i32,
    status: StatusView,
    rejection_reason: Option<String>,
    submitted_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(Serialize)]
struct RequestList {
    items: Vec<RequestSummary>,
    page: u64,
    per_page: u64,
    total: u64,
}

fn summary(state: &AppState, lang: domain::locale::Lang, r: &store::requests::Request) -> RequestSummary {
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
    let found = track::list_for_citizen(&state.db, tenant.scope(), me.citizen.id, page, per_page).await?;
    let items = found.items.iter().map(|r| summary(&state, lang, r)).collect();
    Ok(Json(RequestList { items, page, per_page, total: found.total }))
}

#[derive(Serialize)]
struct EventOut {
    from_status: Option<String>,
    status: StatusView,
    note: Option<String>,
    actor: String,
    at: DateTime<Utc>,
}

#[derive(Serialize)]
struct FileOut {
    id: Uuid,
    field: String,
    filename: String,
    mime: String,
    bytes: i64,
    sha256: String,
    url: String,
}

#[derive(Serialize)]
struct DocumentOut {
    id: Uuid,
    kind: String,
    number: String,
    title_th: String,
    title_en: String,
    filename: String,
    mime: String,
    issued_at: DateTime<Utc>,
    valid_until: Option<NaiveDate>,
    state: &'static str,
    revoked_reason: Option<String>,
    verification_code: String,
    verify_url: String,
    download_url: String,
}

#[derive(Serialize)]
struct RequestDetail {
    #[serde(flatten)]
    summary: RequestSummary,
    answers: Vec<AnswerView>,
    timeline: Vec<EventOut>,
    files: Vec<FileOut>,
    documents: Vec<DocumentOut>,
    /// Notes from the municipality to the citizen.
    notes: Vec<NoteOut>,
}

#[derive(Serialize)]
struct NoteOut {
    body: String,
    at: DateTime<Utc>,
}

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
        summary: summary(&state, lang, r),
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
async fn document(
    State(state): State<AppState>,
    tenant: Tenant,
    me: CurrentCitizen,
    Path((reference, id)): Path<(String, Uuid)>,
) -> Result<Response, AppError> {
    let doc = documents::find_for_citizen(&state.db, tenant.scope(), me.citizen.id, &reference, id).await?.ok_or(AppError::NotFound)?;
    crate::requests::document_response(&state, &doc, true).await
}
