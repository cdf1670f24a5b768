//! Back-office pages: the dashboard, the identity queue and review, the request queue (filters,
//! bulk receive and assign, CSV export), a request's page with its moves, notes and documents,
//! and the audit trail. Every handler takes the `Can<P>` its use case needs.

use access::authz::{DecideIdentity, ExportRequests, IssueDocuments, ProcessRequests, ReadAudit, ViewQueues};
use app::backoffice::documents::{self as docs, DocumentError, NewDocumentInput};
use app::backoffice::identity::{self, DecideError, Decision};
use app::backoffice::requests::{self as work, Move, ProcessError};
use axum::Router;
use axum::body::Body;
use axum::extract::{Multipart, State};
use crate::extract::{Path, Query};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{NaiveDate, Utc};
use domain::locale::Lang;
use domain::request::Status;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use store::requests::process::{Assigned, QueueFilter, QueueRow};
use uuid::Uuid;

use super::view::{Me, calendar, citizen_view, days_waited, identity_view, me, render};
use super::{Can, check_csrf};
use crate::accounts::login::HtmlForm;
use crate::error::AppError;
use crate::i18n::RequestLang;
use crate::requests::download::attachment;
use crate::requests::view::{self, Pager, StatusView, status_view, when};
use crate::state::AppState;
use crate::tenancy::Tenant;

pub const PER_PAGE: u64 = 25;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff", get(dashboard))
        .route("/staff/identities", get(identities))
        .route("/staff/identities/{id}", get(identity_page))
        .route("/staff/identities/{id}/photos/{photo}", get(identity_photo))
        .route("/staff/identities/{id}/decision", post(decide))
        .route("/staff/requests", get(queue))
        .route("/staff/requests.csv", get(export))
        .route("/staff/requests/bulk", post(bulk))
        .route("/staff/requests/{id}", get(request_page))
        .route("/staff/requests/{id}/files/{file}", get(request_file))
        .route("/staff/requests/{id}/status", post(move_request))
        .route("/staff/requests/{id}/assign", post(assign))
        .route("/staff/requests/{id}/notes", post(note))
        .route("/staff/requests/{id}/documents", post(issue_document))
        .route("/staff/documents/{id}/revoke", post(revoke_document))
        .route("/staff/audit", get(audit))
}

/// A short confirmation after an action: `?done=<code>`, shown from `backoffice.done.<code>`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Done {
    done: Option<String>,
}

const DONE: &[&str] = &["approved", "rejected", "moved", "assigned", "note", "issued", "revoked", "received", "bulk_assigned"];

fn done_key(q: &Done) -> Option<String> {
    q.done.as_deref().filter(|d| DONE.contains(d)).map(|d| format!("backoffice.done.{d}"))
}

// ---------------------------------------------------------------------------------------------
// Dashboard

#[derive(Serialize)]
struct StatusCount {
    status: StatusView,
    count: i64,
}

#[derive(Serialize)]
struct CategoryRow {
    title: String,
    counts: Vec<i64>,
}

#[derive(Serialize)]
struct DashboardPage {
    me: Me,
    by_status: Vec<StatusCount>,
    statuses: Vec<StatusView>,
    by_category: Vec<CategoryRow>,
    identities_waiting: u64,
    overdue: u64,
    median_30: Option<String>,
    median_90: Option<String>,
    completed_30: usize,
    completed_90: usize,
}

fn category_title(c: &store::services::Category, lang: Lang) -> String {
    match lang {
        Lang::Th => c.title_th.clone(),
        Lang::En => c.title_en.clone(),
    }
}

async fn dashboard(State(state): State<AppState>, tenant: Tenant, RequestLang(lang): RequestLang, can: Can<ViewQueues>) -> Result<Response, AppError> {
    let board = app::backoffice::dashboard::load(&state.app, &can.granted, &calendar(&tenant), Utc::now()).await?;
    let catalogue = store::services::catalogue(&state.db, can.granted.scope()).await?;
    let statuses: Vec<StatusView> = Status::ALL.iter().map(|s| status_view(&state.views, lang, s.as_str())).collect();
    let by_category = catalogue
        .iter()
        .map(|c| CategoryRow {
            title: category_title(&c.category, lang),
            counts: Status::ALL
                .iter()
                .map(|s| board.by_category_status.get(&(c.category.id, s.as_str().to_owned())).copied().unwrap_or(0))
                .collect(),
        })
        .filter(|row| row.counts.iter().any(|n| *n > 0))
        .collect();
    let page = DashboardPage {
        me: me(&state, &can.who).await,
        by_status: Status::ALL
            .iter()
            .map(|s| StatusCount { status: status_view(&state.views, lang, s.as_str()), count: board.by_status.get(s.as_str()).copied().unwrap_or(0) })
            .collect(),
        statuses,
        by_category,
        identities_waiting: board.identities_waiting,
        overdue: overdue_count(&state, &tenant, &can.granted).await?,
        median_30: board.median_days_30.map(|d| format!("{d:.1}")),
        median_90: board.median_days_90.map(|d| format!("{d:.1}")),
        completed_30: board.completed_30,
        completed_90: board.completed_90,
    };
    render(&state, &tenant, lang, "/staff", "staff/dashboard.html", StatusCode::OK, &page)
}

