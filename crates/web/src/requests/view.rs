//! What the HTML pages and the JSON API both show of a request: labels, dates in Thailand's
//! time with the Buddhist year in Thai, answers read with the schema of their own form version.

use chrono::{DateTime, Duration, Utc};
use domain::locale::{Lang, format_date};
use domain::request::Status;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use store::Scope;
use store::documents::{self, Document, Validity};
use store::requests::{Request, RequestEvent, RequestFile, track};
use uuid::Uuid;

use crate::error::AppError;
use crate::render::Views;
use crate::state::AppState;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// From 1.
    #[param(minimum = 1)]
    pub page: Option<u64>,
}

impl PageQuery {
    pub fn number(&self) -> u64 {
        self.page.unwrap_or(1).max(1)
    }
}

pub use domain::locale::thai_date;

pub fn when(at: DateTime<Utc>, lang: Lang) -> String {
    let local = at.naive_utc() + Duration::hours(7);
    let clock = local.format("%H:%M");
    match lang {
        Lang::Th => format!("{} {clock} น.", format_date(local.date(), lang)),
        Lang::En => format!("{} {clock}", format_date(local.date(), lang)),
    }
}

#[derive(Serialize, Clone, utoipa::ToSchema)]
#[schema(as = Status)]
pub struct StatusView {
    /// `submitted`, `received`, `in_progress`, `completed` or `rejected`.
    pub code: &'static str,
    /// The status in the request's language, or the rejection.
    pub label: String,
}

pub fn status_view(views: &Views, lang: Lang, raw: &str) -> StatusView {
    match Status::parse(raw) {
        Some(s) => StatusView { code: s.as_str(), label: views.t(lang, s.message_key()) },
        None => StatusView { code: "unknown", label: raw.to_owned() },
    }
}

/// Service titles of the tenant by item id, in `lang` (one query, not one per row).
/// The names of the services of `item_ids` (removed sub-menus keep their name), in one query.
pub async fn service_titles(state: &AppState, scope: Scope, item_ids: &[Uuid], lang: Lang) -> Result<HashMap<Uuid, String>, AppError> {
    let titles = store::services::item_titles(&state.db, scope, item_ids).await?;
    Ok(titles
        .into_iter()
        .map(|(id, (th, en))| (id, match lang {
            Lang::Th => th,
            Lang::En => en,
        }))
        .collect())
}

pub async fn service_title(state: &AppState, scope: Scope, item_id: Uuid, lang: Lang) -> Result<String, AppError> {
    Ok(store::services::item_by_id(&state.db, scope, item_id)
        .await?
        .map(|found| match lang {
            Lang::Th => found.item.title_th,
            Lang::En => found.item.title_en,
        })
        .unwrap_or_default())
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Answer)]
pub struct AnswerView {
    pub key: String,
    pub label: String,
    #[schema(required)]
    pub value: Option<String>,
    pub section: bool,
}

/// The answers as the citizen gave them, labelled by the form version the request was made with.
pub async fn answers(state: &AppState, scope: Scope, request: &Request, lang: Lang) -> Result<Vec<AnswerView>, AppError> {
    let data: serde_json::Value = serde_json::from_str(&request.data).unwrap_or_default();
    let version = u32::try_from(request.form_version).unwrap_or_default();
    let Some(form) = store::services::form_version(&state.db, scope, &request.form_key, version).await? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for field in &form.schema.fields {
        let section = field.kind == domain::form::FieldType::Section;
        let value = data.get(&field.key).and_then(|v| domain::form::display_value(field, v, lang));
        if section || value.is_some() {
            out.push(AnswerView { key: field.key.clone(), label: field.label.get(lang).to_owned(), value, section });
        }
    }
    Ok(out)
}

#[derive(Serialize)]
pub struct FileView {
    pub id: Uuid,
    pub field: String,
    pub filename: String,
    pub mime: String,
    pub size: String,
    pub url: String,
}

pub fn file_view(reference: &str, f: &RequestFile) -> FileView {
    FileView {
        id: f.id,
        field: f.field_key.clone(),
        filename: f.filename.clone(),
        mime: f.mime.clone(),
        size: human_size(f.bytes),
        url: format!("/requests/{reference}/files/{}", f.id),
    }
}

