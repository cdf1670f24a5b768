//! The back office as JSON under `/api/v1/backoffice`: the same use cases and capabilities as
//! the pages, a bearer token from `auth/login` (e-mail, password and TOTP code in one call).

use access::authz::{DecideIdentity, IssueDocuments, ManageStaff, ProcessRequests, ReadAudit, Role, ViewQueues};
use app::staff::manage::{self, ManageError};
use app::backoffice::documents::{self as docs, DocumentError};
use app::backoffice::identity::{self, DecideError, Decision};
use app::backoffice::requests::{self as work, Move, ProcessError};
use app::staff::sign_in::{self, Client as StaffClient, SignInError};
use axum::extract::{Multipart, State};
use crate::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use domain::locale::Lang;
use domain::request::Status;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::pages::{QueueQuery, RowView, document_input, read_document_form, row_views};
use super::view::{CitizenView, calendar, citizen_view};
use super::{Can, MaybeStaff};
use crate::accounts::login::Client;
use crate::api::auth::ApiJson;
use crate::api::refusals::{InvalidField, InvalidQuery, NoPermission, NoStaffSession, NotInTenant, NotJson, NotMultipart};
use crate::error::{AppError, FieldIssue, refusal};
use crate::i18n::RequestLang;
use crate::requests::view::{self, Pager, StatusView, status_view, when};
use crate::state::AppState;
use crate::tenancy::Tenant;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(dashboard))
        .routes(routes!(identities))
        .routes(routes!(identity_detail))
        .routes(routes!(decide))
        .routes(routes!(queue))
        .routes(routes!(request_detail))
        .routes(routes!(move_request))
        .routes(routes!(assign))
        .routes(routes!(note))
        .routes(routes!(issue_document))
        .routes(routes!(revoke_document))
        .routes(routes!(audit))
        .routes(routes!(staff_list, staff_invite))
        .routes(routes!(staff_deactivate))
        .routes(routes!(staff_role))
        .routes(routes!(staff_categories))
        .routes(routes!(staff_reset_totp))
}

/// An error response with its own code and message (rendered as JSON by the site layer).
fn invalid(field: &str, code: &str) -> AppError {
    AppError::Validation(vec![FieldIssue::backoffice(field, code)])
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(default)]
#[schema(as = StaffLogin)]
struct LoginBody {
    #[schema(required)]
    email: String,
    #[schema(required)]
    password: String,
    totp_code: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = StaffToken)]
struct TokenView {
    token: String,
    expires_at: DateTime<Utc>,
}

#[utoipa::path(
    post,
    path = "/api/v1/backoffice/auth/login",
    tag = "backoffice",
    operation_id = "staffLogin",
    summary = "Staff sign-in: e-mail, password and TOTP (or recovery) code; returns a bearer token",
    description = "401 `invalid_credentials`, `wrong_code` or `reused_code`; 403 `enrolment_required` when TOTP must be set up on the pages first.",
    request_body = LoginBody,
    responses(
        (status = 200, description = "A staff bearer token", body = TokenView),
        (status = 400, description = "A body that is not JSON", body = crate::ErrorBody),
        (status = 401, description = "A wrong e-mail, password or code", body = crate::ErrorBody),
        (status = 403, description = "`enrolment_required`: set up TOTP on the sign-in page first", body = crate::ErrorBody),
        (status = 404, description = "No such record in this tenant (or no municipality at this host)", body = crate::ErrorBody),
        (status = 422, description = "A wrong field; `fields` names it", body = crate::ErrorBody),
        (status = 429, description = "Too many attempts; `Retry-After` says when to try again", body = crate::ErrorBody),
    ),
)]
async fn login(State(state): State<AppState>, tenant: Tenant, c: Client, ApiJson(body): ApiJson<LoginBody>) -> Result<Response, AppError> {
    if body.email.trim().is_empty() {
        return Err(invalid("email", "required"));
    }
    if body.password.is_empty() {
        return Err(invalid("password", "required"));
    }
    let client = StaffClient { ip: &c.ip, user_agent: &c.user_agent, kind: access::staff::API };
    let result =
        sign_in::with_password_and_code(&state.app, &state.staff_limits, &tenant.0, body.email.trim(), &body.password, body.totp_code.as_deref(), &client)
            .await;
    match result {
        Ok(started) => Ok(Json(TokenView { token: started.token, expires_at: started.expires_at }).into_response()),
        Err(SignInError::BadCredentials) => Ok(refusal(StatusCode::UNAUTHORIZED, "invalid_credentials", "backoffice.login.error_invalid")),
        Err(SignInError::WrongCode) => Ok(refusal(StatusCode::UNAUTHORIZED, "wrong_code", "backoffice.login.error_code")),
        Err(SignInError::ReusedCode) => Ok(refusal(StatusCode::UNAUTHORIZED, "reused_code", "backoffice.login.error_reused")),
        Err(SignInError::EnrolmentRequired) => Ok(refusal(StatusCode::FORBIDDEN, "enrolment_required", "backoffice.login.error_enrol")),
        Err(SignInError::TooMany(wait)) => Err(wait.into()),
        Err(SignInError::Db(e)) => Err(e.into()),
        Err(SignInError::Other(e)) => Err(AppError::Internal(e)),
    }
}