// ---------------------------------------------------------------------------------------------
// Identity checks

#[derive(Serialize)]
struct IdentityQueuePage {
    me: Me,
    rows: Vec<super::view::CitizenView>,
    pager: Pager,
}

async fn identities(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    can: Can<ViewQueues>,
    Query(q): Query<view::PageQuery>,
) -> Result<Response, AppError> {
    let found = identity::queue(&state.app, &can.granted, q.number(), PER_PAGE).await?;
    let now = Utc::now();
    let page = IdentityQueuePage {
        me: me(&state, &can.who).await,
        rows: found.items.iter().map(|c| citizen_view(&state, &calendar(&tenant), lang, c, now)).collect(),
        pager: Pager::new(q.number(), found.total, PER_PAGE),
    };
    render(&state, &tenant, lang, "/staff/identities", "staff/identities.html", StatusCode::OK, &page)
}

#[derive(Serialize)]
struct IdentityPage {
    me: Me,
    citizen: super::view::CitizenView,
    photos: Vec<String>,
    pending: bool,
    done: Option<String>,
    error: Option<String>,
    reason: String,
}

async fn identity_view_page(
    state: &AppState,
    tenant: &Tenant,
    lang: Lang,
    can: &Can<ViewQueues>,
    id: Uuid,
    done: Option<String>,
    error: Option<(StatusCode, String, String)>,
) -> Result<Response, AppError> {
    let (citizen, photos) = identity::show(&state.app, &can.granted, id).await?.ok_or(AppError::NotFound)?;
    let (status, error, reason) = match error {
        Some((status, message, reason)) => (status, Some(message), reason),
        None => (StatusCode::OK, None, String::new()),
    };
    let page = IdentityPage {
        me: me(state, &can.who).await,
        pending: citizen.identity_status == store::citizens::identity_status::PENDING,
        citizen: citizen_view(state, &calendar(tenant), lang, &citizen, Utc::now()),
        photos: photos.iter().map(|p| format!("/staff/identities/{id}/photos/{}", p.id)).collect(),
        done,
        error,
        reason,
    };
    render(state, tenant, lang, &format!("/staff/identities/{id}"), "staff/identity.html", status, &page)
}

async fn identity_page(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    can: Can<ViewQueues>,
    Path(id): Path<Uuid>,
    Query(q): Query<Done>,
) -> Result<Response, AppError> {
    identity_view_page(&state, &tenant, lang, &can, id, done_key(&q), None).await
}

async fn identity_photo(
    State(state): State<AppState>,
    can: Can<ViewQueues>,
    Path((id, photo)): Path<(Uuid, Uuid)>,
) -> Result<Response, AppError> {
    let bytes = identity::photo(&state.app, &can.granted, id, photo).await?.ok_or(AppError::NotFound)?;
    Ok(attachment(bytes, "image/jpeg", "id-card.jpg", false))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DecisionForm {
    csrf_token: String,
    decision: String,
    reason: String,
}

async fn decide(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    view_can: Can<ViewQueues>,
    can: Can<DecideIdentity>,
    Path(id): Path<Uuid>,
    HtmlForm(form): HtmlForm<DecisionForm>,
) -> Result<Response, AppError> {
    check_csrf(&can.who, &form.csrf_token)?;
    let decision = match form.decision.as_str() {
        "approve" => Decision::Approve,
        "reject" => Decision::Reject { reason: form.reason.clone() },
        _ => return Err(AppError::BadRequest),
    };
    let approve = decision == Decision::Approve;
    let failed = |status, key: &str| Some((status, state.views.t(lang, key), form.reason.clone()));
    let error = match identity::decide(&state.app, &can.granted, &tenant.0, id, decision).await {
        Ok(_) => {
            let done = if approve { "approved" } else { "rejected" };
            return Ok(Redirect::to(&format!("/staff/identities/{id}?done={done}")).into_response());
        }
        Err(DecideError::NotFound) => return Err(AppError::NotFound),
        Err(DecideError::NotPending { .. }) => failed(StatusCode::CONFLICT, "backoffice.identity.not_pending"),
        Err(DecideError::ReasonRequired) => failed(StatusCode::UNPROCESSABLE_ENTITY, "backoffice.identity.reason_required"),
        Err(DecideError::ReasonTooLong) => failed(StatusCode::UNPROCESSABLE_ENTITY, "backoffice.identity.reason_too_long"),
        Err(DecideError::Db(e)) => return Err(e.into()),
        Err(DecideError::Letter(e)) => return Err(AppError::Internal(e)),
    };
    identity_view_page(&state, &tenant, lang, &view_can, id, None, error).await
}

// ---------------------------------------------------------------------------------------------
// The request queue

/// The queue's filters as the query string gives them.
#[derive(Deserialize, Serialize, Default, Clone, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// A status, or `open`.
    pub status: String,
    /// A category id.
    pub category: String,
    /// A sub-menu id.
    pub item: String,
    /// Submitted from this day, `YYYY-MM-DD`.
    #[param(format = Date)]
    pub from: String,
    /// Submitted until this day, `YYYY-MM-DD`.
    #[param(format = Date)]
    pub until: String,
    /// `me`, `nobody`, or a staff id.
    pub assigned: String,
    pub q: String,
    /// `1`: only open requests past their sub-menu's service time.
    pub overdue: String,
    #[param(minimum = 1)]
    pub page: Option<u64>,
}

