//! The operator console as JSON under `/api/v1/operator`, on the platform's host: the same use
//! cases and capability as the pages, a bearer token from `auth/login` (e-mail, password and
//! TOTP or recovery code in one call). Its OpenAPI document is served on the platform's host at
//! `/api/v1/openapi.json`.

use std::sync::LazyLock;

use access::authz::ManageTenants;
use app::operator::{self as use_case, SignInError, StatusError};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoResponses, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{MaybeOperator, Operating, parse_status};
use crate::ErrorBody;
use crate::accounts::login::Client;
use crate::api::auth::ApiJson;
use crate::api::refusals::{InvalidField, InvalidQuery, NotJson};
use crate::error::{AppError, FieldIssue, refusal};
use crate::extract::{Path, Query};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "eservice operator API",
        version = "1",
        description = "The platform operator's calls, made on the platform's own host (the bare base domain), never on a municipality's. Sign in with `POST /api/v1/operator/auth/login` (e-mail, password and a TOTP or recovery code); every other call takes that token as a bearer and the platform permission `tenants/manage`. See docs/operator-guide.md.",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later"),
    ),
    servers((url = "/")),
    modifiers(&OperatorBearer),
    tags((name = "operator", description = "Municipalities, their usage, suspension and resumption")),
)]
struct OperatorApiDoc;

struct OperatorBearer;

impl utoipa::Modify for OperatorBearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "operatorBearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).description(Some("A token from POST /api/v1/operator/auth/login")).build()),
        );
    }
}

/// No live operator session (or one presented on a municipality's host)
#[allow(dead_code)]
#[derive(IntoResponses)]
#[response(status = 401)]
struct NoOperatorSession(ErrorBody<'static>);

/// No such municipality
#[allow(dead_code)]
#[derive(IntoResponses)]
#[response(status = 404)]
struct NoSuchTenant(ErrorBody<'static>);

/// Too many attempts; `Retry-After` says when to try again
#[allow(dead_code)]
#[derive(IntoResponses)]
#[response(status = 429)]
struct TooMany(ErrorBody<'static>);

/// The operator API with its description, for the platform site.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(OperatorApiDoc::openapi())
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(tenants))
        .routes(routes!(tenant))
        .routes(routes!(set_status))
        .routes(routes!(openapi))
}

/// The operator API's OpenAPI document, every object schema closed as the tenant API's is.
pub fn document() -> serde_json::Value {
    let mut doc = serde_json::to_value(router().into_openapi()).unwrap_or_default();
    crate::api::close_objects(&mut doc);
    doc
}

static OPENAPI: LazyLock<String> = LazyLock::new(|| document().to_string());

#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "operator",
    operation_id = "operatorOpenapi",
    summary = "This document",
    responses((status = 200, description = "The OpenAPI document of the operator API", content_type = "application/json")),
)]
async fn openapi() -> impl IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], OPENAPI.as_str())
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(default)]
#[schema(as = OperatorLogin)]
struct LoginBody {
    #[schema(required)]
    email: String,
    #[schema(required)]
    password: String,
    /// The six digits of the authenticator app, or an unused recovery code.
    #[schema(required)]
    code: String,
}

#[derive(Serialize, ToSchema)]
#[schema(as = OperatorToken)]
struct TokenView {
    token: String,
    expires_at: DateTime<Utc>,
}

fn invalid(field: &str, code: &str) -> AppError {
    AppError::Validation(vec![FieldIssue::backoffice(field, code)])
}

#[utoipa::path(
    post,
    path = "/api/v1/operator/auth/login",
    tag = "operator",
    operation_id = "operatorLogin",
    summary = "Sign in as an operator: e-mail, password and code in one call",
    request_body = LoginBody,
    responses(
        (status = 200, description = "A bearer token for the other calls", body = TokenView),
        NotJson,
        (status = 401, description = "`invalid_credentials` (a wrong e-mail, password or code: one answer for all three) or `reused_code`", body = ErrorBody),
        InvalidField,
        TooMany,
    ),
)]
async fn login(State(state): State<AppState>, c: Client, ApiJson(body): ApiJson<LoginBody>) -> Result<Response, AppError> {
    for (field, value) in [("email", body.email.trim()), ("password", body.password.as_str()), ("code", body.code.trim())] {
        if value.is_empty() {
            return Err(invalid(field, "required"));
        }
    }
    let signed_in =
        use_case::sign_in(&state.app, &state.staff_limits, body.email.trim(), &body.password, &body.code, &c.with_kind(access::operator::API)).await;
    match signed_in {
        Ok(started) => Ok(Json(TokenView { token: started.token, expires_at: started.expires_at }).into_response()),
        Err(SignInError::BadCredentials) => Ok(refusal(StatusCode::UNAUTHORIZED, "invalid_credentials", "operator.login.error_invalid")),
        Err(SignInError::ReusedCode) => Ok(refusal(StatusCode::UNAUTHORIZED, "reused_code", "operator.login.error_reused")),
        Err(SignInError::TooMany(wait)) => Err(wait.into()),
        Err(SignInError::Db(e)) => Err(e.into()),
        Err(SignInError::Other(e)) => Err(AppError::Internal(e)),
    }
}