#[utoipa::path(
    post,
    path = "/api/v1/backoffice/auth/logout",
    tag = "backoffice",
    operation_id = "staffLogout",
    summary = "End this staff token's session",
    security(("staffBearer" = [])),
    responses(
        (status = 204, description = "Ended"),
        (status = 401, description = "No live staff session of this tenant", body = crate::ErrorBody),
        (status = 404, description = "No such record in this tenant (or no municipality at this host)", body = crate::ErrorBody),
    ),
)]
async fn logout(State(state): State<AppState>, MaybeStaff(who): MaybeStaff) -> Result<StatusCode, AppError> {
    let who = who.ok_or(AppError::Unauthorized)?;
    sign_in::sign_out(&state.app, &who).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
#[schema(as = StaffMe)]
struct MeView {
    id: Uuid,
    name: String,
    email: String,
    roles: Vec<&'static str>,
    categories: Vec<Uuid>,
}

#[utoipa::path(
    get,
    path = "/api/v1/backoffice/me",
    tag = "backoffice",
    operation_id = "staffMe",
    summary = "The signed-in staff member, roles and categories",
    description = "Needs a staff bearer token with the permission `queues/view`.",
    security(("staffBearer" = [])),
    responses(
        (status = 200, description = "The staff member", body = MeView),
        NoStaffSession, NoPermission, NotInTenant,
    ),
)]
async fn me(State(state): State<AppState>, can: Can<ViewQueues>) -> Json<MeView> {
    let roles = sign_in::roles(&state.app, &can.who).await;
    Json(MeView {
        id: can.who.id(),
        name: can.who.staff().name.clone(),
        email: can.who.staff().email.clone(),
        roles: roles.iter().map(|r| r.as_str()).collect(),
        categories: can.who.categories().to_vec(),
    })
}

#[derive(Serialize, ToSchema)]
#[schema(as = Dashboard)]
struct DashboardView {
    by_status: std::collections::BTreeMap<String, i64>,
    by_category: Vec<CategoryCount>,
    identities_waiting: u64,
    overdue: u64,
    #[schema(required)]
    median_working_days_30: Option<f64>,
    #[schema(required)]
    median_working_days_90: Option<f64>,
    completed_30: usize,
    completed_90: usize,
}

#[derive(Serialize, ToSchema)]
struct CategoryCount {
    category_id: Uuid,
    status: String,
    count: i64,
}

#[utoipa::path(
    get,
    path = "/api/v1/backoffice/dashboard",
    tag = "backoffice",
    operation_id = "staffDashboard",
    summary = "Requests by status and category, identities waiting, overdue, median working days",
    description = "Needs a staff bearer token with the permission `queues/view`.",
    security(("staffBearer" = [])),
    responses(
        (status = 200, description = "The figures", body = DashboardView),
        NoStaffSession, NoPermission, NotInTenant,
    ),
)]
async fn dashboard(State(state): State<AppState>, tenant: Tenant, can: Can<ViewQueues>) -> Result<Json<DashboardView>, AppError> {
    let board = app::backoffice::dashboard::load(&state.app, &can.granted, &calendar(&tenant), Utc::now()).await?;
    Ok(Json(DashboardView {
        by_category: board
            .by_category_status
            .iter()
            .map(|((category_id, status), count)| CategoryCount { category_id: *category_id, status: status.clone(), count: *count })
            .collect(),
        by_status: board.by_status,
        identities_waiting: board.identities_waiting,
        overdue: super::pages::overdue_count(&state, &tenant, &can.granted).await?,
        median_working_days_30: board.median_days_30,
        median_working_days_90: board.median_days_90,
        completed_30: board.completed_30,
        completed_90: board.completed_90,
    }))
}

