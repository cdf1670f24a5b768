//! The admin's settings pages: `/staff/settings` (names, colours and contact with a preview, the
//! logo, identity rules with a preview of the stamp, notices, working days, terms of service),
//! `/staff/settings/services` (categories and sub-menus) and `/staff/settings/forms/{key}` (a
//! form's JSON with the citizen's own form as preview, published as a new version). A refused
//! change comes back with an error summary, each message at its field, and what was typed kept.

use std::collections::BTreeMap;

use access::authz::ConfigureTenant;
use app::admin::{self, AdminError, General, Problem, Settings};
use axum::Router;
use axum::extract::{Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::locale::Lang;
use domain::tenant::{BackOffice, Contact, Notifications};
use serde::{Deserialize, Serialize};
use store::tenant_dir::{CategoryDef, ICONS, ItemDef};

use super::api::{SlotBody, identity_rules};
use super::issue;
use crate::accounts::login::HtmlForm;
use crate::backoffice::view::{Me, me, render};
use crate::backoffice::{Can, check_csrf};
use crate::error::AppError;
use crate::extract::Query;
use crate::form_errors::ErrorLink;
use crate::i18n::RequestLang;
use crate::requests::view::when;
use crate::state::AppState;
use crate::tenancy::Tenant;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/settings", get(page))
        .route("/staff/settings/general", post(general))
        .route("/staff/settings/logo", post(logo))
        .route("/staff/settings/identity", post(identity))
        .route("/staff/settings/identity/stamp.jpg", get(stamp_preview))
        .route("/staff/settings/identity/example", post(slot_example))
        .route("/staff/settings/preview.css", get(preview_css))
        .route("/staff/settings/preview-home", post(preview_home))
        .route("/staff/settings/notifications", post(notifications))
        .route("/staff/settings/working-days", post(working_days))
        .route("/staff/settings/terms", post(terms))
        .route("/staff/settings/services", get(services_page).post(services))
}

/// Every settings page route, as `(method, path)`, for the route × role test.
pub const PAGES: &[(&str, &str)] = &[
    ("GET", "/staff/settings"),
    ("POST", "/staff/settings/general"),
    ("POST", "/staff/settings/logo"),
    ("POST", "/staff/settings/identity"),
    ("GET", "/staff/settings/identity/stamp.jpg"),
    ("POST", "/staff/settings/identity/example"),
    ("GET", "/staff/settings/preview.css"),
    ("POST", "/staff/settings/preview-home"),
    ("POST", "/staff/settings/notifications"),
    ("POST", "/staff/settings/working-days"),
    ("POST", "/staff/settings/terms"),
    ("GET", "/staff/settings/services"),
    ("POST", "/staff/settings/services"),
];

/// One input of a settings form, with its label, value and message, as `staff/settings_input.html`
/// draws it.
#[derive(Serialize, Clone)]
pub(super) struct Input {
    pub(super) name: String,
    pub(super) id: String,
    pub(super) label: String,
    pub(super) value: String,
    pub(super) kind: &'static str,
    pub(super) hint: Option<String>,
    pub(super) error: Option<String>,
    pub(super) required: bool,
    pub(super) checked: bool,
    pub(super) options: Vec<Opt>,
}

#[derive(Serialize, Clone)]
pub(super) struct Opt {
    pub(super) value: String,
    pub(super) label: String,
    pub(super) selected: bool,
}

/// The messages of a refused change, by field path, and its error summary.
#[derive(Default)]
pub(super) struct Refusal {
    pub(super) messages: BTreeMap<String, String>,
    pub(super) summary: Vec<ErrorLink>,
}

pub(super) fn input_id(name: &str) -> String {
    let cleaned: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '-' }).collect();
    format!("f-{cleaned}")
}

pub(super) struct Inputs<'a> {
    pub(super) state: &'a AppState,
    pub(super) lang: Lang,
    pub(super) refusal: &'a Refusal,
}

impl Inputs<'_> {
    pub(super) fn t(&self, key: &str) -> String {
        self.state.views.t(self.lang, key)
    }

    pub(super) fn make(&self, name: &str, label_key: &str, kind: &'static str, value: impl Into<String>, required: bool) -> Input {
        Input {
            name: name.to_owned(),
            id: input_id(name),
            label: self.t(&format!("admin.field.{label_key}")),
            value: value.into(),
            kind,
            hint: None,
            error: self.refusal.messages.get(name).cloned(),
            required,
            checked: false,
            options: Vec::new(),
        }
    }

    pub(super) fn text(&self, name: &str, label_key: &str, value: &str, required: bool) -> Input {
        self.make(name, label_key, "text", value, required)
    }

    pub(super) fn check(&self, name: &str, label_key: &str, checked: bool) -> Input {
        Input { checked, ..self.make(name, label_key, "checkbox", "1", false) }
    }

    pub(super) fn hinted(&self, mut input: Input, hint_key: &str) -> Input {
        input.hint = Some(self.t(&format!("admin.hint.{hint_key}")));
        input
    }
}

