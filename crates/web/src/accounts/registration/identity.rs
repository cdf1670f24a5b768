//! "ยืนยันตัวตน": the tenant's number of ID-card photos, stamped and stored all or nothing; the
//! welcome page that shows the status and the stamped result; the photos, to their owner only.

use app::citizens::photos::{self, PhotoError};
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use crate::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::locale::Lang;
use serde::Serialize;
use store::citizens::{self, Citizen, IdentityPhoto, identity_status};

use super::{messages, service, uploads};
use crate::accounts::csrf::CsrfToken;
use crate::accounts::session::CurrentCitizen;
use crate::error::{AppError, FieldIssue, field_issues};
use crate::form_errors::ErrorLink;
use crate::i18n::RequestLang;
use crate::render::PageCtx;
use crate::state::AppState;
use crate::tenancy::Tenant;

#[derive(Serialize)]
pub(super) struct PhotoLink {
    url: String,
    n: usize,
}

pub(super) fn photo_links(photos: &[IdentityPhoto]) -> Vec<PhotoLink> {
    photos.iter().enumerate().map(|(i, p)| PhotoLink { url: format!("/me/identity-photos/{}", p.id), n: i + 1 }).collect()
}

/// The status as the citizen reads it, e.g. "กำลังตรวจสอบการยืนยันตัวตน".
#[derive(Serialize)]
pub(super) struct StatusView {
    code: String,
    label: String,
    note: Option<String>,
}

pub(super) fn status_view(state: &AppState, lang: Lang, citizen: &Citizen) -> StatusView {
    StatusView {
        code: citizen.identity_status.clone(),
        label: state.views.t(lang, &format!("identity_status.{}", citizen.identity_status)),
        note: citizen.identity_note.clone(),
    }
}

#[derive(Serialize)]
struct Slot {
    n: usize,
    /// What the tenant calls this photo ("ด้านหน้าบัตรประชาชน"), or "ภาพที่ N".
    name: String,
    hint: Option<String>,
    /// The tenant's example picture of such a photo, if it gave one.
    example: Option<String>,
    error: Option<String>,
}

#[derive(Serialize)]
struct IdentityPage<'a> {
    csrf_token: &'a str,
    count: u8,
    slots: Vec<Slot>,
    summary: Vec<ErrorLink>,
    error: Option<String>,
    status: StatusView,
    current: Vec<PhotoLink>,
    max_mb: usize,
}

fn render_page(
    state: &AppState,
    tenant: &Tenant,
    lang: Lang,
    csrf: &CsrfToken,
    citizen: &Citizen,
    current: &[IdentityPhoto],
    issues: &[FieldIssue],
) -> Result<Html<String>, AppError> {
    let errors = messages(&state.views, lang, issues);
    let count = tenant.0.settings.identity.photo_count;
    let slots = &tenant.0.settings.identity.slots;
    let slot_label = |n: usize| match (slots.get(n - 1), lang) {
        (Some(s), Lang::Th) => s.name_th.clone(),
        (Some(s), Lang::En) => s.name_en.clone(),
        (None, _) => state.views.t(lang, "registration.identity.photo").replace("{n}", &n.to_string()),
    };
    let slot_hint = |n: usize| {
        slots.get(n - 1).and_then(|s| match lang {
            Lang::Th => s.hint_th.clone(),
            Lang::En => s.hint_en.clone(),
        })
    };
    let mut summary: Vec<ErrorLink> = errors.get("photos").map(|m| ErrorLink::new("photo-1", m.clone())).into_iter().collect();
    summary.extend((0..usize::from(count)).filter_map(|i| {
        errors.get(&format!("photos[{i}]")).map(|m| ErrorLink::labelled(format!("photo-{}", i + 1), &slot_label(i + 1), m))
    }));
    let page = IdentityPage {
        summary,
        csrf_token: &csrf.0,
        count,
        slots: (1..=usize::from(count))
            .map(|n| Slot {
                n,
                name: slot_label(n),
                hint: slot_hint(n),
                example: slots
                    .get(n - 1)
                    .filter(|s| s.example.is_some())
                    .map(|_| format!("/branding/slots/{n}?v={}", tenant.0.revision)),
                error: errors.get(&format!("photos[{}]", n - 1)).cloned(),
            })
            .collect(),
        error: errors.get("photos").cloned(),
        status: status_view(state, lang, citizen),
        current: photo_links(current),
        max_mb: service::image_limits().max_bytes / (1024 * 1024),
    };
    state.views.page("register_identity.html", &PageCtx::new(lang, "/register/identity", Some(tenant)), &page)
}