#[derive(Serialize, ToSchema)]
struct List<T> {
    items: Vec<T>,
    page: u64,
    pages: u64,
    total: u64,
}

fn list<T>(items: Vec<T>, pager: Pager) -> List<T> {
    List { items, page: pager.page, pages: pager.pages, total: pager.total }
}

const PER_PAGE: u64 = super::pages::PER_PAGE;

#[utoipa::path(
    get,
    path = "/api/v1/backoffice/identities",
    tag = "backoffice",
    operation_id = "staffIdentities",
    summary = "Citizens whose identity waits, oldest first",
    description = "Needs a staff bearer token with the permission `queues/view`.",
    security(("staffBearer" = [])),
    params(view::PageQuery),
    responses(
        (status = 200, description = "A page", body = List<CitizenView>),
        NoStaffSession, NoPermission, NotInTenant,
        InvalidQuery,
    ),
)]
async fn identities(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    can: Can<ViewQueues>,
    Query(q): Query<view::PageQuery>,
) -> Result<Json<List<CitizenView>>, AppError> {
    let found = identity::queue(&state.app, &can.granted, q.number(), PER_PAGE).await?;
    let now = Utc::now();
    let items = found.items.iter().map(|c| citizen_view(&state, &calendar(&tenant), lang, c, now)).collect();
    Ok(Json(list(items, Pager::new(q.number(), found.total, PER_PAGE))))
}

#[derive(Serialize, ToSchema)]
struct IdentityDetail {
    citizen: CitizenView,
    photos: Vec<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/backoffice/identities/{id}",
    tag = "backoffice",
    operation_id = "staffIdentity",
    summary = "A citizen's registration data and stamped ID photos",
    description = "Needs a staff bearer token with the permission `queues/view`.",
    security(("staffBearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The citizen and the URLs of the photos", body = IdentityDetail),
        NoStaffSession, NoPermission, NotInTenant,
    ),
)]
async fn identity_detail(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    can: Can<ViewQueues>,
    Path(id): Path<Uuid>,
) -> Result<Json<IdentityDetail>, AppError> {
    let (citizen, photos) = identity::show(&state.app, &can.granted, id).await?.ok_or(AppError::NotFound)?;
    Ok(Json(IdentityDetail {
        citizen: citizen_view(&state, &calendar(&tenant), lang, &citizen, Utc::now()),
        photos: photos.iter().map(|p| format!("/staff/identities/{id}/photos/{}", p.id)).collect(),
    }))
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(default)]
#[schema(as = IdentityDecision)]
struct DecisionBody {
    #[schema(required)]
    decision: String,
    reason: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/backoffice/identities/{id}/decision",
    tag = "backoffice",
    operation_id = "staffDecideIdentity",
    summary = "Approve, or reject with a reason the citizen reads",
    description = "Needs a staff bearer token with the permission `identities/decide`.",
    security(("staffBearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = DecisionBody,
    responses(
        (status = 200, description = "The citizen after the decision", body = CitizenView),
        NotJson, NoStaffSession, NoPermission, NotInTenant, InvalidField,
        (status = 409, description = "`not_pending`: the identity was decided already", body = crate::ErrorBody),
    ),
)]
async fn decide(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    can: Can<DecideIdentity>,
    Path(id): Path<Uuid>,
    ApiJson(body): ApiJson<DecisionBody>,
) -> Result<Response, AppError> {
    let decision = match body.decision.as_str() {
        "approve" => Decision::Approve,
        "reject" => Decision::Reject { reason: body.reason },
        _ => return Err(invalid("decision", "invalid_choice")),
    };
    match identity::decide(&state.app, &can.granted, &tenant.0, id, decision).await {
        Ok(citizen) => Ok(Json(citizen_view(&state, &calendar(&tenant), lang, &citizen, Utc::now())).into_response()),
        Err(DecideError::NotFound) => Err(AppError::NotFound),
        Err(DecideError::NotPending { .. }) => Ok(refusal(StatusCode::CONFLICT, "not_pending", "backoffice.identity.not_pending")),
        Err(DecideError::ReasonRequired) => Err(invalid("reason", "required")),
        Err(DecideError::ReasonTooLong) => Err(invalid("reason", "too_long")),
        Err(DecideError::Db(e)) => Err(e.into()),
        Err(DecideError::Letter(e)) => Err(AppError::Internal(e)),
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/backoffice/requests",
    tag = "backoffice",
    operation_id = "staffQueue",
    summary = "The request queue, filtered and paginated, oldest first",
    description = "Needs a staff bearer token with the permission `queues/view`.",
    security(("staffBearer" = [])),
    params(QueueQuery),
    responses(
        (status = 200, description = "A page", body = List<RowView>),
        NoStaffSession, NoPermission, NotInTenant,
        InvalidQuery,
    ),
)]
async fn queue(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    can: Can<ViewQueues>,
    Query(q): Query<QueueQuery>,
) -> Result<Json<List<RowView>>, AppError> {
    let scope = can.granted.scope();
    let filter = q.filter(&state, &tenant, scope, can.who.id()).await?;
    let page = q.page.unwrap_or(1).max(1);
    let found = work::queue(&state.app, &can.granted, filter, page, PER_PAGE).await?;
    let rows = row_views(&state, &tenant, scope, lang, &found.items).await?;
    Ok(Json(list(rows, Pager::new(page, found.total, PER_PAGE))))
}

#[derive(Serialize, ToSchema)]
#[schema(as = StaffNote)]
struct NoteView {
    id: Uuid,
    body: String,
    public: bool,
    staff_id: Uuid,
    at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = StaffRequest)]