/// A refused change as messages at fields: `refusal` for the page, `prefix` put before each path
/// so that it names the page's input (`categories[0].`…).
pub(super) fn refusal(state: &AppState, lang: Lang, problems: &[Problem], label: impl Fn(&str) -> String) -> Refusal {
    let mut r = Refusal::default();
    for p in problems {
        let issue = issue(p);
        let message = state.views.t(lang, &issue.message_key()).replace("{detail}", &p.message);
        let field = issue.field.clone();
        r.summary.push(ErrorLink::labelled(input_id(&field), &label(&field), &message));
        r.messages.entry(field).or_insert(message);
    }
    r
}

#[derive(Serialize)]
struct HeaderPreview {
    name: String,
    primary: String,
    accent: String,
    css_url: String,
}

/// A named photo slot with its example picture, as the settings page shows it.
#[derive(Serialize)]
struct ExampleRow {
    n: usize,
    name: String,
    url: Option<String>,
    error: Option<String>,
}

#[derive(Serialize)]
struct SettingsPage {
    me: Me,
    done: Option<String>,
    error: Option<String>,
    revision: String,
    changed_since_apply: String,
    summary: Vec<ErrorLink>,
    general: Vec<Input>,
    contact: Vec<Input>,
    preview: Option<HeaderPreview>,
    logo_error: Option<String>,
    identity: Vec<Input>,
    slots: Vec<Vec<Input>>,
    stamp_url: String,
    examples: Vec<ExampleRow>,
    notifications: Vec<Input>,
    working_days: Vec<Input>,
    terms: Vec<Input>,
    terms_version: String,
}

/// What the admin typed in the form that was refused (or the stored settings otherwise).
#[derive(Default, Clone)]
struct Typed {
    general: Option<General>,
    identity: Option<domain::tenant::IdentityRules>,
    working: Option<(BackOffice, String)>,
    terms: Option<(String, String, String)>,
}