fn day_start(raw: &str) -> Option<chrono::DateTime<Utc>> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok().map(domain::locale::thai_midnight)
}

impl QueueQuery {
    /// The filter for the store; unknown values are ignored rather than refused.
    pub async fn filter(&self, state: &AppState, tenant: &Tenant, scope: store::Scope, me: Uuid) -> Result<QueueFilter, AppError> {
        let mut filter = QueueFilter { statuses: Status::parse(&self.status).into_iter().collect(), ..QueueFilter::default() };
        if self.status == "open" {
            filter.statuses = Status::ALL.into_iter().filter(|s| s.is_open()).collect();
        }
        if let Ok(item) = Uuid::parse_str(self.item.trim()) {
            filter.items = Some(vec![item]);
        } else if let Ok(category) = Uuid::parse_str(self.category.trim()) {
            let items = store::services::item_categories(&state.db, scope).await?;
            filter.items = Some(items.into_iter().filter(|(_, c)| *c == category).map(|(i, _)| i).collect());
        }
        filter.submitted_from = day_start(&self.from);
        filter.submitted_until = day_start(&self.until).map(|d| d + chrono::Duration::days(1));
        filter.assigned_to = match self.assigned.trim() {
            "me" => Some(Assigned::To(me)),
            "nobody" => Some(Assigned::Nobody),
            other => Uuid::parse_str(other).ok().map(Assigned::To),
        };
        let text = self.q.trim();
        filter.text = (!text.is_empty()).then(|| text.chars().take(100).collect());
        if matches!(self.overdue.trim(), "1" | "true" | "on") {
            filter.overdue_before = Some(overdue_cutoffs(state, tenant, scope).await?);
        }
        Ok(filter)
    }

    fn number(&self) -> u64 {
        self.page.unwrap_or(1).max(1)
    }

    /// The query string of these filters without the page, for pager and export links.
    fn without_page(&self) -> String {
        let pairs = [
            ("status", &self.status),
            ("category", &self.category),
            ("item", &self.item),
            ("from", &self.from),
            ("until", &self.until),
            ("assigned", &self.assigned),
            ("q", &self.q),
            ("overdue", &self.overdue),
        ];
        query_string(&pairs)
    }
}

/// How many open requests the staff member reaches are past their service time.
pub async fn overdue_count(state: &AppState, tenant: &Tenant, granted: &access::authz::Granted<ViewQueues>) -> Result<u64, AppError> {
    let filter = QueueFilter { overdue_before: Some(overdue_cutoffs(state, tenant, granted.scope()).await?), ..QueueFilter::default() };
    Ok(work::queue(&state.app, granted, filter, 1, 1).await?.total)
}

/// Per sub-menu with a service time: requests submitted before this instant are overdue today.
pub async fn overdue_cutoffs(state: &AppState, tenant: &Tenant, scope: store::Scope) -> Result<Vec<(Uuid, chrono::DateTime<Utc>)>, AppError> {
    let cal = calendar(tenant);
    let today = view::thai_date(Utc::now());
    let catalogue = store::services::catalogue(&state.db, scope).await?;
    Ok(catalogue
        .iter()
        .flat_map(|c| c.items.iter())
        .filter_map(|item| {
            let days = u32::try_from(item.service_days?).ok()?;
            // From the day after the last overdue submission day on, requests are in time.
            let in_time = cal.overdue_if_submitted_by(today, days) + chrono::Duration::days(1);
            Some((item.id, domain::locale::thai_midnight(in_time)))
        })
        .collect())
}

/// `a=1&b=x` of the filters that are set, for pager and export links.
fn query_string(pairs: &[(&str, &String)]) -> String {
    pairs
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", percent_encoding::utf8_percent_encode(v.trim(), percent_encoding::NON_ALPHANUMERIC)))
        .collect::<Vec<_>>()
        .join("&")
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = QueueRow)]
pub struct RowView {
    pub id: Uuid,
    pub reference: String,
    pub service: String,
    pub citizen: String,
    pub status: StatusView,
    pub submitted: String,
    pub days_open: i64,
    /// The sub-menu's service time in working days, its due date, and whether it is past due.
    #[schema(required)]
    pub service_days: Option<i32>,
    #[schema(required)]
    pub due: Option<String>,
    pub overdue: bool,
    #[schema(required)]
    pub assigned_to: Option<String>,
    pub identity: super::view::IdentityView,
    pub identity_verified: bool,
}