struct RequestDetail {
    id: Uuid,
    reference: String,
    version: i32,
    status: StatusView,
    item_id: Uuid,
    service: String,
    submitted_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    #[schema(required)]
    assigned_to: Option<Uuid>,
    citizen: CitizenView,
    answers: Vec<view::AnswerView>,
    files: Vec<FileRef>,
    events: Vec<view::EventView>,
    notes: Vec<NoteView>,
    documents: Vec<view::DocumentView>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = StaffFile)]
struct FileRef {
    id: Uuid,
    field: String,
    filename: String,
    mime: String,
    url: String,
}

async fn detail_view(state: &AppState, tenant: &Tenant, lang: Lang, can: &Can<ViewQueues>, id: Uuid) -> Result<RequestDetail, AppError> {
    let scope = can.granted.scope();
    let d = work::detail(&state.app, &can.granted, id).await.map_err(|e| process_error(state, lang, e))?;
    let r = &d.request;
    Ok(RequestDetail {
        id: r.id,
        reference: r.reference.clone(),
        version: r.version,
        status: status_view(&state.views, lang, &r.status),
        item_id: r.item_id,
        service: view::service_title(state, scope, r.item_id, lang).await?,
        submitted_at: r.submitted_at,
        updated_at: r.updated_at,
        assigned_to: r.assigned_to,
        citizen: citizen_view(state, &calendar(tenant), lang, &d.citizen, Utc::now()),
        answers: view::answers(state, scope, r, lang).await?,
        files: d
            .files
            .iter()
            .map(|f| FileRef {
                id: f.id,
                field: f.field_key.clone(),
                filename: f.filename.clone(),
                mime: f.mime.clone(),
                url: format!("/staff/requests/{}/files/{}", r.id, f.id),
            })
            .collect(),
        events: d.events.iter().map(|e| view::event_view(&state.views, lang, e)).collect(),
        notes: d.notes.iter().map(|n| NoteView { id: n.id, body: n.body.clone(), public: n.public, staff_id: n.staff_id, at: n.created_at }).collect(),
        documents: d.documents.iter().map(|doc| view::document_view(state, &tenant.0, lang, &r.reference, doc)).collect(),
    })
}

#[utoipa::path(
    get,
    path = "/api/v1/backoffice/requests/{id}",
    tag = "backoffice",
    operation_id = "staffRequest",
    summary = "A request with answers, files, timeline, notes, documents and version",
    description = "Needs a staff bearer token with the permission `queues/view`.",
    security(("staffBearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The request", body = RequestDetail),
        NoStaffSession, NoPermission, NotInTenant,
    ),
)]
async fn request_detail(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    can: Can<ViewQueues>,
    Path(id): Path<Uuid>,
) -> Result<Json<RequestDetail>, AppError> {
    Ok(Json(detail_view(&state, &tenant, lang, &can, id).await?))
}

