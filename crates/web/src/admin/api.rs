//! The admin's settings as JSON under `/api/v1/admin`, with a staff bearer token: every change
//! names the `revision` it was made from and answers with the settings after it (and the new
//! revision), 422 naming each wrong field, or 409 when someone saved first.

use access::authz::ConfigureTenant;
use app::admin::{self, General, Settings};
use axum::extract::{Multipart, State};
use axum::Json;
use chrono::NaiveDate;
use domain::tenant::{BackOffice, Branding, Contact, IdentityRules, Notifications, PhotoSlot};
use serde::{Deserialize, Serialize};
use store::tenant_dir::{CategoryDef, ItemDef};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::app_error;
use crate::api::auth::ApiJson;
use crate::api::refusals::{InvalidField, NoStaffSession, NotAdmin, NotJson, NotMultipart, StaleSettings};
use crate::backoffice::Can;
use crate::error::{AppError, FieldIssue};
use crate::extract::Path;
use crate::i18n::RequestLang;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(settings))
        .routes(routes!(general))
        .routes(routes!(logo))
        .routes(routes!(terms))
        .routes(routes!(identity))
        .routes(routes!(slot_example))
        .routes(routes!(notifications))
        .routes(routes!(working_days))
        .routes(routes!(services, save_services))
        .routes(routes!(forms))
        .routes(routes!(form, publish_form))
}

#[derive(Serialize, ToSchema)]
#[schema(as = AdminTerms)]
pub struct TermsView {
    version: String,
    body_th: String,
    body_en: String,
}

/// Every setting of the tenant an admin can change.
#[derive(Serialize, ToSchema)]
#[schema(as = AdminSettings)]
pub struct SettingsView {
    /// Send it back with a change; a change made from an older revision is refused (409).
    revision: String,
    /// Parts changed here since the tenant folder was last applied (`tenant apply` refuses them).
    changed_since_apply: Vec<String>,
    name_th: String,
    name_en: String,
    branding: Branding,
    logo_url: &'static str,
    contact: Contact,
    identity: IdentityRules,
    notifications: Notifications,
    back_office: BackOffice,
    terms: TermsView,
}

pub fn settings_view(s: Settings) -> SettingsView {
    let t = s.bundle.tenant;
    SettingsView {
        revision: s.revision,
        changed_since_apply: s.local_changes,
        name_th: t.name_th,
        name_en: t.name_en,
        branding: t.settings.branding,
        logo_url: "/branding/logo",
        contact: t.settings.contact,
        identity: t.settings.identity,
        notifications: t.settings.notifications,
        back_office: t.settings.back_office,
        terms: TermsView { version: t.settings.terms_version, body_th: s.bundle.terms_th, body_en: s.bundle.terms_en },
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/settings",
    tag = "admin",
    operation_id = "adminSettings",
    summary = "Every setting an admin can change",
    security(("staffBearer" = [])),
    responses(
        (status = 200, description = "The settings", body = SettingsView),
        NoStaffSession, NotAdmin,
    ),
)]
async fn settings(State(state): State<AppState>, RequestLang(lang): RequestLang, can: Can<ConfigureTenant>) -> Result<Json<SettingsView>, AppError> {
    let s = admin::load(&state.app, &can.granted).await.map_err(|e| app_error(e, lang))?;
    Ok(Json(settings_view(s)))
}

