//! Citizen accounts in the JSON API: register, the signed-in profile, ID photos. The same service
//! as the HTML pages; bearer tokens need no CSRF token, cookie sessions must send `X-CSRF-Token`.

use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use domain::registration::RegistrationForm;
use serde::{Deserialize, Serialize};
use store::citizens::{self, Citizen, IdentityPhoto};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::accounts::csrf::{self, CsrfToken};
use crate::accounts::login::Client;
use crate::accounts::registration::{service, uploads};
use crate::accounts::session::{self, CurrentCitizen};
use crate::error::{AppError, FieldIssue};
use crate::state::AppState;
use crate::tenancy::Tenant;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(register)).routes(routes!(me)).routes(routes!(identity_photos)).routes(routes!(accept_terms))
}

/// A string, also accepted as a JSON number (codes, postcodes, phone numbers).
#[derive(Debug, Default, Deserialize)]
#[serde(untagged)]
enum StringOrNumber {
    #[default]
    Missing,
    Number(u64),
    String(String),
}

impl StringOrNumber {
    fn into_string(self) -> String {
        match self {
            Self::Missing => String::new(),
            Self::Number(n) => n.to_string(),
            Self::String(s) => s,
        }
    }
}

/// A new citizen: every field but `terms_version` (the current terms by default) is required.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
#[schema(as = NewCitizen)]
struct NewCitizenRequest {
    #[schema(required)]
    title: String,
    #[schema(required)]
    first_name: String,
    #[schema(required)]
    last_name: String,
    #[schema(required, value_type = String, default = "", pattern = "^[0-9]{13}$")]
    national_id: StringOrNumber,
    /// ISO `YYYY-MM-DD`; a year from 2400 is read as Buddhist era.
    #[schema(required, format = Date)]
    birth_date: String,
    #[schema(required, value_type = String, default = "")]
    phone: StringOrNumber,
    #[schema(required, format = "email")]
    email: String,
    #[schema(required)]
    house_no: String,
    #[schema(required)]
    village: String,
    #[schema(required)]
    road: String,
    /// The DOPA code (as are `district` and `sub_district`).
    #[schema(required, value_type = String, default = "")]
    province: StringOrNumber,
    #[schema(required, value_type = String, default = "")]
    district: StringOrNumber,
    #[schema(required, value_type = String, default = "")]
    sub_district: StringOrNumber,
    #[schema(required, value_type = String, default = "")]
    postcode: StringOrNumber,
    #[schema(required)]
    password: String,
    #[schema(required)]
    password_confirm: String,
    /// Must be `true`.
    #[schema(required)]
    accept_terms: bool,
    /// Defaults to the tenant's current terms.
    terms_version: Option<String>,
}

impl From<NewCitizenRequest> for RegistrationForm {
    fn from(r: NewCitizenRequest) -> Self {
        Self {
            title: r.title,
            first_name: r.first_name,
            last_name: r.last_name,
            national_id: r.national_id.into_string(),
            birth_date: r.birth_date,
            phone: r.phone.into_string(),
            email: r.email,
            house_no: r.house_no,
            village: r.village,
            road: r.road,
            province: r.province.into_string(),
            district: r.district.into_string(),
            sub_district: r.sub_district.into_string(),
            postcode: r.postcode.into_string(),
            password: r.password,
            password_confirm: r.password_confirm,
            accept_terms: r.accept_terms,
            terms_version: r.terms_version.unwrap_or_default(),
        }
    }
}

#[derive(Serialize, ToSchema)]
struct AreaView {
    code: i32,
    name_th: String,
    name_en: String,
}

#[derive(Serialize, ToSchema)]
struct AddressView {
    house_no: String,
    village: String,
    road: String,
    sub_district: AreaView,
    district: AreaView,
    province: AreaView,
    postcode: String,
}

#[derive(Serialize, ToSchema)]
struct PhotoView {
    id: uuid::Uuid,
    url: String,
    width: i32,
    height: i32,
}

/// The citizen's profile and identity status.
#[derive(Serialize, ToSchema)]
#[schema(as = Profile)]
struct ProfileView {
    id: uuid::Uuid,
    national_id: String,
    title: String,
    first_name: String,
    last_name: String,
    birth_date: NaiveDate,
    phone: String,
    email: String,
    address: AddressView,
    /// `photos_required`, `pending`, `verified` or `rejected`.
    #[schema(pattern = "^(photos_required|pending|verified|rejected)$")]
    identity_status: String,
    #[schema(required)]
    identity_note: Option<String>,
    identity_photos_required: u8,
    identity_photos: Vec<PhotoView>,
    #[schema(required)]
    avatar_url: Option<&'static str>,
    terms_version: String,
    terms_accepted_at: DateTime<Utc>,
    /// The tenant's current terms when they are newer than those accepted: accept them with
    /// `POST /api/v1/me/terms`.
    #[schema(required)]
    terms_to_accept: Option<String>,
    created_at: DateTime<Utc>,
}