fn process_error(state: &AppState, lang: Lang, e: ProcessError) -> AppError {
    match e {
        ProcessError::NotFound => AppError::NotFound,
        ProcessError::OutOfReach => AppError::Forbidden,
        ProcessError::Stale { by, at } => AppError::Stale { by: by.unwrap_or_else(|| state.views.t(lang, "backoffice.someone")), at: when(at, lang) },
        ProcessError::Transition(domain::request::TransitionError::ReasonRequired) => invalid("note", "reason_required"),
        ProcessError::Transition(domain::request::TransitionError::NotAllowed { .. }) => invalid("to", "transition_not_allowed"),
        ProcessError::IdentityNotVerified => invalid("to", "identity_not_verified"),
        ProcessError::NoSuchAssignee => invalid("to", "no_such_assignee"),
        ProcessError::NoteRequired => invalid("body", "required"),
        ProcessError::NoteTooLong => invalid("body", "too_long"),
        ProcessError::Db(e) => e.into(),
        ProcessError::Letter(e) => AppError::Internal(e),
    }
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(default)]
#[schema(as = StatusChange)]
struct MoveBody {
    #[schema(required)]
    to: String,
    #[schema(required)]
    version: Option<i32>,
    note: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/v1/backoffice/requests/{id}/status",
    tag = "backoffice",
    operation_id = "staffMoveRequest",
    summary = "Move a request (state machine, version check)",
    description = "Needs a staff bearer token with the permission `requests/process`.",
    security(("staffBearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = MoveBody,
    responses(
        (status = 200, description = "The request after the move", body = RequestDetail),
        NotJson, NoStaffSession, NoPermission, NotInTenant, InvalidField,
        (status = 409, description = "`stale` when the request changed since the `version` sent", body = crate::ErrorBody),
    ),
)]
async fn move_request(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    view_can: Can<ViewQueues>,
    can: Can<ProcessRequests>,
    Path(id): Path<Uuid>,
    ApiJson(body): ApiJson<MoveBody>,
) -> Result<Json<RequestDetail>, AppError> {
    let to = Status::parse(&body.to).ok_or_else(|| invalid("to", "invalid_choice"))?;
    let version = body.version.ok_or_else(|| invalid("version", "required"))?;
    let note = body.note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    work::change_status(&state.app, &can.granted, &tenant.0, id, Move { to, version, note }).await.map_err(|e| process_error(&state, lang, e))?;
    Ok(Json(detail_view(&state, &tenant, lang, &view_can, id).await?))
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(default)]
#[schema(as = Assignment)]
struct AssignBody {
    /// A staff id, `me`, or null for nobody.
    to: Option<String>,
    version: Option<i32>,
}

#[utoipa::path(
    post,
    path = "/api/v1/backoffice/requests/{id}/assign",
    tag = "backoffice",
    operation_id = "staffAssignRequest",
    summary = "Assign to a staff member, `me`, or nobody",
    description = "Needs a staff bearer token with the permission `requests/process`.",
    security(("staffBearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = AssignBody,
    responses(
        (status = 200, description = "The request after the change", body = RequestDetail),
        NotJson, NoStaffSession, NoPermission, NotInTenant, InvalidField,
        (status = 409, description = "`stale` when the request changed since the `version` sent", body = crate::ErrorBody),
    ),
)]
async fn assign(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    view_can: Can<ViewQueues>,
    can: Can<ProcessRequests>,
    Path(id): Path<Uuid>,
    ApiJson(body): ApiJson<AssignBody>,
) -> Result<Json<RequestDetail>, AppError> {
    let to = super::assignee(body.to.as_deref().unwrap_or_default(), can.who.id()).ok_or_else(|| invalid("to", "no_such_assignee"))?;
    work::assign(&state.app, &can.granted, id, body.version, to).await.map_err(|e| process_error(&state, lang, e))?;
    Ok(Json(detail_view(&state, &tenant, lang, &view_can, id).await?))
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(default)]
#[schema(as = NewNote)]
struct NoteBody {
    #[schema(required)]
    body: String,
    public: bool,
}

#[utoipa::path(
    post,
    path = "/api/v1/backoffice/requests/{id}/notes",
    tag = "backoffice",
    operation_id = "staffAddNote",
    summary = "Add an internal or public note",
    description = "Needs a staff bearer token with the permission `requests/process`.",
    security(("staffBearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = NoteBody,
    responses(
        (status = 201, description = "The note", body = NoteView),
        NotJson, NoStaffSession, NoPermission, NotInTenant, InvalidField,
    ),
)]
async fn note(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    can: Can<ProcessRequests>,
    Path(id): Path<Uuid>,
    ApiJson(body): ApiJson<NoteBody>,
) -> Result<(StatusCode, Json<NoteView>), AppError> {
    let n = work::add_note(&state.app, &can.granted, id, body.public, &body.body).await.map_err(|e| process_error(&state, lang, e))?;
    Ok((StatusCode::CREATED, Json(NoteView { id: n.id, body: n.body, public: n.public, staff_id: n.staff_id, at: n.created_at })))
}

fn document_error(e: DocumentError) -> AppError {
    match e {
        DocumentError::NotFound => AppError::NotFound,
        DocumentError::OutOfReach => AppError::Forbidden,
        DocumentError::Invalid { field, code } => invalid(field, code),
        DocumentError::AlreadyRevoked => AppError::Conflict(vec![FieldIssue::backoffice("document", "already_revoked")]),
        DocumentError::Db(e) => e.into(),
        DocumentError::Storage(e) => AppError::Internal(e),
    }
}

#[utoipa::path(
    post,
    path = "/api/v1/backoffice/requests/{id}/documents",
    tag = "backoffice",
    operation_id = "staffIssueDocument",
    summary = "Attach a receipt or licence (PDF or image, sniffed)",
    description = "Needs a staff bearer token with the permission `documents/issue`.",
    security(("staffBearer" = [])),
    params(("id" = Uuid, Path)),
    request_body(content = crate::api::multipart::DocumentForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The document", body = view::DocumentView),
        NotMultipart, NoStaffSession, NoPermission, NotInTenant, InvalidField,
    ),
)]
async fn issue_document(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    can: Can<IssueDocuments>,
    Path(id): Path<Uuid>,
    multipart: Multipart,
) -> Result<(StatusCode, Json<view::DocumentView>), AppError> {
    let (fields, file) = read_document_form(multipart).await?;
    let input = document_input(&fields, file).map_err(|(field, code)| invalid(field, code))?;
    let doc = docs::issue(&state.app, &can.granted, id, input).await.map_err(document_error)?;
    let request = store::requests::process::find_by_id(&state.db, can.granted.scope(), doc.request_id).await?.ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(view::document_view(&state, &tenant.0, lang, &request.reference, &doc))))
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(default)]
#[schema(as = Revocation)]
struct RevokeBody {
    #[schema(required)]
    reason: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/backoffice/documents/{id}/revoke",
    tag = "backoffice",
    operation_id = "staffRevokeDocument",
    summary = "Revoke a document with a reason",
    description = "Needs a staff bearer token with the permission `documents/issue`.",
    security(("staffBearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = RevokeBody,
    responses(
        (status = 200, description = "The revoked document", body = view::DocumentView),
        NotJson, NoStaffSession, NoPermission, NotInTenant, InvalidField,
        (status = 409, description = "`already_revoked`", body = crate::ErrorBody),
    ),
)]
async fn revoke_document(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    can: Can<IssueDocuments>,
    Path(id): Path<Uuid>,
    ApiJson(body): ApiJson<RevokeBody>,
) -> Result<Json<view::DocumentView>, AppError> {
    let doc = docs::revoke(&state.app, &can.granted, id, &body.reason).await.map_err(document_error)?;
    let request = store::requests::process::find_by_id(&state.db, can.granted.scope(), doc.request_id).await?.ok_or(AppError::NotFound)?;
    Ok(Json(view::document_view(&state, &tenant.0, lang, &request.reference, &doc)))
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
struct AuditQuery {
    action: Option<String>,
    subject: Option<String>,
    /// A staff id.
    actor: Option<Uuid>,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    #[param(minimum = 1)]
    page: Option<u64>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = AuditEntry)]
struct AuditView {
    id: Uuid,
    at: DateTime<Utc>,
    actor_kind: String,
    #[schema(required)]
    actor_id: Option<Uuid>,
    actor: String,
    ip: String,
    action: String,
    subject_kind: String,
    subject_id: String,
    /// The record before and after the change, as JSON.
    #[schema(required)]
    before: Option<serde_json::Value>,
    #[schema(required)]
    after: Option<serde_json::Value>,
}

#[utoipa::path(
    get,
    path = "/api/v1/backoffice/audit",
    tag = "backoffice",
    operation_id = "staffAudit",
    summary = "The audit trail, newest first",
    description = "Needs a staff bearer token with the permission `audit/read`.",
    security(("staffBearer" = [])),
    params(AuditQuery),
    responses(
        (status = 200, description = "A page of 50", body = List<AuditView>),
        NoStaffSession, NoPermission, NotInTenant,
        InvalidQuery,
    ),
)]
async fn audit(State(state): State<AppState>, can: Can<ReadAudit>, Query(q): Query<AuditQuery>) -> Result<Json<List<AuditView>>, AppError> {
    let filter = store::audit::Filter { action: q.action, actor: q.actor, subject: q.subject, since: q.since, until: q.until };
    let page = q.page.unwrap_or(1).max(1);
    let found = app::audit::list(&state.app, &can.granted, &filter, page, 50).await?;
    let parse = |raw: &Option<String>| raw.as_deref().and_then(|s| serde_json::from_str(s).ok());
    let items = found
        .items
        .iter()
        .map(|r| AuditView {
            id: r.id,
            at: r.created_at,
            actor_kind: r.actor_kind.clone(),
            actor_id: r.actor_id,
            actor: r.actor_label.clone(),
            ip: r.ip.clone(),
            action: r.action.clone(),
            subject_kind: r.subject_kind.clone(),
            subject_id: r.subject_id.clone(),
            before: parse(&r.before),
            after: parse(&r.after),
        })
        .collect();
    Ok(Json(list(items, Pager::new(page, found.total, 50))))
}