/// After a change: this replica shows it at once, the others within the tenant cache TTL.
fn changed(state: &AppState, s: Settings) -> Json<SettingsView> {
    state.tenants.invalidate_all();
    Json(settings_view(s))
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(default)]
#[schema(as = GeneralChange)]
struct GeneralBody {
    #[schema(required)]
    revision: String,
    name_th: String,
    name_en: String,
    primary_color: String,
    accent_color: String,
    contact: Contact,
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/general",
    tag = "admin",
    operation_id = "adminSaveGeneral",
    summary = "Names, colours and contact details",
    security(("staffBearer" = [])),
    request_body = GeneralBody,
    responses(
        (status = 200, description = "The settings after the change", body = SettingsView),
        NotJson, NoStaffSession, NotAdmin, StaleSettings, InvalidField,
    ),
)]
async fn general(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    can: Can<ConfigureTenant>,
    ApiJson(b): ApiJson<GeneralBody>,
) -> Result<Json<SettingsView>, AppError> {
    let input = General { name_th: b.name_th, name_en: b.name_en, primary_color: b.primary_color, accent_color: b.accent_color, contact: b.contact };
    let s = admin::save_general(&state.app, &can.granted, &b.revision, input).await.map_err(|e| app_error(e, lang))?;
    Ok(changed(&state, s))
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/logo",
    tag = "admin",
    operation_id = "adminSaveLogo",
    summary = "A new logo",
    security(("staffBearer" = [])),
    request_body(content = crate::api::multipart::LogoForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "The settings after the change", body = SettingsView),
        NotMultipart, NoStaffSession, NotAdmin, StaleSettings, InvalidField,
    ),
)]
async fn logo(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    can: Can<ConfigureTenant>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Json<SettingsView>, AppError> {
    let (fields, file) = crate::extract::form_with_file(multipart, "logo", usize::MAX).await?;
    let revision = fields.get("revision").map(|v| v.trim()).unwrap_or_default();
    let upload = file.map(|(_, bytes)| bytes).unwrap_or_default();
    let s = admin::save_logo(&state.app, &can.granted, revision, upload).await.map_err(|e| app_error(e, lang))?;
    Ok(changed(&state, s))
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(default)]
#[schema(as = TermsChange)]
struct TermsBody {
    #[schema(required)]
    revision: String,
    #[schema(required)]
    version: String,
    #[schema(required)]
    body_th: String,
    #[schema(required)]
    body_en: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/terms",
    tag = "admin",
    operation_id = "adminPublishTerms",
    summary = "Publish new terms of service",
    description = "Citizens accept the new terms at their next visit (`terms_to_accept` of `GET /api/v1/me`).",
    security(("staffBearer" = [])),
    request_body = TermsBody,
    responses(
        (status = 200, description = "The settings after the change", body = SettingsView),
        NotJson, NoStaffSession, NotAdmin, StaleSettings, InvalidField,
    ),
)]
async fn terms(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    can: Can<ConfigureTenant>,
    ApiJson(b): ApiJson<TermsBody>,
) -> Result<Json<SettingsView>, AppError> {
    let s = admin::publish_terms(&state.app, &can.granted, &b.revision, &b.version, &b.body_th, &b.body_en)
        .await
        .map_err(|e| app_error(e, lang))?;
    Ok(changed(&state, s))
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(default)]
#[schema(as = IdentityChange)]
struct IdentityBody {
    #[schema(required)]
    revision: String,
    #[schema(required)]
    photo_count: i64,
    #[schema(required)]
    watermark_text: String,
    slots: Vec<SlotBody>,
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(default)]
#[schema(as = SlotChange)]
pub struct SlotBody {
    #[schema(required)]
    pub name_th: String,
    #[schema(required)]
    pub name_en: String,
    pub hint_th: String,
    pub hint_en: String,
    pub card: bool,
}

impl Default for SlotBody {
    fn default() -> Self {
        Self { name_th: String::new(), name_en: String::new(), hint_th: String::new(), hint_en: String::new(), card: true }
    }
}

/// The identity rules from the fields an admin filled; blank hints are no hints, and a photo
/// count that is no small number is 0 (refused with the range).
pub fn identity_rules(photo_count: i64, watermark_text: String, slots: Vec<SlotBody>) -> IdentityRules {
    let hint = |h: String| Some(h.trim().to_owned()).filter(|h| !h.is_empty());
    IdentityRules {
        photo_count: u8::try_from(photo_count).unwrap_or(0),
        watermark_text: watermark_text.trim().to_owned(),
        slots: slots
            .into_iter()
            .map(|s| PhotoSlot {
                name_th: s.name_th.trim().into(),
                name_en: s.name_en.trim().into(),
                hint_th: hint(s.hint_th),
                hint_en: hint(s.hint_en),
                card: s.card,
                example: None,
            })
            .collect(),
    }
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/identity",
    tag = "admin",
    operation_id = "adminSaveIdentity",
    summary = "Identity rules: photo count, their names, the stamp's text",
    security(("staffBearer" = [])),
    request_body = IdentityBody,
    responses(
        (status = 200, description = "The settings after the change", body = SettingsView),
        NotJson, NoStaffSession, NotAdmin, StaleSettings, InvalidField,
    ),
)]
async fn identity(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    can: Can<ConfigureTenant>,
    ApiJson(b): ApiJson<IdentityBody>,
) -> Result<Json<SettingsView>, AppError> {
    let rules = identity_rules(b.photo_count, b.watermark_text, b.slots);
    let s = admin::save_identity(&state.app, &can.granted, &b.revision, rules).await.map_err(|e| app_error(e, lang))?;
    Ok(changed(&state, s))
}

