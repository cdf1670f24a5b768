//! The citizen's profile: what was registered, the identity status, and the profile picture
//! (รูปโปรไฟล์), optional and uploadable at any time, cropped square.

use app::citizens::photos::{self, PhotoError};
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use crate::extract::Query;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::locale::{Lang, format_date};
use serde::{Deserialize, Serialize};
use store::citizens::{self, Citizen};

use super::identity::{PhotoLink, StatusView, photo_links, private_image, status_view};
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
struct ProfilePage<'a> {
    csrf_token: &'a str,
    name: String,
    national_id: String,
    birth_date: String,
    phone: &'a str,
    email: &'a str,
    address: String,
    /// `th` or `en`: the language the address is written in (see `address_in_one_language`).
    address_lang: &'static str,
    status: StatusView,
    photos: Vec<PhotoLink>,
    can_reupload: bool,
    has_avatar: bool,
    avatar_error: Option<String>,
    summary: Vec<ErrorLink>,
    saved: bool,
    max_mb: usize,
}

/// Bangkok's province code: its areas are แขวง and เขต, not ตำบล and อำเภอ.
const BANGKOK: u32 = 10;

/// The registered address on one line as it is written in `lang`, e.g.
/// "99/1 หมู่ 4 ถ.มิตรภาพ ต.ในเมือง อ.เมืองขอนแก่น จ.ขอนแก่น 40000".
pub(crate) fn address_line(citizen: &Citizen, lang: Lang) -> String {
    let mut parts: Vec<String> = Vec::new();
    let given = |p: &str| !p.trim().is_empty() && p.trim() != "-";
    if given(&citizen.house_no) {
        parts.push(citizen.house_no.clone());
    }
    if given(&citizen.village) {
        parts.push(citizen.village.clone());
    }
    if given(&citizen.road) {
        parts.push(match lang {
            Lang::Th => format!("ถ.{}", citizen.road),
            Lang::En => format!("{} Road", citizen.road),
        });
    }
    if let Some(a) = u32::try_from(citizen.sub_district_code).ok().and_then(domain::address::address) {
        match lang {
            Lang::Th if a.province.code == BANGKOK => {
                parts.extend([format!("แขวง{}", a.sub_district.name_th), a.district.name_th.clone(), a.province.name_th.clone()])
            }
            Lang::Th => parts.extend([
                format!("ต.{}", a.sub_district.name_th),
                format!("อ.{}", a.district.name_th),
                format!("จ.{}", a.province.name_th),
            ]),
            Lang::En => parts.extend([a.sub_district.name_en.clone(), a.district.name_en.clone(), a.province.name_en.clone()]),
        }
    }
    parts.push(citizen.postcode.clone());
    parts.join(" ")
}

/// The address in one language: in English only when what the citizen typed (house number,
/// village, road) has no Thai in it; otherwise all of it in Thai, the language it was written in.
pub(crate) fn address_in_one_language(citizen: &Citizen, lang: Lang) -> (String, Lang) {
    let typed_in_thai =
        [&citizen.house_no, &citizen.village, &citizen.road].iter().any(|p| p.chars().any(|c| ('\u{0E00}'..='\u{0E7F}').contains(&c)));
    let shown = if typed_in_thai { Lang::Th } else { lang };
    (address_line(citizen, shown), shown)
}

/// What the page says besides the citizen's data: a refused picture, or a saved one.
#[derive(Default)]
struct Outcome<'a> {
    issues: &'a [FieldIssue],
    saved: bool,
}

async fn render_page(
    state: &AppState,
    tenant: &Tenant,
    lang: Lang,
    csrf: &CsrfToken,
    citizen: &Citizen,
    outcome: Outcome<'_>,
) -> Result<Html<String>, AppError> {
    let photos = citizens::identity_photos(&state.db, tenant.scope(), citizen.id).await?;
    let national_id = domain::national_id::NationalId::parse(&citizen.national_id)
        .map(|id| id.formatted())
        .unwrap_or_else(|_| citizen.national_id.clone());
    let (address, address_lang) = address_in_one_language(citizen, lang);
    let avatar_error = messages(&state.views, lang, outcome.issues).remove("avatar");
    let label = state.views.t(lang, "profile.avatar");
    let page = ProfilePage {
        summary: avatar_error.iter().map(|m| ErrorLink::labelled("f-avatar", &label, m)).collect(),
        csrf_token: &csrf.0,
        name: super::full_name(&state.views, lang, citizen),
        national_id,
        birth_date: format_date(citizen.birth_date, lang),
        phone: &citizen.phone,
        email: &citizen.email,
        address,
        address_lang: address_lang.code(),
        status: status_view(state, lang, citizen),
        photos: photo_links(&photos),
        can_reupload: citizen.identity_status != citizens::identity_status::VERIFIED,
        has_avatar: citizen.avatar_key.is_some(),
        avatar_error,
        saved: outcome.saved,
        max_mb: service::image_limits().max_bytes / (1024 * 1024),
    };
    state.views.page("profile.html", &PageCtx::new(lang, "/profile", Some(tenant)), &page)
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct Saved {
    saved: Option<String>,
}

/// `GET /profile`
#[tracing::instrument(skip_all, fields(tenant = %tenant.0.slug, citizen = %me.citizen.id))]
pub async fn page(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    csrf: CsrfToken,
    me: CurrentCitizen,
    Query(q): Query<Saved>,
) -> Result<Response, AppError> {
    let outcome = Outcome { saved: q.saved.is_some(), ..Outcome::default() };
    Ok(render_page(&state, &tenant, lang, &csrf, &me.citizen, outcome).await?.into_response())
}

/// `POST /profile` (multipart: `csrf_token` first, then `avatar`).
#[tracing::instrument(skip_all, fields(tenant = %tenant.0.slug, citizen = %me.citizen.id))]
pub async fn upload_avatar(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    csrf: CsrfToken,
    me: CurrentCitizen,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    let mut multipart = multipart.map_err(|_| AppError::BadRequest)?;
    let mut files = uploads::form_files(&mut multipart, &csrf, "avatar", service::image_limits().max_bytes).await?;
    if files.len() > 1 {
        return Err(AppError::BadRequest);
    }
    let upload = files.pop().unwrap_or_default();
    match photos::replace_avatar(&state.app, &tenant.0, &me.citizen, upload).await {
        Ok(()) => Ok(Redirect::to("/profile?saved=1").into_response()),
        Err(PhotoError::Invalid(issues)) => {
            let issues = field_issues(issues);
            let html = render_page(&state, &tenant, lang, &csrf, &me.citizen, Outcome { issues: &issues, saved: false }).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// `GET /me/avatar`: the signed-in citizen's profile picture.
pub async fn avatar(State(state): State<AppState>, me: CurrentCitizen) -> Result<Response, AppError> {
    let key = me.citizen.avatar_key.as_deref().ok_or(AppError::NotFound)?;
    Ok(private_image(service::image_bytes(&state, key).await?))
}