// ---------------------------------------------------------------------------------------------
// Staff (admins)

#[derive(Serialize, ToSchema)]
#[schema(as = StaffMember)]
struct MemberView {
    id: Uuid,
    email: String,
    name: String,
    roles: Vec<&'static str>,
    categories: Vec<Uuid>,
    active: bool,
    totp_enabled: bool,
    invited: bool,
    #[schema(required)]
    last_login_at: Option<DateTime<Utc>>,
}

fn member_view(staff: &store::staff::Staff, roles: &[Role], categories: Vec<Uuid>) -> MemberView {
    MemberView {
        id: staff.id,
        email: staff.email.clone(),
        name: staff.name.clone(),
        roles: roles.iter().map(|r| r.as_str()).collect(),
        categories,
        active: staff.active,
        totp_enabled: staff.totp_enabled,
        invited: staff.password_hash.is_none(),
        last_login_at: staff.last_login_at,
    }
}

fn manage_error(e: ManageError) -> AppError {
    match e {
        ManageError::NotFound => AppError::NotFound,
        ManageError::DuplicateEmail => AppError::Conflict(vec![FieldIssue::backoffice("email", "duplicate_email")]),
        ManageError::Invalid { field, code } => invalid(field, code),
        ManageError::OwnAccount => AppError::Conflict(vec![FieldIssue::backoffice("id", "own_account")]),
        ManageError::Db(e) => e.into(),
        ManageError::Other(e) => AppError::Internal(e),
    }
}