fn area(code: i32, names: Option<(&str, &str)>) -> AreaView {
    let (th, en) = names.unwrap_or_default();
    AreaView { code, name_th: th.to_owned(), name_en: en.to_owned() }
}

impl ProfileView {
    fn new(tenant: &Tenant, c: Citizen, photos: &[IdentityPhoto]) -> Self {
        let areas = u32::try_from(c.sub_district_code).ok().and_then(domain::address::address);
        Self {
            id: c.id,
            national_id: c.national_id,
            title: c.title,
            first_name: c.first_name,
            last_name: c.last_name,
            birth_date: c.birth_date,
            phone: c.phone,
            email: c.email,
            address: AddressView {
                house_no: c.house_no,
                village: c.village,
                road: c.road,
                sub_district: area(c.sub_district_code, areas.map(|a| (a.sub_district.name_th.as_str(), a.sub_district.name_en.as_str()))),
                district: area(c.district_code, areas.map(|a| (a.district.name_th.as_str(), a.district.name_en.as_str()))),
                province: area(c.province_code, areas.map(|a| (a.province.name_th.as_str(), a.province.name_en.as_str()))),
                postcode: c.postcode,
            },
            identity_status: c.identity_status,
            identity_note: c.identity_note,
            identity_photos_required: tenant.0.settings.identity.photo_count,
            identity_photos: photos
                .iter()
                .map(|p| PhotoView { id: p.id, url: format!("/me/identity-photos/{}", p.id), width: p.width, height: p.height })
                .collect(),
            avatar_url: c.avatar_key.as_ref().map(|_| "/me/avatar"),
            terms_to_accept: (c.terms_version != tenant.0.settings.terms_version).then(|| tenant.0.settings.terms_version.clone()),
            terms_version: c.terms_version,
            terms_accepted_at: c.terms_accepted_at,
            created_at: c.created_at,
        }
    }
}

/// `POST /api/v1/citizens` → 201 with the profile (status `photos_required`); then log in and send
/// the photos. 422 lists every failing field, 409 names the taken one, 429 when rate-limited.
#[utoipa::path(
    post,
    path = "/api/v1/citizens",
    tag = "citizens",
    operation_id = "registerCitizen",
    summary = "Register a citizen",
    request_body = NewCitizenRequest,
    responses(
        (status = 201, description = "Registered; log in next, then upload the ID photos", body = ProfileView),
        (status = 400, description = "A body that is not JSON", body = crate::ErrorBody),
        (status = 409, description = "The national ID or e-mail is registered already; `fields` names it", body = crate::ErrorBody),
        (status = 422, description = "Every failing field in `fields`", body = crate::ErrorBody),
        (status = 429, description = "Too many registrations from this address", body = crate::ErrorBody),
    ),
)]
#[tracing::instrument(skip_all, fields(tenant = %tenant.0.slug))]
async fn register(
    State(state): State<AppState>,
    tenant: Tenant,
    client: Client,
    body: Result<Json<NewCitizenRequest>, JsonRejection>,
) -> Result<Response, AppError> {
    let Json(request) = body.map_err(|_| AppError::BadRequest)?;
    let citizen = app::citizens::registration::register(&state.app, &state.limits, &tenant.0, &request.into(), &client.ip).await?;
    let view = ProfileView::new(&tenant, citizen, &[]);
    Ok((StatusCode::CREATED, [(header::LOCATION, HeaderValue::from_static("/api/v1/me"))], Json(view)).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "citizens",
    operation_id = "getMe",
    summary = "The signed-in citizen's profile and identity status",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Profile", body = ProfileView),
        (status = 401, description = "Not signed in", body = crate::ErrorBody),
    ),
)]
async fn me(State(state): State<AppState>, tenant: Tenant, me: CurrentCitizen) -> Result<Json<ProfileView>, AppError> {
    let photos = citizens::identity_photos(&state.db, tenant.scope(), me.citizen.id).await?;
    Ok(Json(ProfileView::new(&tenant, me.citizen, &photos)))
}

#[derive(serde::Deserialize, Default, ToSchema)]
#[serde(default)]
struct AcceptTerms {
    /// The version accepted: the tenant's current one.
    #[schema(required)]
    version: String,
}