fn human_size(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = StaffEvent)]
pub struct EventView {
    pub status: StatusView,
    #[schema(required)]
    pub note: Option<String>,
    pub at: String,
}

pub fn event_view(views: &Views, lang: Lang, e: &RequestEvent) -> EventView {
    EventView { status: status_view(views, lang, &e.to_status), note: e.note.clone(), at: when(e.created_at, lang) }
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = StaffDocument)]
pub struct DocumentView {
    pub id: Uuid,
    pub kind: String,
    pub kind_label: String,
    pub number: String,
    pub title: String,
    pub filename: String,
    pub issued: String,
    #[schema(required)]
    pub valid_until: Option<String>,
    pub state: &'static str,
    pub state_label: String,
    #[schema(required)]
    pub revoked_reason: Option<String>,
    pub verification_code: String,
    pub verify_url: String,
    pub url: String,
    pub qr_url: String,
    pub request_reference: String,
}

pub fn validity_code(v: &Validity) -> &'static str {
    match v {
        Validity::Valid => "valid",
        Validity::Expired(_) => "expired",
        Validity::Revoked { .. } => "revoked",
    }
}

pub fn document_view(state: &AppState, tenant: &store::tenants::TenantRecord, lang: Lang, reference: &str, d: &Document) -> DocumentView {
    let views = &state.views;
    let validity = documents::validity(d, thai_date(Utc::now()));
    let code = validity_code(&validity);
    let url = format!("/requests/{reference}/documents/{}", d.id);
    DocumentView {
        id: d.id,
        kind: d.kind.clone(),
        kind_label: views.t(lang, &format!("document.kind.{}", d.kind)),
        number: d.number.clone(),
        title: match lang {
            Lang::Th => d.title_th.clone(),
            Lang::En => d.title_en.clone(),
        },
        filename: d.filename.clone(),
        issued: format_date(thai_date(d.issued_at), lang),
        valid_until: d.valid_until.map(|u| format_date(u, lang)),
        state: code,
        state_label: views.t(lang, &format!("document.state.{code}")),
        revoked_reason: d.revoked_reason.clone(),
        verification_code: d.verification_code.clone(),
        verify_url: verify_url(state, tenant, &d.verification_code),
        qr_url: format!("{url}/qr.svg"),
        url,
        request_reference: reference.to_owned(),
    }
}

pub fn verify_url(state: &AppState, tenant: &store::tenants::TenantRecord, code: &str) -> String {
    format!("{}/verify/{code}", state.tenant_origin(tenant))
}

/// Everything the request page and the API's detail show.
pub struct Detail {
    pub request: Request,
    pub files: Vec<RequestFile>,
    pub events: Vec<RequestEvent>,
    pub documents: Vec<Document>,
    /// The staff's notes to the citizen (internal notes are never read here).
    pub notes: Vec<store::requests::RequestNote>,
}

/// A note from the municipality as the citizen reads it.
#[derive(Serialize)]
pub struct NoteView {
    pub body: String,
    pub at: String,
}

pub fn note_view(lang: Lang, n: &store::requests::RequestNote) -> NoteView {
    NoteView { body: n.body.clone(), at: when(n.created_at, lang) }
}

/// The citizen's own request with its files, timeline and documents; 404 for anyone else's.
pub async fn detail(state: &AppState, scope: Scope, citizen: Uuid, reference: &str) -> Result<Detail, AppError> {
    let request = track::find_for_citizen(&state.db, scope, citizen, reference).await?.ok_or(AppError::NotFound)?;
    let files = track::files(&state.db, scope, request.id).await?;
    let events = track::events(&state.db, scope, request.id).await?;
    let documents = documents::for_request(&state.db, scope, request.id).await?;
    let notes = store::requests::process::notes(&state.db, scope, request.id, true).await?;
    Ok(Detail { request, files, events, documents, notes })
}

/// Pages for "page X of Y" links.
#[derive(Serialize)]
pub struct Pager {
    pub page: u64,
    pub pages: u64,
    pub total: u64,
    pub prev: Option<u64>,
    pub next: Option<u64>,
}

impl Pager {
    pub fn new(page: u64, total: u64, per_page: u64) -> Self {
        let pages = total.div_ceil(per_page).max(1);
        Self { page, pages, total, prev: (page > 1).then(|| page - 1), next: (page < pages).then(|| page + 1) }
    }
}