async fn member_of(state: &AppState, can: &Can<ManageStaff>, id: Uuid) -> Result<MemberView, AppError> {
    let scope = can.granted.scope();
    let staff = store::staff::find(&state.db, scope, id).await?.ok_or(AppError::NotFound)?;
    let roles = state.app.authz.roles(scope, id).await.map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    let categories = store::staff::categories(&state.db, scope, id).await?;
    Ok(member_view(&staff, &roles, categories))
}

#[utoipa::path(
    get,
    path = "/api/v1/backoffice/staff",
    tag = "backoffice",
    operation_id = "staffList",
    summary = "The tenant's staff",
    description = "Needs a staff bearer token with the permission `staff/manage`.",
    security(("staffBearer" = [])),
    responses(
        (status = 200, description = "Every member", body = Vec<MemberView>),
        NoStaffSession, NoPermission, NotInTenant,
    ),
)]
async fn staff_list(State(state): State<AppState>, can: Can<ManageStaff>) -> Result<Json<Vec<MemberView>>, AppError> {
    let members = manage::list(&state.app, &can.granted).await.map_err(manage_error)?;
    Ok(Json(members.into_iter().map(|m| member_view(&m.staff, &m.roles, m.categories)).collect()))
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(default)]
#[schema(as = Invitation)]
struct InviteBody {
    #[schema(required)]
    email: String,
    #[schema(required)]
    name: String,
    #[schema(required)]
    role: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/backoffice/staff",
    tag = "backoffice",
    operation_id = "staffInvite",
    summary = "Invite a staff member by e-mail",
    description = "Needs a staff bearer token with the permission `staff/manage`.",
    security(("staffBearer" = [])),
    request_body = InviteBody,
    responses(
        (status = 201, description = "The invited member", body = MemberView),
        NotJson, NoStaffSession, NoPermission, NotInTenant, InvalidField,
        (status = 409, description = "`duplicate_email`: the e-mail is a member's already", body = crate::ErrorBody),
    ),
)]
async fn staff_invite(
    State(state): State<AppState>,
    tenant: Tenant,
    can: Can<ManageStaff>,
    ApiJson(body): ApiJson<InviteBody>,
) -> Result<(StatusCode, Json<MemberView>), AppError> {
    let role = Role::parse(&body.role).ok_or_else(|| invalid("role", "invalid_choice"))?;
    let member = manage::invite(&state.app, &can.granted, &tenant.0, body.email.trim(), body.name.trim(), role).await.map_err(manage_error)?;
    Ok((StatusCode::CREATED, Json(member_of(&state, &can, member.id).await?)))
}