/// `GET /register/identity`: one file input per photo the tenant asks for.
#[tracing::instrument(skip_all, fields(tenant = %tenant.0.slug, citizen = %me.citizen.id))]
pub async fn page(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    csrf: CsrfToken,
    me: CurrentCitizen,
) -> Result<Response, AppError> {
    if me.citizen.identity_status == identity_status::VERIFIED {
        return Ok(Redirect::to("/welcome").into_response());
    }
    let current = citizens::identity_photos(&state.db, tenant.scope(), me.citizen.id).await?;
    Ok(render_page(&state, &tenant, lang, &csrf, &me.citizen, &current, &[])?.into_response())
}

/// `POST /register/identity` (multipart: `csrf_token` first, then one `photo` per input).
#[tracing::instrument(skip_all, fields(tenant = %tenant.0.slug, citizen = %me.citizen.id))]
pub async fn upload(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    csrf: CsrfToken,
    me: CurrentCitizen,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    let mut multipart = multipart.map_err(|_| AppError::BadRequest)?;
    let files = uploads::form_files(&mut multipart, &csrf, "photo", service::image_limits().max_bytes).await?;
    match photos::replace_identity_photos(&state.app, &tenant.0, &me.citizen, files).await {
        Ok(_) | Err(PhotoError::AlreadyVerified) => Ok(Redirect::to("/welcome").into_response()),
        Err(PhotoError::Invalid(issues)) => {
            let current = citizens::identity_photos(&state.db, tenant.scope(), me.citizen.id).await?;
            let html = render_page(&state, &tenant, lang, &csrf, &me.citizen, &current, &field_issues(issues))?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Serialize)]
struct WelcomePage<'a> {
    csrf_token: &'a str,
    name: String,
    status: StatusView,
    photos: Vec<PhotoLink>,
    has_avatar: bool,
}

/// `GET /welcome`: "ยินดีต้อนรับ เข้าสู่ระบบบริการประชาชนออนไลน์" with the identity status.
#[tracing::instrument(skip_all, fields(tenant = %tenant.0.slug, citizen = %me.citizen.id))]
pub async fn welcome(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    csrf: CsrfToken,
    me: CurrentCitizen,
) -> Result<Response, AppError> {
    let citizen = &me.citizen;
    if citizen.identity_status == identity_status::PHOTOS_REQUIRED {
        return Ok(Redirect::to("/register/identity").into_response());
    }
    let photos = citizens::identity_photos(&state.db, tenant.scope(), citizen.id).await?;
    let page = WelcomePage {
        csrf_token: &csrf.0,
        name: format!("{} {}", citizen.first_name, citizen.last_name),
        status: status_view(&state, lang, citizen),
        photos: photo_links(&photos),
        has_avatar: citizen.avatar_key.is_some(),
    };
    Ok(state.views.page("welcome.html", &PageCtx::new(lang, "/welcome", Some(&tenant)), &page)?.into_response())
}

/// Headers for a citizen's own image: never cached by shared caches, never sniffed.
pub(super) fn private_image(bytes: bytes::Bytes) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg")),
            (header::CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
            (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
            (header::CONTENT_DISPOSITION, HeaderValue::from_static("inline")),
        ],
        bytes,
    )
        .into_response()
}

/// `GET /me/identity-photos/{id}`: a stamped photo of the signed-in citizen; anyone else's is 404.
#[tracing::instrument(skip_all, fields(tenant = %tenant.0.slug, citizen = %me.citizen.id))]
pub async fn photo(
    State(state): State<AppState>,
    tenant: Tenant,
    me: CurrentCitizen,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = uuid::Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let photo = citizens::identity_photo(&state.db, tenant.scope(), me.citizen.id, id).await?.ok_or(AppError::NotFound)?;
    Ok(private_image(service::image_bytes(&state, &photo.object_key).await?))
}