/// A photo slot's example picture: multipart `revision`, `slot` (1-based), and `example` (a
/// picture) or `remove=1`.
#[utoipa::path(
    post,
    path = "/api/v1/admin/identity/example",
    tag = "admin",
    operation_id = "adminSaveSlotExample",
    summary = "A photo slot's example picture",
    security(("staffBearer" = [])),
    request_body(content = crate::api::multipart::SlotExampleForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "The settings after the change", body = SettingsView),
        NotMultipart, NoStaffSession, NotAdmin, StaleSettings, InvalidField,
    ),
)]
async fn slot_example(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    can: Can<ConfigureTenant>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Json<SettingsView>, AppError> {
    let (fields, file) = crate::extract::form_with_file(multipart, "example", usize::MAX).await?;
    let text = |name: &str| fields.get(name).map(|v| v.trim()).unwrap_or_default();
    let Some(slot) = text("slot").parse::<usize>().ok().and_then(|n| n.checked_sub(1)) else {
        return Err(AppError::Validation(vec![FieldIssue::admin("slot", "choice", None)]));
    };
    let upload = (text("remove") != "1").then(|| file.map(|(_, bytes)| bytes).unwrap_or_default());
    let s = admin::save_slot_example(&state.app, &can.granted, text("revision"), slot, upload).await.map_err(|e| app_error(e, lang))?;
    Ok(changed(&state, s))
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(default)]
#[schema(as = NotificationsChange)]
struct NotificationsBody {
    #[schema(required)]
    revision: String,
    on_every_status_change: bool,
    on_received: bool,
    on_in_progress: bool,
    on_rejected: bool,
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/notifications",
    tag = "admin",
    operation_id = "adminSaveNotifications",
    summary = "Which status changes e-mail the citizen",
    security(("staffBearer" = [])),
    request_body = NotificationsBody,
    responses(
        (status = 200, description = "The settings after the change", body = SettingsView),
        NotJson, NoStaffSession, NotAdmin, StaleSettings, InvalidField,
    ),
)]
async fn notifications(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    can: Can<ConfigureTenant>,
    ApiJson(b): ApiJson<NotificationsBody>,
) -> Result<Json<SettingsView>, AppError> {
    let choice = Notifications {
        on_every_status_change: b.on_every_status_change,
        on_received: b.on_received,
        on_in_progress: b.on_in_progress,
        on_rejected: b.on_rejected,
    };
    let s = admin::save_notifications(&state.app, &can.granted, &b.revision, choice).await.map_err(|e| app_error(e, lang))?;
    Ok(changed(&state, s))
}

#[derive(Deserialize, ToSchema)]
#[serde(default)]
#[schema(as = WorkingDaysChange)]
struct WorkingDaysBody {
    #[schema(required)]
    revision: String,
    officer_totp: bool,
    complete_unverified: bool,
    /// `YYYY-MM-DD`.
    closure_days: Vec<String>,
}

impl Default for WorkingDaysBody {
    fn default() -> Self {
        Self { revision: String::new(), officer_totp: true, complete_unverified: false, closure_days: Vec::new() }
    }
}

/// ISO dates, each wrong one named by its place in the list.
pub fn closure_days(raw: &[String]) -> Result<Vec<NaiveDate>, AppError> {
    let mut issues = Vec::new();
    let mut days = Vec::new();
    for (i, day) in raw.iter().enumerate().filter(|(_, d)| !d.trim().is_empty()) {
        match NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d") {
            Ok(d) => days.push(d),
            Err(_) => issues.push(FieldIssue::admin(format!("closure_days[{i}]"), "date", None)),
        }
    }
    if issues.is_empty() { Ok(days) } else { Err(AppError::Validation(issues)) }
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/working-days",
    tag = "admin",
    operation_id = "adminSaveWorkingDays",
    summary = "Closure days and how the back office works",
    security(("staffBearer" = [])),
    request_body = WorkingDaysBody,
    responses(
        (status = 200, description = "The settings after the change", body = SettingsView),
        NotJson, NoStaffSession, NotAdmin, StaleSettings, InvalidField,
    ),
)]
async fn working_days(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    can: Can<ConfigureTenant>,
    ApiJson(b): ApiJson<WorkingDaysBody>,
) -> Result<Json<SettingsView>, AppError> {
    let back_office = BackOffice { officer_totp: b.officer_totp, complete_unverified: b.complete_unverified, closure_days: closure_days(&b.closure_days)? };
    let s = admin::save_working_days(&state.app, &can.granted, &b.revision, back_office).await.map_err(|e| app_error(e, lang))?;
    Ok(changed(&state, s))
}