#[allow(clippy::too_many_arguments)]
async fn render_settings(
    state: &AppState,
    tenant: &Tenant,
    lang: Lang,
    can: &Can<ConfigureTenant>,
    done: Option<String>,
    failure: Option<(StatusCode, Refusal, Option<String>)>,
    typed: Typed,
    preview: Option<HeaderPreview>,
) -> Result<Response, AppError> {
    let s = admin::load(&state.app, &can.granted).await.map_err(|e| super::app_error(e, lang))?;
    let (status, refusal, error) = failure.unwrap_or((StatusCode::OK, Refusal::default(), None));
    let i = Inputs { state, lang, refusal: &refusal };
    let t = &s.bundle.tenant;
    let settings = &t.settings;
    let g = typed.general.clone().unwrap_or_else(|| General {
        name_th: t.name_th.clone(),
        name_en: t.name_en.clone(),
        primary_color: settings.branding.primary_color.clone(),
        accent_color: settings.branding.accent_color.clone(),
        contact: settings.contact.clone(),
    });
    let general = vec![
        i.text("name_th", "name_th", &g.name_th, true),
        i.text("name_en", "name_en", &g.name_en, true),
        i.hinted(i.make("branding.primary_color", "primary_color", "color", g.primary_color.clone(), true), "primary_color"),
        i.hinted(i.make("branding.accent_color", "accent_color", "color", g.accent_color.clone(), true), "accent_color"),
    ];
    let c = &g.contact;
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let contact = vec![
        i.make("contact.address_th", "address_th", "textarea", c.address_th.clone(), true),
        i.make("contact.address_en", "address_en", "textarea", c.address_en.clone(), true),
        i.text("contact.phone", "phone", &c.phone, true),
        i.make("contact.email", "email", "email", c.email.clone(), true),
        i.make("contact.website", "website", "url", opt(&c.website), false),
        i.text("contact.line_id", "line_id", &opt(&c.line_id), false),
        i.text("contact.office_hours_th", "office_hours_th", &opt(&c.office_hours_th), false),
        i.text("contact.office_hours_en", "office_hours_en", &opt(&c.office_hours_en), false),
    ];
    let rules = typed.identity.clone().unwrap_or_else(|| settings.identity.clone());
    let mut count = i.make("identity.photo_count", "photo_count", "select", rules.photo_count.to_string(), true);
    count.options = (1..=domain::tenant::MAX_ID_PHOTOS)
        .map(|n| Opt { value: n.to_string(), label: n.to_string(), selected: n == rules.photo_count })
        .collect();
    let identity = vec![
        count,
        i.hinted(i.text("identity.watermark_text", "watermark_text", &rules.watermark_text, true), "watermark_text"),
    ];
    let slots = (0..usize::from(domain::tenant::MAX_ID_PHOTOS))
        .map(|n| {
            let slot = rules.slots.get(n);
            let at = |part: &str| format!("identity.slots[{n}].{part}");
            let get = |f: fn(&domain::tenant::PhotoSlot) -> String| slot.map(f).unwrap_or_default();
            vec![
                i.text(&at("name_th"), "slot_name_th", &get(|s| s.name_th.clone()), false),
                i.text(&at("name_en"), "slot_name_en", &get(|s| s.name_en.clone()), false),
                i.text(&at("hint_th"), "slot_hint_th", &get(|s| s.hint_th.clone().unwrap_or_default()), false),
                i.text(&at("hint_en"), "slot_hint_en", &get(|s| s.hint_en.clone().unwrap_or_default()), false),
                i.check(&at("card"), "slot_card", slot.is_none_or(|s| s.card)),
            ]
        })
        .collect();
    let n = &settings.notifications;
    let notifications = vec![
        i.check("on_received", "on_received", n.emails_on(domain::request::Status::Received)),
        i.check("on_in_progress", "on_in_progress", n.emails_on(domain::request::Status::InProgress)),
        i.hinted(i.check("on_rejected", "on_rejected", n.emails_on(domain::request::Status::Rejected)), "on_every_status_change"),
    ];
    let (office, days_text) = typed.working.clone().unwrap_or_else(|| {
        let days = settings.back_office.closure_days.iter().map(|d| domain::locale::format_date(*d, lang)).collect::<Vec<_>>().join("\n");
        (settings.back_office.clone(), days)
    });
    let working_days = vec![
        i.hinted(i.check("officer_totp", "officer_totp", office.officer_totp), "officer_totp"),
        i.hinted(i.check("complete_unverified", "complete_unverified", office.complete_unverified), "complete_unverified"),
        i.hinted(i.make("closure_days", "closure_days", "textarea", days_text, false), "closure_days"),
    ];
    let (version, body_th, body_en) =
        typed.terms.clone().unwrap_or_else(|| (String::new(), s.bundle.terms_th.clone(), s.bundle.terms_en.clone()));
    let terms = vec![
        i.hinted(i.text("terms.version", "terms_version", &version, true), "terms_version"),
        i.make("terms.body_th", "terms_body_th", "markdown", body_th, true),
        i.make("terms.body_en", "terms_body_en", "markdown", body_en, true),
    ];
    let page = SettingsPage {
        me: me(state, &can.who).await,
        done,
        error,
        revision: s.revision.clone(),
        changed_since_apply: s.local_changes.iter().map(|p| state.views.t(lang, &format!("admin.part.{p}"))).collect::<Vec<_>>().join(", "),
        summary: refusal.summary.clone(),
        logo_error: refusal.messages.get("logo").cloned(),
        general,
        contact,
        preview,
        identity,
        slots,
        examples: settings
            .identity
            .slots
            .iter()
            .enumerate()
            .map(|(i, slot)| ExampleRow {
                n: i + 1,
                name: if lang == Lang::Th { slot.name_th.clone() } else { slot.name_en.clone() },
                url: slot.example.as_ref().map(|_| format!("/branding/slots/{}?v={}", i + 1, s.revision)),
                error: refusal.messages.get(&format!("identity.slots[{i}].example")).cloned(),
            })
            .collect(),
        stamp_url: format!("/staff/settings/identity/stamp.jpg?text={}", crate::render::encode_path(&rules.watermark_text)),
        notifications,
        working_days,
        terms,
        terms_version: settings.terms_version.clone(),
    };
    render(state, tenant, lang, "/staff/settings", "staff/settings.html", status, &page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Done {
    pub(super) done: String,
}

const DONE: &[&str] = &[
    "general", "logo", "identity", "example", "notifications", "working_days", "terms", "services", "form", "builder_saved", "builder_added", "builder_deleted",
    "builder_imported", "builder_discarded",
];

pub(super) fn done_key(q: &Done) -> Option<String> {
    DONE.contains(&q.done.as_str()).then(|| format!("admin.done.{}", q.done))
}

async fn page(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    can: Can<ConfigureTenant>,
    Query(q): Query<Done>,
) -> Result<Response, AppError> {
    render_settings(&state, &tenant, lang, &can, done_key(&q), None, Typed::default(), None).await
}

/// A posted form's fields, by name (a repeated name keeps its first value).
pub(super) struct Posted(pub(super) Vec<(String, String)>);

impl Posted {
    pub(super) fn get(&self, name: &str) -> String {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    pub(super) fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }

    pub(super) fn optional(&self, name: &str) -> Option<String> {
        Some(self.get(name).trim().to_owned()).filter(|v| !v.is_empty())
    }
}

/// The label of a settings field, for the error summary.
fn settings_label(state: &AppState, lang: Lang, field: &str) -> String {
    let key = match field {
        "branding.primary_color" => "primary_color",
        "branding.accent_color" => "accent_color",
        "identity.photo_count" => "photo_count",
        "identity.watermark_text" => "watermark_text",
        "identity.slots" => "slots",
        "terms.version" => "terms_version",
        "terms.body_th" => "terms_body_th",
        "terms.body_en" => "terms_body_en",
        other if other.starts_with("identity.slots[") => {
            let n = other.trim_start_matches("identity.slots[").split(']').next().and_then(|n| n.parse::<usize>().ok()).unwrap_or(0);
            return format!("{} {}", state.views.t(lang, "admin.field.slot"), n + 1);
        }
        other => other.strip_prefix("contact.").unwrap_or(other),
    };
    state.views.t(lang, &format!("admin.field.{key}"))
}

/// After a saved change: back to the page (this replica shows it at once, others within the
/// tenant cache TTL), with a short confirmation.
fn saved(state: &AppState, to: &str, done: &str) -> Response {
    state.tenants.invalidate_all();
    Redirect::to(&format!("{to}?done={done}")).into_response()
}

/// A settings change's answer: back to the page with its confirmation, or the page again with the
/// refusal at its fields and what was typed (`label` names a field in the error summary).
#[allow(clippy::too_many_arguments)]
async fn settle(
    state: &AppState,
    tenant: &Tenant,
    lang: Lang,
    can: &Can<ConfigureTenant>,
    result: Result<Settings, AdminError>,
    done: &str,
    typed: Typed,
    label: impl Fn(&str) -> String,
) -> Result<Response, AppError> {
    match result {
        Ok(_) => Ok(saved(state, "/staff/settings", done)),
        Err(e) => {
            let failure = refused(state, lang, e, label)?;
            render_settings(state, tenant, lang, can, None, Some(failure), typed, None).await
        }
    }
}

/// The status and refusal a failed change comes back with; `Err` for what is not the admin's
/// to fix.
pub(super) fn refused(state: &AppState, lang: Lang, e: AdminError, label: impl Fn(&str) -> String) -> Result<(StatusCode, Refusal, Option<String>), AppError> {
    match e {
        AdminError::Invalid(problems) => Ok((StatusCode::UNPROCESSABLE_ENTITY, refusal(state, lang, &problems, label), None)),
        AdminError::Stale { by, at } => {
            let message = state
                .views
                .t(lang, "error.stale")
                .replace("{by}", &by.unwrap_or_else(|| "-".into()))
                .replace("{at}", &at.map(|at| when(at, lang)).unwrap_or_else(|| "-".into()));
            Ok((StatusCode::CONFLICT, Refusal::default(), Some(message)))
        }
        other => Err(super::app_error(other, lang)),
    }
}

async fn general(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    can: Can<ConfigureTenant>,
    HtmlForm(pairs): HtmlForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let f = Posted(pairs);
    check_csrf(&can.who, &f.get("csrf_token"))?;
    let input = General {
        name_th: f.get("name_th"),
        name_en: f.get("name_en"),
        primary_color: f.get("branding.primary_color"),
        accent_color: f.get("branding.accent_color"),
        contact: Contact {
            address_th: f.get("contact.address_th"),
            address_en: f.get("contact.address_en"),
            phone: f.get("contact.phone").trim().to_owned(),
            email: f.get("contact.email").trim().to_owned(),
            website: f.optional("contact.website"),
            line_id: f.optional("contact.line_id"),
            office_hours_th: f.optional("contact.office_hours_th"),
            office_hours_en: f.optional("contact.office_hours_en"),
        },
    };
    let typed = Typed { general: Some(input.clone()), ..Typed::default() };
    if f.get("action") == "preview" {
        let name = match lang {
            Lang::Th => input.name_th.clone(),
            Lang::En => input.name_en.clone(),
        };
        let (primary, accent) = (input.primary_color.trim().to_ascii_lowercase(), input.accent_color.trim().to_ascii_lowercase());
        let css_url = format!("/staff/settings/preview.css?primary={}&accent={}", crate::render::encode_path(&primary), crate::render::encode_path(&accent));
        let shown = HeaderPreview { name, primary, accent, css_url };
        let preview = (domain::tenant::is_hex_color(&shown.primary) && domain::tenant::is_hex_color(&shown.accent)).then_some(shown);
        return render_settings(&state, &tenant, lang, &can, None, None, typed, preview).await;
    }
    let result = admin::save_general(&state.app, &can.granted, &f.get("revision"), input).await;
    settle(&state, &tenant, lang, &can, result, "general", typed, |field| settings_label(&state, lang, field)).await
}

async fn logo(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    can: Can<ConfigureTenant>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    let (fields, file) = crate::extract::form_with_file(multipart, "logo", usize::MAX).await?;
    let text = |name: &str| fields.get(name).map(|v| v.trim()).unwrap_or_default();
    check_csrf(&can.who, text("csrf_token"))?;
    let upload = file.map(|(_, bytes)| bytes).unwrap_or_default();
    let result = admin::save_logo(&state.app, &can.granted, text("revision"), upload).await;
    settle(&state, &tenant, lang, &can, result, "logo", Typed::default(), |_| state.views.t(lang, "admin.field.logo")).await
}

async fn identity(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    can: Can<ConfigureTenant>,
    HtmlForm(pairs): HtmlForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let f = Posted(pairs);
    check_csrf(&can.who, &f.get("csrf_token"))?;
    let count: i64 = f.get("identity.photo_count").trim().parse().unwrap_or(0);
    // Rows left blank are no slot; the rows kept must come first.
    let slots: Vec<SlotBody> = (0..usize::from(domain::tenant::MAX_ID_PHOTOS))
        .map(|n| {
            let at = |part: &str| f.get(&format!("identity.slots[{n}].{part}"));
            SlotBody { name_th: at("name_th"), name_en: at("name_en"), hint_th: at("hint_th"), hint_en: at("hint_en"), card: f.has(&format!("identity.slots[{n}].card")) }
        })
        .collect();
    let last_filled = slots.iter().rposition(|s| !(s.name_th.trim().is_empty() && s.name_en.trim().is_empty() && s.hint_th.trim().is_empty() && s.hint_en.trim().is_empty()));
    let slots = slots.into_iter().take(last_filled.map_or(0, |n| n + 1)).collect();
    let rules = identity_rules(count, f.get("identity.watermark_text"), slots);
    let result = admin::save_identity(&state.app, &can.granted, &f.get("revision"), rules.clone()).await;
    settle(&state, &tenant, lang, &can, result, "identity", Typed { identity: Some(rules), ..Typed::default() }, |field| settings_label(&state, lang, field)).await
}

async fn slot_example(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    can: Can<ConfigureTenant>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    let (fields, file) = crate::extract::form_with_file(multipart, "example", usize::MAX).await?;
    let text = |name: &str| fields.get(name).map(|v| v.trim()).unwrap_or_default();
    check_csrf(&can.who, text("csrf_token"))?;
    let slot = text("slot").parse::<usize>().ok().and_then(|n| n.checked_sub(1)).ok_or(AppError::BadRequest)?;
    let upload = (!fields.contains_key("remove")).then(|| file.map(|(_, bytes)| bytes).unwrap_or_default());
    let result = admin::save_slot_example(&state.app, &can.granted, text("revision"), slot, upload).await;
    settle(&state, &tenant, lang, &can, result, "example", Typed::default(), |_| state.views.t(lang, "admin.examples")).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StampQuery {
    text: String,
}

/// A made-up card stamped with the text as typed (not saved), for the preview next to the field.
async fn stamp_preview(State(state): State<AppState>, _can: Can<ConfigureTenant>, Query(q): Query<StampQuery>) -> Result<Response, AppError> {
    let text: String = q.text.trim().chars().take(120).collect();
    let stamp = format!("{text} {}", domain::locale::format_date(crate::requests::view::thai_date(chrono::Utc::now()), Lang::Th));
    let permit = state.app.image_permits.clone().acquire_owned().await.map_err(|e| AppError::Internal(e.into()))?;
    let image = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        files::stamp_sample_card(&files::Watermark::new(stamp))
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?
    .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    Ok(([(header::CONTENT_TYPE, image.mime), (header::CACHE_CONTROL, "private, no-store")], image.bytes).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PreviewColours {
    primary: String,
    accent: String,
    /// Over the whole page (the home page preview) rather than the settings page's preview box.
    whole: String,
}


/// The tenant's home page with the names, contact and colours typed in the general form, not
/// saved: opened in a new tab from the settings page.
async fn preview_home(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    can: Can<ConfigureTenant>,
    HtmlForm(pairs): HtmlForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let f = Posted(pairs);
    check_csrf(&can.who, &f.get("csrf_token"))?;
    let mut record = (*tenant.0).clone();
    let typed = |name: &str, saved: &str| Some(f.get(name).trim().to_owned()).filter(|v| !v.is_empty()).unwrap_or_else(|| saved.to_owned());
    record.name_th = typed("name_th", &record.name_th);
    record.name_en = typed("name_en", &record.name_en);
    let c = &mut record.settings.contact;
    c.address_th = typed("contact.address_th", &c.address_th);
    c.address_en = typed("contact.address_en", &c.address_en);
    c.phone = typed("contact.phone", &c.phone);
    c.email = typed("contact.email", &c.email);
    let colour = |name: &str, saved: &str| Some(f.get(name).trim().to_ascii_lowercase()).filter(|c| domain::tenant::is_hex_color(c)).unwrap_or_else(|| saved.to_owned());
    let primary = colour("branding.primary_color", &record.settings.branding.primary_color);
    let accent = colour("branding.accent_color", &record.settings.branding.accent_color);
    let preview = Tenant(std::sync::Arc::new(record));
    let mut ctx = crate::render::PageCtx::new(lang, "/", Some(&preview));
    ctx.preview_css = Some(format!("/staff/settings/preview.css?whole=1&primary={}&accent={}", crate::render::encode_path(&primary), crate::render::encode_path(&accent)));
    #[derive(Serialize)]
    struct HomePreview {
        signed_in: bool,
        csrf_token: String,
    }
    let html = state.views.page("home.html", &ctx, &HomePreview { signed_in: false, csrf_token: String::new() })?;
    Ok(crate::accounts::login::no_store(StatusCode::OK, html))
}

/// The colours being tried, for the preview box only (the page's policy allows no inline style).
async fn preview_css(_can: Can<ConfigureTenant>, Query(q): Query<PreviewColours>) -> Result<Response, AppError> {
    let colour = |c: &str| domain::tenant::is_hex_color(c).then(|| c.to_owned());
    let (Some(primary), Some(accent)) = (colour(&q.primary), colour(&q.accent)) else { return Err(AppError::NotFound) };
    let target = if q.whole.is_empty() { ".theme-preview" } else { ":root" };
    let css = format!("{target}{{--primary:{primary};--accent:{accent};}}\n");
    Ok(([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "private, no-store")], css).into_response())
}

async fn notifications(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    can: Can<ConfigureTenant>,
    HtmlForm(pairs): HtmlForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let f = Posted(pairs);
    check_csrf(&can.who, &f.get("csrf_token"))?;
    let choice = Notifications {
        on_every_status_change: false,
        on_received: f.has("on_received"),
        on_in_progress: f.has("on_in_progress"),
        on_rejected: f.has("on_rejected"),
    };
    let result = admin::save_notifications(&state.app, &can.granted, &f.get("revision"), choice).await;
    settle(&state, &tenant, lang, &can, result, "notifications", Typed::default(), |field| settings_label(&state, lang, field)).await
}

/// Closure days typed one per line, as the page shows them (`24 ธ.ค. 2569`, `24/12/2569`) or as
/// ISO dates; the first line that is none of these is named.
fn parse_days(text: &str) -> Result<Vec<chrono::NaiveDate>, usize> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(n, line)| domain::date_parts::parse_any(line).ok_or(n))
        .collect()
}

async fn working_days(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    can: Can<ConfigureTenant>,
    HtmlForm(pairs): HtmlForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let f = Posted(pairs);
    check_csrf(&can.who, &f.get("csrf_token"))?;
    let text = f.get("closure_days");
    let mut office = BackOffice { officer_totp: f.has("officer_totp"), complete_unverified: f.has("complete_unverified"), closure_days: Vec::new() };
    let result = match parse_days(&text) {
        Ok(days) => {
            office.closure_days = days;
            admin::save_working_days(&state.app, &can.granted, &f.get("revision"), office.clone()).await
        }
        Err(line) => Err(AdminError::Invalid(vec![Problem::new("closure_days", format!("line {}: not a date", line + 1))])),
    };
    let typed = Typed { working: Some((office, text)), ..Typed::default() };
    settle(&state, &tenant, lang, &can, result, "working_days", typed, |_| state.views.t(lang, "admin.field.closure_days")).await
}

async fn terms(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    can: Can<ConfigureTenant>,
    HtmlForm(pairs): HtmlForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let f = Posted(pairs);
    check_csrf(&can.who, &f.get("csrf_token"))?;
    let (version, th, en) = (f.get("terms.version"), f.get("terms.body_th"), f.get("terms.body_en"));
    let result = admin::publish_terms(&state.app, &can.granted, &f.get("revision"), &version, &th, &en).await;
    settle(&state, &tenant, lang, &can, result, "terms", Typed { terms: Some((version, th, en)), ..Typed::default() }, |field| settings_label(&state, lang, field)).await
}

// ---------------------------------------------------------------------------------------------
// Categories and sub-menus

#[derive(Serialize)]
struct ItemRow {
    index: usize,
    key: String,
    title: String,
    hidden: bool,
    first: bool,
    last: bool,
    inputs: Vec<Input>,
}

#[derive(Serialize)]
struct CategoryRow {
    index: usize,
    key: String,
    title: String,
    hidden: bool,
    first: bool,
    last: bool,
    inputs: Vec<Input>,
    items: Vec<ItemRow>,
    new_item: Vec<Input>,
}

#[derive(Serialize)]
struct FormRow {
    key: String,
    version: u32,
    used_by: String,
}

#[derive(Serialize)]
struct ServicesPage {
    me: Me,
    done: Option<String>,
    error: Option<String>,
    revision: String,
    summary: Vec<ErrorLink>,
    categories: Vec<CategoryRow>,
    new_category: Vec<Input>,
    forms: Vec<FormRow>,
}

fn icon_options(chosen: &str) -> Vec<Opt> {
    ICONS.iter().map(|i| Opt { value: (*i).to_owned(), label: (*i).to_owned(), selected: *i == chosen }).collect()
}

fn form_options(s: &Settings, chosen: &str) -> Vec<Opt> {
    s.bundle.services.forms.iter().map(|f| Opt { value: f.key.clone(), label: format!("{} (v{})", f.key, f.version), selected: f.key == chosen }).collect()
}

fn item_inputs(i: &Inputs, s: &Settings, at: &str, item: &ItemDef) -> Vec<Input> {
    let p = |part: &str| format!("{at}.{part}");
    let mut form = i.make(&p("form"), "form", "select", item.form_key.clone(), true);
    form.options = form_options(s, &item.form_key);
    vec![
        i.text(&p("title_th"), "title_th", &item.title_th, true),
        i.text(&p("title_en"), "title_en", &item.title_en, true),
        i.make(&p("description_th"), "description_th", "textarea", item.description_th.clone().unwrap_or_default(), false),
        i.make(&p("description_en"), "description_en", "textarea", item.description_en.clone().unwrap_or_default(), false),
        form,
        i.hinted(i.make(&p("service_days"), "service_days", "number", item.service_days.map(|d| d.to_string()).unwrap_or_default(), false), "service_days"),
        i.check(&p("hidden"), "hidden_item", item.hidden),
    ]
}

fn category_inputs(i: &Inputs, at: &str, c: &CategoryDef) -> Vec<Input> {
    let p = |part: &str| format!("{at}.{part}");
    let mut icon = i.make(&p("icon"), "icon", "select", c.icon.clone(), true);
    icon.options = icon_options(&c.icon);
    vec![
        i.text(&p("title_th"), "title_th", &c.title_th, true),
        i.text(&p("title_en"), "title_en", &c.title_en, true),
        i.make(&p("description_th"), "description_th", "textarea", c.description_th.clone().unwrap_or_default(), false),
        i.make(&p("description_en"), "description_en", "textarea", c.description_en.clone().unwrap_or_default(), false),
        icon,
        i.check(&p("hidden"), "hidden_category", c.hidden),
    ]
}

fn new_item_inputs(i: &Inputs, s: &Settings, at: &str) -> Vec<Input> {
    let mut inputs = vec![i.hinted(i.text(&format!("{at}.key"), "key", "", true), "key")];
    let mut rest = item_inputs(i, s, at, &ItemDef { key: String::new(), title_th: String::new(), title_en: String::new(), description_th: None, description_en: None, form_key: String::new(), service_days: None, hidden: false });
    rest.pop();
    inputs.extend(rest);
    inputs
}

async fn render_services(
    state: &AppState,
    tenant: &Tenant,
    lang: Lang,
    can: &Can<ConfigureTenant>,
    done: Option<String>,
    failure: Option<(StatusCode, Refusal, Option<String>)>,
    typed: Option<Vec<CategoryDef>>,
) -> Result<Response, AppError> {
    let s = admin::load(&state.app, &can.granted).await.map_err(|e| super::app_error(e, lang))?;
    let (status, refusal, error) = failure.unwrap_or((StatusCode::OK, Refusal::default(), None));
    let i = Inputs { state, lang, refusal: &refusal };
    let shown = typed.unwrap_or_else(|| s.bundle.services.categories.clone());
    let pick = |th: &str, en: &str| if lang == Lang::Th { th.to_owned() } else { en.to_owned() };
    let count = shown.len();
    let categories = shown
        .iter()
        .enumerate()
        .map(|(n, c)| {
            let at = format!("categories[{n}]");
            let items = c
                .items
                .iter()
                .enumerate()
                .map(|(m, item)| ItemRow {
                    index: m,
                    key: item.key.clone(),
                    title: pick(&item.title_th, &item.title_en),
                    hidden: item.hidden,
                    first: m == 0,
                    last: m + 1 == c.items.len(),
                    inputs: item_inputs(&i, &s, &format!("{at}.items[{m}]"), item),
                })
                .collect();
            CategoryRow {
                index: n,
                key: c.key.clone(),
                title: pick(&c.title_th, &c.title_en),
                hidden: c.hidden,
                first: n == 0,
                last: n + 1 == count,
                inputs: category_inputs(&i, &at, c),
                new_item: new_item_inputs(&i, &s, &format!("{at}.items[{}]", c.items.len())),
                items,
            }
        })
        .collect();
    let new_at = format!("categories[{count}]");
    let mut new_category = vec![i.hinted(i.text(&format!("{new_at}.key"), "key", "", true), "key")];
    let blank = CategoryDef { key: String::new(), icon: "document".into(), title_th: String::new(), title_en: String::new(), description_th: None, description_en: None, hidden: false, items: Vec::new() };
    let mut cat_inputs = category_inputs(&i, &new_at, &blank);
    cat_inputs.pop();
    new_category.extend(cat_inputs);
    new_category.extend(new_item_inputs(&i, &s, &format!("{new_at}.items[0]")).into_iter().map(|mut input| {
        input.label = format!("{}: {}", state.views.t(lang, "admin.services.first_item"), input.label);
        input
    }));
    let forms = s
        .bundle
        .services
        .forms
        .iter()
        .map(|f| FormRow {
            key: f.key.clone(),
            version: f.version,
            used_by: shown.iter().flat_map(|c| c.items.iter()).filter(|i| i.form_key == f.key).map(|i| pick(&i.title_th, &i.title_en)).collect::<Vec<_>>().join(", "),
        })
        .collect();
    let page = ServicesPage { me: me(state, &can.who).await, done, error, revision: s.revision.clone(), summary: refusal.summary.clone(), categories, new_category, forms };
    render(state, tenant, lang, "/staff/settings/services", "staff/settings_services.html", status, &page)
}

async fn services_page(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    can: Can<ConfigureTenant>,
    Query(q): Query<Done>,
) -> Result<Response, AppError> {
    render_services(&state, &tenant, lang, &can, done_key(&q), None, None).await
}

/// The category or sub-menu fields posted under `at` (`categories[2]`, `categories[2].items[0]`).
fn posted_item(f: &Posted, at: &str, key: String) -> ItemDef {
    let p = |part: &str| f.get(&format!("{at}.{part}"));
    let days = p("service_days");
    ItemDef {
        key,
        title_th: p("title_th"),
        title_en: p("title_en"),
        description_th: f.optional(&format!("{at}.description_th")),
        description_en: f.optional(&format!("{at}.description_en")),
        form_key: p("form").trim().to_owned(),
        // A number out of range (or not a number) is refused with the range.
        service_days: (!days.trim().is_empty()).then(|| days.trim().parse::<i32>().unwrap_or(0)),
        hidden: f.has(&format!("{at}.hidden")),
    }
}

fn posted_category(f: &Posted, at: &str, mut into: CategoryDef) -> CategoryDef {
    let p = |part: &str| f.get(&format!("{at}.{part}"));
    into.title_th = p("title_th");
    into.title_en = p("title_en");
    into.description_th = f.optional(&format!("{at}.description_th"));
    into.description_en = f.optional(&format!("{at}.description_en"));
    into.icon = p("icon").trim().to_owned();
    into.hidden = f.has(&format!("{at}.hidden"));
    into
}

/// The catalogue after one of the page's actions (`op`), from the catalogue as stored.
fn services_after(f: &Posted, mut categories: Vec<CategoryDef>) -> Result<Vec<CategoryDef>, AppError> {
    let index = |name: &str| f.get(name).trim().parse::<usize>().map_err(|_| AppError::BadRequest);
    let op = f.get("op");
    match op.as_str() {
        "save_category" => {
            let n = index("category")?;
            let current = categories.get(n).cloned().ok_or(AppError::BadRequest)?;
            categories[n] = posted_category(f, &format!("categories[{n}]"), current);
        }
        "save_item" => {
            let (n, m) = (index("category")?, index("item")?);
            let item = categories.get(n).and_then(|c| c.items.get(m)).cloned().ok_or(AppError::BadRequest)?;
            categories[n].items[m] = posted_item(f, &format!("categories[{n}].items[{m}]"), item.key);
        }
        "category_up" | "category_down" => {
            let n = index("category")?;
            let to = if op == "category_up" { n.checked_sub(1) } else { Some(n + 1) };
            match to.filter(|to| *to < categories.len()) {
                Some(to) if n < categories.len() => categories.swap(n, to),
                _ => return Err(AppError::BadRequest),
            }
        }
        "item_up" | "item_down" => {
            let (n, m) = (index("category")?, index("item")?);
            let items = &mut categories.get_mut(n).ok_or(AppError::BadRequest)?.items;
            let to = if op == "item_up" { m.checked_sub(1) } else { Some(m + 1) };
            match to.filter(|to| *to < items.len()) {
                Some(to) if m < items.len() => items.swap(m, to),
                _ => return Err(AppError::BadRequest),
            }
        }
        "add_item" => {
            let n = index("category")?;
            let count = categories.get(n).ok_or(AppError::BadRequest)?.items.len();
            let at = format!("categories[{n}].items[{count}]");
            let item = posted_item(f, &at, f.get(&format!("{at}.key")).trim().to_owned());
            categories[n].items.push(item);
        }
        "add_category" => {
            let n = categories.len();
            let at = format!("categories[{n}]");
            let blank = CategoryDef { key: f.get(&format!("{at}.key")).trim().to_owned(), icon: String::new(), title_th: String::new(), title_en: String::new(), description_th: None, description_en: None, hidden: false, items: Vec::new() };
            let mut category = posted_category(f, &at, blank);
            let first = format!("{at}.items[0]");
            category.items.push(posted_item(f, &first, f.get(&format!("{first}.key")).trim().to_owned()));
            categories.push(category);
        }
        _ => return Err(AppError::BadRequest),
    }
    Ok(categories)
}

/// The label of a catalogue field (`categories[1].items[0].title_th`), for the error summary.
fn services_label(state: &AppState, lang: Lang, categories: &[CategoryDef], field: &str) -> String {
    let last = field.rsplit('.').next().unwrap_or(field);
    let part = state.views.t(lang, &format!("admin.field.{last}"));
    let number = |s: &str| s.split(['[', ']']).nth(1).and_then(|n| n.parse::<usize>().ok());
    let mut pieces = field.split('.');
    let category = pieces.next().and_then(number).and_then(|n| categories.get(n));
    let item = pieces.next().filter(|p| p.starts_with("items[")).and_then(number).and_then(|m| category.and_then(|c| c.items.get(m)));
    let title = |th: &str, en: &str| if lang == Lang::Th { th.to_owned() } else { en.to_owned() };
    match (category, item) {
        (_, Some(i)) if !i.title_th.trim().is_empty() => format!("{} · {part}", title(&i.title_th, &i.title_en)),
        (Some(c), _) if !c.title_th.trim().is_empty() => format!("{} · {part}", title(&c.title_th, &c.title_en)),
        _ => part,
    }
}

async fn services(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    can: Can<ConfigureTenant>,
    HtmlForm(pairs): HtmlForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let f = Posted(pairs);
    check_csrf(&can.who, &f.get("csrf_token"))?;
    let current = admin::load(&state.app, &can.granted).await.map_err(|e| super::app_error(e, lang))?;
    let after = services_after(&f, current.bundle.services.categories)?;
    match admin::save_services(&state.app, &can.granted, &f.get("revision"), after.clone()).await {
        Ok(_) => Ok(saved(&state, "/staff/settings/services", "services")),
        Err(e) => {
            let failure = refused(&state, lang, e, |field| services_label(&state, lang, &after, field))?;
            render_services(&state, &tenant, lang, &can, None, Some(failure), Some(after)).await
        }
    }
}
