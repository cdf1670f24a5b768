//! Citizen accounts in the JSON API: register, the signed-in profile, ID photos. The same service
//! as the HTML pages; bearer tokens need no CSRF token, cookie sessions must send `X-CSRF-Token`.

use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use domain::registration::RegistrationForm;
use serde::{Deserialize, Serialize};
use store::citizens::{self, Citizen, IdentityPhoto};

use crate::accounts::csrf::{self, CsrfToken};
use crate::accounts::login::Client;
use crate::accounts::registration::{service, uploads};
use crate::accounts::session::{self, CurrentCitizen};
use crate::error::{AppError, FieldIssue};
use crate::state::AppState;
use crate::tenancy::Tenant;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/citizens", post(register))
        .route("/api/v1/me", get(me))
        .route("/api/v1/me/identity-photos", post(identity_photos))
        .route("/api/v1/me/terms", post(accept_terms))
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

/// `POST /api/v1/citizens`. Every field is required; `terms_version` defaults to the current one.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NewCitizenRequest {
    title: String,
    first_name: String,
    last_name: String,
    national_id: StringOrNumber,
    /// ISO `YYYY-MM-DD`; a year from 2400 is read as Buddhist era.
    birth_date: String,
    phone: StringOrNumber,
    email: String,
    house_no: String,
    village: String,
    road: String,
    province: StringOrNumber,
    district: StringOrNumber,
    sub_district: StringOrNumber,
    postcode: StringOrNumber,
    password: String,
    password_confirm: String,
    accept_terms: bool,
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

#[derive(Serialize)]
struct AreaView {
    code: i32,
    name_th: String,
    name_en: String,
}

#[derive(Serialize)]
struct AddressView {
    house_no: String,
    village: String,
    road: String,
    sub_district: AreaView,
    district: AreaView,
    province: AreaView,
    postcode: String,
}

#[derive(Serialize)]
struct PhotoView {
    id: uuid::Uuid,
    url: String,
    width: i32,
    height: i32,
}

#[derive(Serialize)]
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
    identity_status: String,
    identity_note: Option<String>,
    identity_photos_required: u8,
    identity_photos: Vec<PhotoView>,
    avatar_url: Option<&'static str>,
    terms_version: String,
    terms_accepted_at: DateTime<Utc>,
    /// The tenant's current terms when they are newer than those accepted: accept them with
    /// `POST /api/v1/me/terms`.
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

/// `GET /api/v1/me`
async fn me(State(state): State<AppState>, tenant: Tenant, me: CurrentCitizen) -> Result<Json<ProfileView>, AppError> {
    let photos = citizens::identity_photos(&state.db, tenant.scope(), me.citizen.id).await?;
    Ok(Json(ProfileView::new(&tenant, me.citizen, &photos)))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct AcceptTerms {
    /// The version accepted: the tenant's current one.
    version: String,
}

/// `POST /api/v1/me/terms`: the citizen accepts the tenant's current terms (422 `version` when
/// the version sent is not the current one, say because newer terms were published meanwhile).
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