/// A category as the API reads and writes it (hidden ones included).
#[derive(Serialize, Deserialize, Default, ToSchema)]
#[serde(default)]
#[schema(as = AdminCategory)]
pub struct CategoryBody {
    #[schema(required)]
    pub key: String,
    #[schema(required)]
    pub icon: String,
    #[schema(required)]
    pub title_th: String,
    #[schema(required)]
    pub title_en: String,
    #[schema(required)]
    pub description_th: Option<String>,
    #[schema(required)]
    pub description_en: Option<String>,
    #[schema(required)]
    pub hidden: bool,
    #[schema(required)]
    pub items: Vec<ItemBody>,
}

#[derive(Serialize, Deserialize, Default, ToSchema)]
#[serde(default)]
#[schema(as = AdminItem)]
pub struct ItemBody {
    #[schema(required)]
    pub key: String,
    #[schema(required)]
    pub title_th: String,
    #[schema(required)]
    pub title_en: String,
    #[schema(required)]
    pub description_th: Option<String>,
    #[schema(required)]
    pub description_en: Option<String>,
    /// The form key.
    #[schema(required)]
    pub form: String,
    /// Working days, 1 to 365.
    #[schema(required)]
    pub service_days: Option<i64>,
    #[schema(required)]
    pub hidden: bool,
}

impl From<CategoryDef> for CategoryBody {
    fn from(c: CategoryDef) -> Self {
        Self {
            key: c.key,
            icon: c.icon,
            title_th: c.title_th,
            title_en: c.title_en,
            description_th: c.description_th,
            description_en: c.description_en,
            hidden: c.hidden,
            items: c
                .items
                .into_iter()
                .map(|i| ItemBody {
                    key: i.key,
                    title_th: i.title_th,
                    title_en: i.title_en,
                    description_th: i.description_th,
                    description_en: i.description_en,
                    form: i.form_key,
                    service_days: i.service_days.map(i64::from),
                    hidden: i.hidden,
                })
                .collect(),
        }
    }
}

