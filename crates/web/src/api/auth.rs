//! Bearer-token login and logout, and the password reset by e-mailed link, for apps and LINE LIFF.
//! The same services as the pages; errors are the API's JSON errors.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use domain::email::Email;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use app::citizens::password_reset;
use app::citizens::sign_in::{self, Credentials, SignInError};

use crate::accounts::CurrentCitizen;
use crate::accounts::login::Client;
use crate::accounts::session::API;
use crate::error::{AppError, ErrorInfo, FieldIssue, field_issues};
use crate::state::AppState;
use crate::tenancy::Tenant;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(login)).routes(routes!(logout)).routes(routes!(forgot)).routes(routes!(reset))
}

/// A JSON body; one that does not parse is a JSON 400 rather than axum's plain text.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        Json::<T>::from_request(req, state).await.map(|Json(v)| Self(v)).map_err(|_: JsonRejection| AppError::BadRequest)
    }
}

#[derive(Deserialize, ToSchema)]
#[schema(as = Login)]
struct LoginBody {
    /// The 13-digit national ID.
    #[serde(default)]
    #[schema(required)]
    username: String,
    #[serde(default)]
    #[schema(required)]
    password: String,
    /// The `device_token` an earlier login or reset answered with, if the app kept one. A known
    /// device is throttled on its own, so a stranger's wrong guesses elsewhere never hold it back.
    #[serde(default)]
    device_token: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = CitizenToken)]
struct TokenView {
    token: String,
    expires_at: DateTime<Utc>,
    /// Marks this app as the citizen's known device: send it with the next login, so that a
    /// stranger's wrong guesses elsewhere never hold this device back.
    device_token: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    tag = "citizens",
    operation_id = "login",
    summary = "Log in with the national ID and password",
    request_body = LoginBody,
    responses(
        (status = 200, description = "A bearer token", body = TokenView),
        (status = 400, description = "A body that is not JSON", body = crate::ErrorBody),
        (status = 401, description = "`invalid_credentials`: the same for a wrong password and an unknown national ID", body = crate::ErrorBody),
        (status = 422, description = "A national ID or password of the wrong form; `fields` names it", body = crate::ErrorBody),
        (status = 429, description = "Too many attempts; `Retry-After` says when to try again", body = crate::ErrorBody),
    ),
)]
#[tracing::instrument(skip_all, fields(tenant = %tenant.0.slug))]
async fn login(
    State(state): State<AppState>,
    tenant: Tenant,
    client: Client,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<Response, AppError> {
    let credentials = Credentials::parse(&body.username, &body.password).map_err(|issues| AppError::Validation(field_issues(issues)))?;
    let device = body.device_token.as_deref().filter(|t| !t.is_empty());
    match sign_in::sign_in(&state.app, &state.limits, &tenant.0, &client.with_kind(API), &credentials, None, device).await {
        Ok(signed_in) => {
            let device_token = signed_in.new_device.or(body.device_token).unwrap_or_default();
            let view = TokenView { token: signed_in.session.token, expires_at: signed_in.session.expires_at, device_token };
            Ok(Json(view).into_response())
        }
        Err(SignInError::InvalidCredentials) => Ok(invalid_credentials()),
        Err(e) => Err(e.into()),
    }
}

/// 401 `invalid_credentials`: the same for a wrong password and an unknown national ID.
fn invalid_credentials() -> Response {
    let info = ErrorInfo {
        code: "invalid_credentials",
        title_key: "error.unauthorized_title",
        message_key: "login.error_invalid",
        fields: Vec::new(),
        params: Vec::new(),
    };
    let mut response = (StatusCode::UNAUTHORIZED, info.code).into_response();
    response.extensions_mut().insert(info);
    response
}

/// Ends the bearer token's session. A browser's cookie session is ended by the `/logout` form
/// (which checks its CSRF token), never here.
#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    tag = "citizens",
    operation_id = "logout",
    summary = "End this token's session",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Ended"),
        (status = 401, description = "No live bearer session", body = crate::ErrorBody),
    ),
)]
async fn logout(State(state): State<AppState>, current: CurrentCitizen) -> Result<StatusCode, AppError> {
    if current.session.kind != API {
        return Err(AppError::Unauthorized);
    }
    app::citizens::session::end(&state.app, current.scope(), &current.session.id_hash).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[schema(as = ForgotPassword)]
struct ForgotBody {
    #[serde(default)]
    #[schema(required, format = "email")]
    email: String,
}

/// 202 whether or not the address belongs to anyone.
#[utoipa::path(
    post,
    path = "/api/v1/password/forgot",
    tag = "citizens",
    operation_id = "forgotPassword",
    summary = "E-mail a one-time password-reset link",
    request_body = ForgotBody,
    responses(
        (status = 202, description = "Accepted, whether or not the address is registered"),
        (status = 400, description = "A body that is not JSON", body = crate::ErrorBody),
        (status = 422, description = "Not an e-mail address", body = crate::ErrorBody),
        (status = 429, description = "Too many links asked for", body = crate::ErrorBody),
    ),
)]
#[tracing::instrument(skip_all, fields(tenant = %tenant.0.slug))]
async fn forgot(
    State(state): State<AppState>,
    tenant: Tenant,
    client: Client,
    ApiJson(body): ApiJson<ForgotBody>,
) -> Result<StatusCode, AppError> {
    let email = Email::parse(&body.email).map_err(|e| AppError::Validation(vec![FieldIssue::new("email", e.code())]))?;
    password_reset::request_link(&state.app, &state.limits, &tenant.0, &client.ip, &email).await?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Deserialize, ToSchema)]
#[schema(as = ResetPassword)]
struct ResetBody {
    /// The token of the e-mailed link.
    #[serde(default)]
    #[schema(required)]
    token: String,
    #[serde(default)]
    #[schema(required)]
    password: String,
}

#[derive(Serialize, ToSchema)]
#[schema(as = PasswordReset)]
struct ResetView {
    /// As from a login: the app that made the reset is the citizen's known device.
    device_token: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/password/reset",
    tag = "citizens",
    operation_id = "resetPassword",
    summary = "Set a new password with the e-mailed token",
    request_body = ResetBody,
    responses(
        (status = 200, description = "Changed; every session of the citizen has ended and every known device is forgotten", body = ResetView),
        (status = 400, description = "A body that is not JSON", body = crate::ErrorBody),
        (status = 422, description = "A token that is unknown, used or expired, or a password too weak; `fields` names which", body = crate::ErrorBody),
    ),
)]
#[tracing::instrument(skip_all, fields(tenant = %tenant.0.slug))]
async fn reset(State(state): State<AppState>, tenant: Tenant, ApiJson(body): ApiJson<ResetBody>) -> Result<Json<ResetView>, AppError> {
    if body.token.is_empty() {
        return Err(AppError::Validation(vec![FieldIssue::new("token", "required")]));
    }
    let device_token = password_reset::reset_password(&state.app, &state.limits, &tenant.0, &body.token, &body.password).await?;
    Ok(Json(ResetView { device_token }))
}