pub async fn row_views(state: &AppState, tenant: &Tenant, scope: store::Scope, lang: Lang, rows: &[QueueRow]) -> Result<Vec<RowView>, AppError> {
    let item_ids: Vec<Uuid> = rows.iter().map(|r| r.item_id).collect();
    let titles = view::service_titles(state, scope, &item_ids, lang).await?;
    let service_days = service_days(state, scope).await?;
    let cal = calendar(tenant);
    let names = staff_names(state, scope).await?;
    let now = Utc::now();
    Ok(rows
        .iter()
        .map(|r| RowView {
            id: r.id,
            reference: r.reference.clone(),
            service: titles.get(&r.item_id).cloned().unwrap_or_default(),
            citizen: format!("{}{} {}", r.title, r.first_name, r.last_name),
            status: status_view(&state.views, lang, &r.status),
            submitted: when(r.submitted_at, lang),
            days_open: days_waited(&cal, r.submitted_at, now),
            service_days: service_days.get(&r.item_id).copied(),
            due: service_days.get(&r.item_id).map(|d| {
                domain::locale::format_date(cal.due_date(view::thai_date(r.submitted_at), u32::try_from(*d).unwrap_or(0)), lang)
            }),
            overdue: Status::parse(&r.status).is_some_and(Status::is_open)
                && service_days.get(&r.item_id).is_some_and(|d| days_waited(&cal, r.submitted_at, now) > i64::from(*d)),
            assigned_to: r.assigned_to.and_then(|id| names.get(&id).cloned()),
            identity: identity_view(state, lang, &r.identity_status),
            identity_verified: r.identity_status == store::citizens::identity_status::VERIFIED,
        })
        .collect())
}

/// The service time of every sub-menu that has one.
async fn service_days(state: &AppState, scope: store::Scope) -> Result<HashMap<Uuid, i32>, AppError> {
    let catalogue = store::services::catalogue(&state.db, scope).await?;
    Ok(catalogue.iter().flat_map(|c| c.items.iter()).filter_map(|i| Some((i.id, i.service_days?))).collect())
}

async fn staff_names(state: &AppState, scope: store::Scope) -> Result<HashMap<Uuid, String>, AppError> {
    Ok(store::staff::list(&state.db, scope).await?.into_iter().map(|s| (s.id, s.name)).collect())
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
}

#[derive(Serialize)]
struct QueuePage {
    me: Me,
    query: QueueQuery,
    rows: Vec<RowView>,
    pager: Pager,
    link_query: String,
    statuses: Vec<Choice>,
    categories: Vec<Choice>,
    items: Vec<Choice>,
    assignees: Vec<Choice>,
    done: Option<String>,
    bulk_result: Option<String>,
}

async fn queue(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    can: Can<ViewQueues>,
    Query(q): Query<QueueQuery>,
    Query(done): Query<Done>,
) -> Result<Response, AppError> {
    let scope = can.granted.scope();
    let filter = q.filter(&state, &tenant, scope, can.who.id()).await?;
    let found = work::queue(&state.app, &can.granted, filter, q.number(), PER_PAGE).await?;
    let catalogue = store::services::catalogue(&state.db, scope).await?;
    let assignees = app::staff::manage::assignable(&state.app, &can.granted).await?;
    let page = QueuePage {
        me: me(&state, &can.who).await,
        rows: row_views(&state, &tenant, scope, lang, &found.items).await?,
        pager: Pager::new(q.number(), found.total, PER_PAGE),
        link_query: q.without_page(),
        statuses: std::iter::once(Choice { value: "open".into(), label: state.views.t(lang, "backoffice.queue.open") })
            .chain(Status::ALL.iter().map(|s| Choice { value: s.as_str().into(), label: state.views.t(lang, s.message_key()) }))
            .collect(),
        categories: catalogue.iter().map(|c| Choice { value: c.category.id.to_string(), label: category_title(&c.category, lang) }).collect(),
        items: catalogue
            .iter()
            .flat_map(|c| c.items.iter())
            .map(|i| Choice {
                value: i.id.to_string(),
                label: match lang {
                    Lang::Th => i.title_th.clone(),
                    Lang::En => i.title_en.clone(),
                },
            })
            .collect(),
        assignees: assignees.into_iter().map(|s| Choice { value: s.id.to_string(), label: s.name }).collect(),
        done: done_key(&done),
        bulk_result: None,
        query: q,
    };
    render(&state, &tenant, lang, "/staff/requests", "staff/queue.html", StatusCode::OK, &page)
}