impl From<CategoryBody> for CategoryDef {
    fn from(c: CategoryBody) -> Self {
        Self {
            key: c.key.trim().to_owned(),
            icon: c.icon.trim().to_owned(),
            title_th: c.title_th,
            title_en: c.title_en,
            description_th: c.description_th,
            description_en: c.description_en,
            hidden: c.hidden,
            items: c
                .items
                .into_iter()
                .map(|i| ItemDef {
                    key: i.key.trim().to_owned(),
                    title_th: i.title_th,
                    title_en: i.title_en,
                    description_th: i.description_th,
                    description_en: i.description_en,
                    form_key: i.form.trim().to_owned(),
                    // Out of i32 is out of 1..=365 too, and refused as such.
                    service_days: i.service_days.map(|d| i32::try_from(d).unwrap_or(i32::MAX)),
                    hidden: i.hidden,
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
#[schema(as = AdminServices)]
struct ServicesView {
    revision: String,
    categories: Vec<CategoryBody>,
    /// The forms a sub-menu may name.
    forms: Vec<FormSummary>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = AdminForm)]
struct FormSummary {
    key: String,
    version: u32,
}

fn services_view(s: Settings) -> ServicesView {
    ServicesView {
        revision: s.revision,
        forms: s.bundle.services.forms.iter().map(|f| FormSummary { key: f.key.clone(), version: f.version }).collect(),
        categories: s.bundle.services.categories.into_iter().map(CategoryBody::from).collect(),
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/services",
    tag = "admin",
    operation_id = "adminServices",
    summary = "The catalogue, hidden services included",
    security(("staffBearer" = [])),
    responses(
        (status = 200, description = "The catalogue", body = ServicesView),
        NoStaffSession, NotAdmin,
    ),
)]
async fn services(State(state): State<AppState>, RequestLang(lang): RequestLang, can: Can<ConfigureTenant>) -> Result<Json<ServicesView>, AppError> {
    let s = admin::load(&state.app, &can.granted).await.map_err(|e| app_error(e, lang))?;
    Ok(Json(services_view(s)))
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(default)]
#[schema(as = ServicesChange)]
struct ServicesBody {
    #[schema(required)]
    revision: String,
    #[schema(required)]
    categories: Vec<CategoryBody>,
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/services",
    tag = "admin",
    operation_id = "adminSaveServices",
    summary = "Replace the catalogue (rename, reorder, hide, add)",
    security(("staffBearer" = [])),
    request_body = ServicesBody,
    responses(
        (status = 200, description = "The catalogue after the change", body = ServicesView),
        NotJson, NoStaffSession, NotAdmin, StaleSettings, InvalidField,
    ),
)]
async fn save_services(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    can: Can<ConfigureTenant>,
    ApiJson(b): ApiJson<ServicesBody>,
) -> Result<Json<ServicesView>, AppError> {
    let categories = b.categories.into_iter().map(CategoryDef::from).collect();
    let s = admin::save_services(&state.app, &can.granted, &b.revision, categories).await.map_err(|e| app_error(e, lang))?;
    state.tenants.invalidate_all();
    Ok(Json(services_view(s)))
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/forms",
    tag = "admin",
    operation_id = "adminForms",
    summary = "The forms and their published versions",
    security(("staffBearer" = [])),
    responses(
        (status = 200, description = "Every form", body = Vec<FormSummary>),
        NoStaffSession, NotAdmin,
    ),
)]
async fn forms(State(state): State<AppState>, RequestLang(lang): RequestLang, can: Can<ConfigureTenant>) -> Result<Json<Vec<FormSummary>>, AppError> {
    let s = admin::load(&state.app, &can.granted).await.map_err(|e| app_error(e, lang))?;
    Ok(Json(s.bundle.services.forms.iter().map(|f| FormSummary { key: f.key.clone(), version: f.version }).collect()))
}

/// The current version of a form, as its `forms/<key>.json` (import it back with POST).
#[utoipa::path(
    get,
    path = "/api/v1/admin/forms/{key}",
    tag = "admin",
    operation_id = "adminForm",
    summary = "A form's current version, as forms/<key>.json",
    security(("staffBearer" = [])),
    params(("key" = String, Path, description = "The form key")),
    responses(
        (status = 200, description = "The form schema (docs/forms.md)", body = Object),
        NoStaffSession, NotAdmin,
        (status = 404, description = "No such form (or no municipality at this host)", body = crate::ErrorBody),
    ),
)]
async fn form(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    can: Can<ConfigureTenant>,
    Path(key): Path<String>,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    let json = admin::form_json(&state.app, &can.granted, &key).await.map_err(|e| app_error(e, lang))?;
    Ok(([(axum::http::header::CONTENT_TYPE, "application/json")], json).into_response())
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(default)]
#[schema(as = FormPublication)]
struct PublishBody {
    #[schema(required)]
    revision: String,
    /// The form schema, as in `forms/<key>.json`; its `version` is set to the next one.
    #[schema(required, value_type = Object)]
    schema: serde_json::Value,
}

#[derive(Serialize, ToSchema)]
#[schema(as = PublishedForm)]
struct Published {
    revision: String,
    key: String,
    version: u32,
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/forms/{key}",
    tag = "admin",
    operation_id = "adminPublishForm",
    summary = "Publish a form as its next version (a new form at version 1)",
    security(("staffBearer" = [])),
    params(("key" = String, Path, description = "The form key")),
    request_body = PublishBody,
    responses(
        (status = 201, description = "Published", body = Published),
        NotJson, NoStaffSession, NotAdmin, StaleSettings, InvalidField,
    ),
)]
async fn publish_form(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    can: Can<ConfigureTenant>,
    Path(key): Path<String>,
    ApiJson(b): ApiJson<PublishBody>,
) -> Result<(axum::http::StatusCode, Json<Published>), AppError> {
    let (s, version) = admin::publish_form(&state.app, &can.granted, &b.revision, &key, &b.schema.to_string())
        .await
        .map_err(|e| app_error(e, lang))?;
    state.tenants.invalidate_all();
    Ok((axum::http::StatusCode::CREATED, Json(Published { revision: s.revision, key, version })))
}