#[utoipa::path(
    post,
    path = "/api/v1/backoffice/staff/{id}/deactivate",
    tag = "backoffice",
    operation_id = "staffDeactivate",
    summary = "Deactivate a member; their sessions end at once",
    description = "Needs a staff bearer token with the permission `staff/manage`.",
    security(("staffBearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The member", body = MemberView),
        NoStaffSession, NoPermission, NotInTenant,
        (status = 409, description = "`own_account`: not one's own", body = crate::ErrorBody),
    ),
)]
async fn staff_deactivate(State(state): State<AppState>, can: Can<ManageStaff>, Path(id): Path<Uuid>) -> Result<Json<MemberView>, AppError> {
    manage::deactivate(&state.app, &can.granted, id).await.map_err(manage_error)?;
    Ok(Json(member_of(&state, &can, id).await?))
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(default)]
#[schema(as = RoleChange)]
struct RoleBody {
    #[schema(required)]
    role: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/backoffice/staff/{id}/role",
    tag = "backoffice",
    operation_id = "staffSetRole",
    summary = "Change a member's role",
    description = "Needs a staff bearer token with the permission `staff/manage`.",
    security(("staffBearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = RoleBody,
    responses(
        (status = 200, description = "The member", body = MemberView),
        NotJson, NoStaffSession, NoPermission, NotInTenant, InvalidField,
        (status = 409, description = "`own_account`: not one's own", body = crate::ErrorBody),
    ),
)]
async fn staff_role(
    State(state): State<AppState>,
    can: Can<ManageStaff>,
    Path(id): Path<Uuid>,
    ApiJson(body): ApiJson<RoleBody>,
) -> Result<Json<MemberView>, AppError> {
    let role = Role::parse(&body.role).ok_or_else(|| invalid("role", "invalid_choice"))?;
    manage::set_role(&state.app, &can.granted, id, role).await.map_err(manage_error)?;
    Ok(Json(member_of(&state, &can, id).await?))
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(default)]
#[schema(as = CategoriesChange)]
struct CategoriesBody {
    /// The categories the officer is narrowed to; empty for all.
    #[schema(required)]
    categories: Vec<Uuid>,
}

#[utoipa::path(
    post,
    path = "/api/v1/backoffice/staff/{id}/categories",
    tag = "backoffice",
    operation_id = "staffSetCategories",
    summary = "Narrow an officer to categories (empty: all)",
    description = "Needs a staff bearer token with the permission `staff/manage`.",
    security(("staffBearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = CategoriesBody,
    responses(
        (status = 200, description = "The member", body = MemberView),
        NotJson, NoStaffSession, NoPermission, NotInTenant, InvalidField,
    ),
)]
async fn staff_categories(
    State(state): State<AppState>,
    can: Can<ManageStaff>,
    Path(id): Path<Uuid>,
    ApiJson(body): ApiJson<CategoriesBody>,
) -> Result<Json<MemberView>, AppError> {
    manage::narrow(&state.app, &can.granted, id, &body.categories).await.map_err(manage_error)?;
    Ok(Json(member_of(&state, &can, id).await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/backoffice/staff/{id}/reset-totp",
    tag = "backoffice",
    operation_id = "staffResetTotp",
    summary = "Make a member enrol TOTP again",
    description = "Needs a staff bearer token with the permission `staff/manage`.",
    security(("staffBearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The member", body = MemberView),
        NoStaffSession, NoPermission, NotInTenant,
    ),
)]
async fn staff_reset_totp(State(state): State<AppState>, can: Can<ManageStaff>, Path(id): Path<Uuid>) -> Result<Json<MemberView>, AppError> {
    manage::reset_totp(&state.app, &can.granted, id).await.map_err(manage_error)?;
    Ok(Json(member_of(&state, &can, id).await?))
}