/// The filtered queue as CSV, streamed in batches: UTF-8 with a BOM so Excel shows Thai, and
/// cells that a spreadsheet would read as a formula neutralised.
async fn export(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    can: Can<ExportRequests>,
    Query(q): Query<QueueQuery>,
) -> Result<Response, AppError> {
    let scope = can.granted.scope();
    let mut filter = q.filter(&state, &tenant, scope, can.who.id()).await?;
    work::narrow(&state.db, &can.granted, &mut filter).await?;
    let header_row = ["reference", "service", "status", "submitted", "days_open", "citizen", "national_id", "identity", "assigned_to"]
        .iter()
        .map(|k| state.views.t(lang, &format!("backoffice.csv.{k}")))
        .collect::<Vec<_>>();
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<bytes::Bytes, std::io::Error>>(4);
    let db = state.db.clone();
    let cal = calendar(&tenant);
    tokio::spawn(async move {
        let mut head = String::from("\u{feff}");
        head.push_str(&csv_line(&header_row));
        if tx.send(Ok(head.into())).await.is_err() {
            return;
        }
        let mut after = None;
        loop {
            let rows = match store::requests::process::queue_batch(&db, scope, &filter, after, 500).await {
                Ok(rows) => rows,
                Err(e) => {
                    tracing::error!(error = %e, "CSV export failed");
                    let _ = tx.send(Err(std::io::Error::other("export failed"))).await;
                    return;
                }
            };
            let Some(last) = rows.last() else { return };
            after = Some((last.submitted_at, last.id));
            let titles = store::services::item_titles(&db, scope, &rows.iter().map(|r| r.item_id).collect::<Vec<_>>()).await.unwrap_or_default();
            let names: HashMap<Uuid, String> =
                store::staff::list(&db, scope).await.unwrap_or_default().into_iter().map(|s| (s.id, s.name)).collect();
            let now = Utc::now();
            let mut chunk = String::new();
            for r in &rows {
                let title = titles.get(&r.item_id).map(|(th, en)| if lang == Lang::Th { th.clone() } else { en.clone() }).unwrap_or_default();
                chunk.push_str(&csv_line(&[
                    r.reference.clone(),
                    title,
                    r.status.clone(),
                    view::when(r.submitted_at, lang),
                    days_waited(&cal, r.submitted_at, now).to_string(),
                    format!("{}{} {}", r.title, r.first_name, r.last_name),
                    r.national_id.clone(),
                    r.identity_status.clone(),
                    r.assigned_to.and_then(|id| names.get(&id).cloned()).unwrap_or_default(),
                ]));
            }
            if tx.send(Ok(chunk.into())).await.is_err() {
                return;
            }
            if rows.len() < 500 {
                return;
            }
        }
    });
    let stream = futures_stream(rx);
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    headers.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"requests.csv\""));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(response)
}

fn futures_stream(
    mut rx: tokio::sync::mpsc::Receiver<Result<bytes::Bytes, std::io::Error>>,
) -> impl futures::Stream<Item = Result<bytes::Bytes, std::io::Error>> {
    futures::stream::poll_fn(move |cx| rx.poll_recv(cx))
}