/// `POST /api/v1/me/terms`: the citizen accepts the tenant's current terms (422 `version` when
/// the version sent is not the current one, say because newer terms were published meanwhile).
#[utoipa::path(
    post,
    path = "/api/v1/me/terms",
    tag = "citizens",
    operation_id = "acceptTerms",
    summary = "Accept the municipality's current terms of service",
    description = "Needed when `GET /api/v1/me` names `terms_to_accept`. A cookie session must repeat its CSRF cookie in `X-CSRF-Token`.",
    security(("bearer" = [])),
    request_body = AcceptTerms,
    responses(
        (status = 200, description = "Accepted: the profile, `terms_to_accept` null", body = ProfileView),
        (status = 400, description = "A body that is not JSON", body = crate::ErrorBody),
        (status = 401, description = "Not signed in", body = crate::ErrorBody),
        (status = 403, description = "A cookie session without its CSRF token", body = crate::ErrorBody),
        (status = 422, description = "`version` is not the current terms (newer ones may have been published meanwhile)", body = crate::ErrorBody),
    ),
)]
#[tracing::instrument(skip_all, fields(tenant = %tenant.0.slug, citizen = %me.citizen.id))]
async fn accept_terms(
    State(state): State<AppState>,
    tenant: Tenant,
    me: CurrentCitizen,
    csrf_token: CsrfToken,
    headers: HeaderMap,
    client: Client,
    body: Result<Json<AcceptTerms>, JsonRejection>,
) -> Result<Json<ProfileView>, AppError> {
    check_csrf(&me, &csrf_token, &headers)?;
    let Json(body) = body.map_err(|_| AppError::BadRequest)?;
    app::citizens::terms::accept(&state.app, &tenant.0, &me.citizen, &body.version, &client.ip).await.map_err(|e| match e {
        app::citizens::terms::TermsError::Outdated => AppError::Validation(vec![FieldIssue::new("version", "terms_outdated")]),
        app::citizens::terms::TermsError::Db(e) => e.into(),
    })?;
    let citizen = citizens::find(&state.db, tenant.scope(), me.citizen.id).await?.ok_or(AppError::NotFound)?;
    let photos = citizens::identity_photos(&state.db, tenant.scope(), me.citizen.id).await?;
    Ok(Json(ProfileView::new(&tenant, citizen, &photos)))
}

/// A cookie session (a page's script) must repeat the CSRF cookie in `X-CSRF-Token`.
fn check_csrf(me: &CurrentCitizen, csrf_token: &CsrfToken, headers: &HeaderMap) -> Result<(), AppError> {
    if me.session.kind == session::API {
        return Ok(());
    }
    let sent = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or_default();
    csrf::verify(csrf_token, sent)
}

/// `POST /api/v1/me/identity-photos`: multipart, one `photo` part per photo the tenant asks for.
#[utoipa::path(
    post,
    path = "/api/v1/me/identity-photos",
    tag = "citizens",
    operation_id = "uploadIdentityPhotos",
    summary = "Upload exactly the tenant's number of ID-card photos",
    description = "Each photo is decoded with limits, stripped of metadata, re-encoded and stamped with the municipality's crossing and watermark; the original is never stored. The identity status becomes `pending`. A cookie session must repeat its CSRF cookie in `X-CSRF-Token`.",
    security(("bearer" = [])),
    request_body(content = crate::api::multipart::PhotoUpload, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "Profile with the stamped photos", body = ProfileView),
        (status = 400, description = "A body that is not multipart form data", body = crate::ErrorBody),
        (status = 401, description = "Not signed in", body = crate::ErrorBody),
        (status = 403, description = "A cookie session without its CSRF token", body = crate::ErrorBody),
        (status = 413, description = "A photo over the size limit", body = crate::ErrorBody),
        (status = 422, description = "The wrong number of photos, or one that is not a usable picture of a card", body = crate::ErrorBody),
    ),
)]
#[tracing::instrument(skip_all, fields(tenant = %tenant.0.slug, citizen = %me.citizen.id))]
async fn identity_photos(
    State(state): State<AppState>,
    tenant: Tenant,
    me: CurrentCitizen,
    csrf_token: CsrfToken,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Json<ProfileView>, AppError> {
    check_csrf(&me, &csrf_token, &headers)?;
    let mut multipart = multipart.map_err(|_| AppError::BadRequest)?;
    let files = uploads::files(&mut multipart, "photo", service::image_limits().max_bytes).await?;
    let photos = app::citizens::photos::replace_identity_photos(&state.app, &tenant.0, &me.citizen, files).await?;
    let citizen = citizens::find(&state.db, tenant.scope(), me.citizen.id).await?.ok_or(AppError::NotFound)?;
    Ok(Json(ProfileView::new(&tenant, citizen, &photos)))
}