#[utoipa::path(
    post,
    path = "/api/v1/operator/auth/logout",
    tag = "operator",
    operation_id = "operatorLogout",
    summary = "End this operator token's session",
    security(("operatorBearer" = [])),
    responses((status = 204, description = "Ended"), NoOperatorSession),
)]
async fn logout(State(state): State<AppState>, MaybeOperator(who): MaybeOperator) -> Result<StatusCode, AppError> {
    let who = who.ok_or(AppError::Unauthorized)?;
    use_case::sign_out(&state.app, &who).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A municipality with its usage.
#[derive(Serialize, ToSchema)]
#[schema(as = OperatorTenant)]
struct TenantView {
    slug: String,
    name_th: String,
    name_en: String,
    /// `active` or `suspended`.
    status: &'static str,
    citizens: u64,
    /// Citizens whose ID photos wait for a staff member's check.
    identities_waiting: u64,
    /// Active staff members.
    staff: u64,
    requests: u64,
    requests_30_days: u64,
}

impl TenantView {
    fn new(t: &store::tenants::TenantRecord, u: &store::tenants::Usage) -> Self {
        Self {
            slug: t.slug.clone(),
            name_th: t.name_th.clone(),
            name_en: t.name_en.clone(),
            status: t.status.as_str(),
            citizens: u.citizens,
            identities_waiting: u.identities_waiting,
            staff: u.staff,
            requests: u.requests,
            requests_30_days: u.requests_30_days,
        }
    }
}

#[derive(Serialize, ToSchema)]
#[schema(as = OperatorTenantPage)]
struct TenantList {
    items: Vec<TenantView>,
    total: u64,
    page: u64,
    per_page: u64,
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// The start of a slug, or part of either name.
    q: Option<String>,
    /// From 1.
    page: Option<u64>,
    /// 1 to 200, 50 by default.
    per_page: Option<u64>,
}

#[utoipa::path(
    get,
    path = "/api/v1/operator/tenants",
    tag = "operator",
    operation_id = "operatorTenants",
    summary = "The municipalities by slug, with their usage, one page at a time",
    security(("operatorBearer" = [])),
    params(ListQuery),
    responses((status = 200, description = "One page", body = TenantList), NoOperatorSession, InvalidQuery),
)]
async fn tenants(State(state): State<AppState>, can: Operating<ManageTenants>, Query(q): Query<ListQuery>) -> Result<Json<TenantList>, AppError> {
    let page = q.page.unwrap_or(1).max(1);
    let per_page = q.per_page.unwrap_or(50).clamp(1, 200);
    let found = use_case::tenants(&state.app, &can.granted, q.q.as_deref(), page, per_page).await?;
    let items = found.items.iter().map(|o| TenantView::new(&o.tenant, &o.usage)).collect();
    Ok(Json(TenantList { items, total: found.total, page, per_page }))
}

#[derive(Serialize, ToSchema)]
#[schema(as = OperatorTenantDetail)]
struct TenantDetailView {
    #[serde(flatten)]
    tenant: TenantView,
    /// The custom host names that reach it besides `<slug>.<base domain>`.
    domains: Vec<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/operator/tenants/{slug}",
    tag = "operator",
    operation_id = "operatorTenant",
    summary = "One municipality with its usage and host names",
    security(("operatorBearer" = [])),
    params(("slug" = String, Path)),
    responses((status = 200, description = "The municipality", body = TenantDetailView), NoOperatorSession, NoSuchTenant),
)]
async fn tenant(State(state): State<AppState>, can: Operating<ManageTenants>, Path(slug): Path<String>) -> Result<Json<TenantDetailView>, AppError> {
    let detail = use_case::tenant(&state.app, &can.granted, &slug).await?.ok_or(AppError::NotFound)?;
    Ok(Json(TenantDetailView { tenant: TenantView::new(&detail.tenant, &detail.usage), domains: detail.domains }))
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(default)]
#[schema(as = OperatorStatusChange)]
struct StatusBody {
    /// `suspended` or `active`.
    #[schema(required)]
    status: String,
    /// Why; required for a suspension, at most 500 characters. Kept in the audit trail.
    reason: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/operator/tenants/{slug}/status",
    tag = "operator",
    operation_id = "operatorSetTenantStatus",
    summary = "Suspend or resume a municipality",
    description = "A suspended municipality's host answers 503 to citizens and staff on every replica within the tenant cache TTL; nothing is deleted, and resuming brings everything back.",
    security(("operatorBearer" = [])),
    params(("slug" = String, Path)),
    request_body = StatusBody,
    responses((status = 200, description = "The municipality after the change", body = TenantView), NotJson, NoOperatorSession, NoSuchTenant, InvalidField),
)]
async fn set_status(
    State(state): State<AppState>,
    can: Operating<ManageTenants>,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<StatusBody>,
) -> Result<Json<TenantView>, AppError> {
    let status = parse_status(&body.status).ok_or_else(|| invalid("status", "invalid_choice"))?;
    match use_case::set_status(&state.app, &can.granted, &slug, status, &body.reason).await {
        Ok(_) => {
            state.tenants.invalidate_all();
            let detail = use_case::tenant(&state.app, &can.granted, &slug).await?.ok_or(AppError::NotFound)?;
            Ok(Json(TenantView::new(&detail.tenant, &detail.usage)))
        }
        Err(StatusError::ReasonRequired) => Err(invalid("reason", "required")),
        Err(StatusError::ReasonTooLong) => Err(invalid("reason", "too_long")),
        Err(StatusError::NotFound) => Err(AppError::NotFound),
        Err(StatusError::Db(e)) => Err(e.into()),
    }
}