/// One CSV line (RFC 4180 quoting); a cell starting with `= + - @` gets a leading `'`.
pub fn csv_line(cells: &[String]) -> String {
    let mut line = cells
        .iter()
        .map(|cell| {
            let cell = if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{cell}") } else { cell.clone() };
            if cell.contains([',', '"', '\n', '\r']) { format!("\"{}\"", cell.replace('"', "\"\"")) } else { cell }
        })
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

async fn bulk(
    State(state): State<AppState>,
    tenant: Tenant,
    can: Can<ProcessRequests>,
    HtmlForm(pairs): HtmlForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or_default();
    check_csrf(&can.who, get("csrf_token"))?;
    let ids: Vec<Uuid> = pairs.iter().filter(|(k, _)| k == "ids").filter_map(|(_, v)| Uuid::parse_str(v).ok()).take(200).collect();
    let done = match get("action") {
        "receive" => {
            work::bulk_receive(&state.app, &can.granted, &tenant.0, &ids).await?;
            "received"
        }
        "assign" => {
            let to = super::assignee(get("assignee"), can.who.id()).ok_or(AppError::BadRequest)?;
            match work::bulk_assign(&state.app, &can.granted, &ids, to).await {
                Ok(_) => "bulk_assigned",
                Err(ProcessError::NoSuchAssignee) => return Err(AppError::BadRequest),
                Err(e) => return Err(AppError::Internal(anyhow::anyhow!("{e}"))),
            }
        }
        _ => return Err(AppError::BadRequest),
    };
    Ok(Redirect::to(&format!("/staff/requests?done={done}")).into_response())
}

// ---------------------------------------------------------------------------------------------
// A request

#[derive(Serialize)]
struct NoteView {
    body: String,
    public: bool,
    by: String,
    at: String,
}

#[derive(Serialize)]
struct StaffDocumentView {
    #[serde(flatten)]
    doc: view::DocumentView,
    revocable: bool,
}

#[derive(Serialize)]
struct RequestPage {
    me: Me,
    id: Uuid,
    reference: String,
    version: i32,
    service: String,
    status: StatusView,
    open: bool,
    submitted: String,
    days_open: i64,
    service_days: Option<i32>,
    due: Option<String>,
    overdue: bool,
    assigned_to: Option<String>,
    citizen: super::view::CitizenView,
    identity_verified: bool,
    answers: Vec<view::AnswerView>,
    files: Vec<FileRef>,
    events: Vec<view::EventView>,
    notes: Vec<NoteView>,
    documents: Vec<StaffDocumentView>,
    moves: Vec<Choice>,
    assignees: Vec<Choice>,
    done: Option<String>,
    error: Option<String>,
    can_complete: bool,
}

#[derive(Serialize)]
struct FileRef {
    filename: String,
    mime: String,
    size: String,
    url: String,
    image: bool,
}

/// Where a failed action leaves the officer: the page again, with the message and its status.
struct Failure {
    status: StatusCode,
    message: String,
}

async fn request_view(
    state: &AppState,
    tenant: &Tenant,
    lang: Lang,
    can: &Can<ViewQueues>,
    id: Uuid,
    done: Option<String>,
    failure: Option<Failure>,
) -> Result<Response, AppError> {
    let scope = can.granted.scope();
    let detail = match work::detail(&state.app, &can.granted, id).await {
        Ok(d) => d,
        Err(e) => return Err(process_error(state, lang, e)),
    };
    let r = &detail.request;
    let names = staff_names(state, scope).await?;
    let status = Status::parse(&r.status);
    let moves = Status::ALL
        .iter()
        .filter(|to| status.is_some_and(|from| from.transition(**to, Some("x")).is_ok()))
        .map(|to| Choice { value: to.as_str().into(), label: state.views.t(lang, to.message_key()) })
        .collect();
    let assignees = app::staff::manage::assignable(&state.app, &can.granted).await?;
    let identity_verified = detail.citizen.identity_status == store::citizens::identity_status::VERIFIED;
    let as_row = QueueRow {
        id: r.id,
        reference: r.reference.clone(),
        item_id: r.item_id,
        status: r.status.clone(),
        submitted_at: r.submitted_at,
        updated_at: r.updated_at,
        version: r.version,
        assigned_to: r.assigned_to,
        citizen_id: r.citizen_id,
        title: detail.citizen.title.clone(),
        first_name: detail.citizen.first_name.clone(),
        last_name: detail.citizen.last_name.clone(),
        national_id: detail.citizen.national_id.clone(),
        identity_status: detail.citizen.identity_status.clone(),
    };
    let row = row_views(state, tenant, scope, lang, std::slice::from_ref(&as_row)).await?.pop().ok_or(AppError::NotFound)?;
    let (status_code, error) = match failure {
        Some(f) => (f.status, Some(f.message)),
        None => (StatusCode::OK, None),
    };
    let page = RequestPage {
        me: me(state, &can.who).await,
        id: r.id,
        reference: r.reference.clone(),
        version: r.version,
        service: view::service_title(state, scope, r.item_id, lang).await?,
        status: status_view(&state.views, lang, &r.status),
        open: status.is_some_and(Status::is_open),
        submitted: when(r.submitted_at, lang),
        days_open: days_waited(&calendar(tenant), r.submitted_at, Utc::now()),
        service_days: row.service_days,
        due: row.due,
        overdue: row.overdue,
        assigned_to: r.assigned_to.and_then(|a| names.get(&a).cloned()),
        citizen: citizen_view(state, &calendar(tenant), lang, &detail.citizen, Utc::now()),
        identity_verified,
        can_complete: identity_verified || tenant.0.settings.back_office.complete_unverified,
        answers: view::answers(state, scope, r, lang).await?,
        files: detail
            .files
            .iter()
            .map(|f| {
                let v = view::file_view(&r.reference, f);
                FileRef {
                    image: f.mime.starts_with("image/"),
                    url: format!("/staff/requests/{}/files/{}", r.id, f.id),
                    filename: v.filename,
                    mime: v.mime,
                    size: v.size,
                }
            })
            .collect(),
        events: detail.events.iter().map(|e| view::event_view(&state.views, lang, e)).collect(),
        notes: detail
            .notes
            .iter()
            .map(|n| NoteView {
                body: n.body.clone(),
                public: n.public,
                by: names.get(&n.staff_id).cloned().unwrap_or_default(),
                at: when(n.created_at, lang),
            })
            .collect(),
        documents: detail
            .documents
            .iter()
            .map(|d| {
                let doc = view::document_view(state, &tenant.0, lang, &r.reference, d);
                StaffDocumentView { revocable: doc.state != "revoked", doc }
            })
            .collect(),
        moves,
        assignees: assignees.into_iter().map(|s| Choice { value: s.id.to_string(), label: s.name }).collect(),
        done,
        error,
    };
    render(state, tenant, lang, &format!("/staff/requests/{id}"), "staff/request.html", status_code, &page)
}

async fn request_page(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    can: Can<ViewQueues>,
    Path(id): Path<Uuid>,
    Query(q): Query<Done>,
) -> Result<Response, AppError> {
    request_view(&state, &tenant, lang, &can, id, done_key(&q), None).await
}

async fn request_file(State(state): State<AppState>, can: Can<ViewQueues>, Path((id, file)): Path<(Uuid, Uuid)>) -> Result<Response, AppError> {
    match work::file(&state.app, &can.granted, id, file).await {
        Ok(Some((f, bytes))) => Ok(attachment(bytes, &f.mime, &f.filename, false)),
        Ok(None) => Err(AppError::NotFound),
        Err(ProcessError::NotFound) => Err(AppError::NotFound),
        Err(ProcessError::OutOfReach) => Err(AppError::Forbidden),
        Err(e) => Err(AppError::Internal(anyhow::anyhow!("{e}"))),
    }
}

/// Errors that are not shown on the page itself.
fn process_error(state: &AppState, lang: Lang, e: ProcessError) -> AppError {
    match e {
        ProcessError::NotFound => AppError::NotFound,
        ProcessError::OutOfReach => AppError::Forbidden,
        ProcessError::Stale { by, at } => AppError::Stale { by: by.unwrap_or_else(|| state.views.t(lang, "backoffice.someone")), at: when(at, lang) },
        ProcessError::Db(e) => e.into(),
        other => AppError::Internal(anyhow::anyhow!("{other}")),
    }
}

/// The message for a refused change, or the error when it is not one to show on the page.
fn refused(state: &AppState, lang: Lang, e: ProcessError) -> Result<Failure, AppError> {
    let t = |key: &str| state.views.t(lang, key);
    let (status, message) = match e {
        ProcessError::Transition(domain::request::TransitionError::ReasonRequired) => {
            (StatusCode::UNPROCESSABLE_ENTITY, t("backoffice.request.reason_required"))
        }
        ProcessError::Transition(domain::request::TransitionError::NotAllowed { .. }) => {
            (StatusCode::UNPROCESSABLE_ENTITY, t("backoffice.request.move_not_allowed"))
        }
        ProcessError::Stale { by, at } => (
            StatusCode::CONFLICT,
            t("error.stale").replace("{by}", &by.unwrap_or_else(|| t("backoffice.someone"))).replace("{at}", &when(at, lang)),
        ),
        ProcessError::IdentityNotVerified => (StatusCode::UNPROCESSABLE_ENTITY, t("backoffice.request.identity_not_verified")),
        ProcessError::NoSuchAssignee => (StatusCode::UNPROCESSABLE_ENTITY, t("backoffice.request.no_such_assignee")),
        ProcessError::NoteRequired => (StatusCode::UNPROCESSABLE_ENTITY, t("backoffice.request.note_required")),
        ProcessError::NoteTooLong => (StatusCode::UNPROCESSABLE_ENTITY, t("backoffice.request.note_too_long")),
        other => return Err(process_error(state, lang, other)),
    };
    Ok(Failure { status, message })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MoveForm {
    csrf_token: String,
    to: String,
    version: i32,
    note: String,
}

async fn move_request(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    view_can: Can<ViewQueues>,
    can: Can<ProcessRequests>,
    Path(id): Path<Uuid>,
    HtmlForm(form): HtmlForm<MoveForm>,
) -> Result<Response, AppError> {
    check_csrf(&can.who, &form.csrf_token)?;
    let Some(to) = Status::parse(&form.to) else {
        let failure = Failure { status: StatusCode::UNPROCESSABLE_ENTITY, message: state.views.t(lang, "backoffice.request.move_not_allowed") };
        return request_view(&state, &tenant, lang, &view_can, id, None, Some(failure)).await;
    };
    let note = Some(form.note.trim().to_owned()).filter(|n| !n.is_empty());
    match work::change_status(&state.app, &can.granted, &tenant.0, id, Move { to, version: form.version, note }).await {
        Ok(_) => Ok(Redirect::to(&format!("/staff/requests/{id}?done=moved")).into_response()),
        Err(e) => {
            let failure = refused(&state, lang, e)?;
            request_view(&state, &tenant, lang, &view_can, id, None, Some(failure)).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AssignForm {
    csrf_token: String,
    to: String,
    version: Option<i32>,
}

async fn assign(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    view_can: Can<ViewQueues>,
    can: Can<ProcessRequests>,
    Path(id): Path<Uuid>,
    HtmlForm(form): HtmlForm<AssignForm>,
) -> Result<Response, AppError> {
    check_csrf(&can.who, &form.csrf_token)?;
    let to = super::assignee(&form.to, can.who.id()).ok_or(AppError::BadRequest)?;
    match work::assign(&state.app, &can.granted, id, form.version, to).await {
        Ok(_) => Ok(Redirect::to(&format!("/staff/requests/{id}?done=assigned")).into_response()),
        Err(e) => {
            let failure = refused(&state, lang, e)?;
            request_view(&state, &tenant, lang, &view_can, id, None, Some(failure)).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NoteForm {
    csrf_token: String,
    body: String,
    /// `public` for a note the citizen sees; anything else is internal.
    visibility: String,
}

async fn note(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    view_can: Can<ViewQueues>,
    can: Can<ProcessRequests>,
    Path(id): Path<Uuid>,
    HtmlForm(form): HtmlForm<NoteForm>,
) -> Result<Response, AppError> {
    check_csrf(&can.who, &form.csrf_token)?;
    match work::add_note(&state.app, &can.granted, id, form.visibility == "public", &form.body).await {
        Ok(_) => Ok(Redirect::to(&format!("/staff/requests/{id}?done=note")).into_response()),
        Err(e) => {
            let failure = refused(&state, lang, e)?;
            request_view(&state, &tenant, lang, &view_can, id, None, Some(failure)).await
        }
    }
}

/// The fields of the attach-a-document form, read from multipart.
pub async fn read_document_form(multipart: Multipart) -> Result<(HashMap<String, String>, Option<(String, bytes::Bytes)>), AppError> {
    crate::extract::form_with_file(Ok(multipart), "file", domain::form::MAX_FILE_BYTES as usize).await
}

pub fn document_input(fields: &HashMap<String, String>, file: Option<(String, bytes::Bytes)>) -> Result<NewDocumentInput, (&'static str, &'static str)> {
    let get = |k: &str| fields.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
    let valid_until = match get("valid_until") {
        v if v.is_empty() => None,
        v => Some(NaiveDate::parse_from_str(&v, "%Y-%m-%d").map_err(|_| ("valid_until", "invalid_date"))?),
    };
    let (name, bytes) = file.unwrap_or_default();
    Ok(NewDocumentInput {
        kind: get("kind"),
        number: get("number"),
        title_th: get("title_th"),
        title_en: get("title_en"),
        name,
        bytes,
        valid_until,
    })
}

async fn issue_document(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    view_can: Can<ViewQueues>,
    can: Can<IssueDocuments>,
    Path(id): Path<Uuid>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let (fields, file) = read_document_form(multipart).await?;
    check_csrf(&can.who, fields.get("csrf_token").map(String::as_str).unwrap_or_default())?;
    let result = match document_input(&fields, file) {
        Ok(input) => docs::issue(&state.app, &can.granted, id, input).await,
        Err((field, code)) => Err(DocumentError::Invalid { field, code }),
    };
    let failure = match result {
        Ok(_) => return Ok(Redirect::to(&format!("/staff/requests/{id}?done=issued")).into_response()),
        Err(e) => document_refused(&state, lang, e)?,
    };
    request_view(&state, &tenant, lang, &view_can, id, None, Some(failure)).await
}

fn document_refused(state: &AppState, lang: Lang, e: DocumentError) -> Result<Failure, AppError> {
    match e {
        DocumentError::NotFound => Err(AppError::NotFound),
        DocumentError::OutOfReach => Err(AppError::Forbidden),
        DocumentError::Invalid { field, code } => Ok(Failure {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: format!(
                "{}: {}",
                state.views.t(lang, &format!("backoffice.document.{field}")),
                state.views.t(lang, &format!("backoffice_error.{code}"))
            ),
        }),
        DocumentError::AlreadyRevoked => Ok(Failure { status: StatusCode::CONFLICT, message: state.views.t(lang, "backoffice.document.already_revoked") }),
        DocumentError::Db(e) => Err(e.into()),
        DocumentError::Storage(e) => Err(AppError::Internal(e)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RevokeForm {
    csrf_token: String,
    reason: String,
}

async fn revoke_document(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    view_can: Can<ViewQueues>,
    can: Can<IssueDocuments>,
    Path(id): Path<Uuid>,
    HtmlForm(form): HtmlForm<RevokeForm>,
) -> Result<Response, AppError> {
    check_csrf(&can.who, &form.csrf_token)?;
    let doc = store::documents::find(&state.db, can.granted.scope(), id).await?.ok_or(AppError::NotFound)?;
    match docs::revoke(&state.app, &can.granted, id, &form.reason).await {
        Ok(_) => Ok(Redirect::to(&format!("/staff/requests/{}?done=revoked", doc.request_id)).into_response()),
        Err(e) => {
            let failure = document_refused(&state, lang, e)?;
            request_view(&state, &tenant, lang, &view_can, doc.request_id, None, Some(failure)).await
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Audit trail

#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
struct AuditQuery {
    action: String,
    subject: String,
    from: String,
    until: String,
    page: Option<u64>,
}

#[derive(Serialize)]
struct AuditRow {
    at: String,
    actor: String,
    ip: String,
    action: String,
    subject: String,
    before: Option<String>,
    after: Option<String>,
}

#[derive(Serialize)]
struct AuditPage {
    me: Me,
    query: AuditQuery,
    rows: Vec<AuditRow>,
    pager: Pager,
    link_query: String,
}

async fn audit(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    can: Can<ReadAudit>,
    Query(q): Query<AuditQuery>,
) -> Result<Response, AppError> {
    let filter = store::audit::Filter {
        action: Some(q.action.trim().to_owned()).filter(|a| !a.is_empty()),
        actor: None,
        subject: Some(q.subject.trim().to_owned()).filter(|s| !s.is_empty()),
        since: day_start(&q.from),
        until: day_start(&q.until).map(|d| d + chrono::Duration::days(1)),
    };
    let number = q.page.unwrap_or(1).max(1);
    let found = app::audit::list(&state.app, &can.granted, &filter, number, 50).await?;
    let link_query = query_string(&[("action", &q.action), ("subject", &q.subject), ("from", &q.from), ("until", &q.until)]);
    let page = AuditPage {
        me: me(&state, &can.who).await,
        rows: found
            .items
            .iter()
            .map(|r| AuditRow {
                at: when(r.created_at, lang),
                actor: r.actor_label.clone(),
                ip: r.ip.clone(),
                action: r.action.clone(),
                subject: format!("{} {}", r.subject_kind, r.subject_id),
                before: r.before.clone(),
                after: r.after.clone(),
            })
            .collect(),
        pager: Pager::new(number, found.total, 50),
        link_query,
        query: q,
    };
    render(&state, &tenant, lang, "/staff/audit", "staff/audit.html", StatusCode::OK, &page)
}
