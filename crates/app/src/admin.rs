//! The municipal admin's settings: names, colours and contact, the logo, terms of service, the
//! identity rules, notices, working days, the service catalogue and its forms. Every change starts
//! from the tenant as its folder would hold it (`store::tenants::stored_bundle`), is checked by the
//! very rules `tenant apply` uses, and is stored in one transaction with its audit record (before
//! and after), only if nobody saved in between; other replicas see it within the tenant cache TTL.

use std::path::Path;

use access::authz::{ConfigureTenant, Granted};
use chrono::{DateTime, Utc};
use domain::tenant::{BackOffice, Contact, IdentityRules, Notifications};
use sea_orm::DbErr;
use serde::Serialize;
use serde_json::{Value, json};
use store::tenant_dir::{BundleError, CategoryDef, FORMS, FormDef, TenantBundle};
use store::tenants::{self, ApplyError, SaveError};

use crate::{App, audit};

/// The largest terms text, per language, as in a tenant folder.
pub const MAX_TERMS_BYTES: usize = 256 * 1024;
/// The largest logo upload.
pub const MAX_LOGO_BYTES: usize = 1024 * 1024;

/// The tenant's settings as an admin edits them.
#[derive(Clone, Debug)]
pub struct Settings {
    /// What a change must name to be accepted (the tenant's revision when loaded).
    pub revision: String,
    pub bundle: TenantBundle,
    /// The parts changed in the browser since the folder was last applied.
    pub local_changes: Vec<String>,
}

/// A problem with one field of a change: its path (`identity.photo_count`,
/// `categories[1].items[0].title_th`, `fields[2].options`) and what is wrong, in English; the web
/// layer translates the messages it knows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub field: String,
    pub message: String,
}

impl Problem {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("the change has problems: {0:?}")]
    Invalid(Vec<Problem>),
    /// Someone saved first; who and when, as the audit trail has it.
    #[error("the settings changed since they were loaded")]
    Stale { by: Option<String>, at: Option<DateTime<Utc>> },
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// The parts of a tenant's settings, as the audit trail and `tenant apply`'s refusal name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    General,
    Logo,
    Terms,
    Identity,
    Notifications,
    WorkingDays,
    Services,
    Forms,
}

impl Part {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::General => "general",
            Self::Logo => "logo",
            Self::Terms => "terms",
            Self::Identity => "identity",
            Self::Notifications => "notifications",
            Self::WorkingDays => "working_days",
            Self::Services => "services",
            Self::Forms => "forms",
        }
    }

    /// This part of the settings, for the audit record's before and after.
    fn snapshot(self, b: &TenantBundle) -> Value {
        let s = &b.tenant.settings;
        match self {
            Self::General => json!({
                "name_th": b.tenant.name_th, "name_en": b.tenant.name_en,
                "branding": s.branding, "contact": s.contact,
            }),
            Self::Logo => json!({ "mime": b.logo_mime, "bytes": b.logo.len(), "sha256": files::sha256_hex(&b.logo) }),
            Self::Terms => json!({ "version": s.terms_version }),
            Self::Identity => json!(s.identity),
            Self::Notifications => json!(s.notifications),
            Self::WorkingDays => json!(s.back_office),
            Self::Services => json!(b.services.categories),
            Self::Forms => json!(b.services.forms.iter().map(|f| json!({ "key": f.key, "version": f.version })).collect::<Vec<_>>()),
        }
    }
}

/// The tenant's settings now.
pub async fn load(app: &App, granted: &Granted<ConfigureTenant>) -> Result<Settings, AdminError> {
    let stored = tenants::stored(&app.db, granted.scope()).await?.ok_or(AdminError::NotFound)?;
    Ok(Settings { revision: stored.revision, bundle: stored.bundle, local_changes: stored.local_changes })
}

/// Names, colours and contact details.
#[derive(Clone, Debug, Default)]
pub struct General {
    pub name_th: String,
    pub name_en: String,
    pub primary_color: String,
    pub accent_color: String,
    pub contact: Contact,
}

pub async fn save_general(app: &App, granted: &Granted<ConfigureTenant>, revision: &str, input: General) -> Result<Settings, AdminError> {
    change(app, granted, revision, Part::General, move |b| {
        b.tenant.name_th = input.name_th;
        b.tenant.name_en = input.name_en;
        b.tenant.settings.branding.primary_color = input.primary_color.trim().to_owned();
        b.tenant.settings.branding.accent_color = input.accent_color.trim().to_owned();
        b.tenant.settings.contact = input.contact;
        Ok(())
    })
    .await
}

/// How many ID photos, what each is, and the stamp's text.
pub async fn save_identity(app: &App, granted: &Granted<ConfigureTenant>, revision: &str, rules: IdentityRules) -> Result<Settings, AdminError> {
    let mut rules = rules;
    change(app, granted, revision, Part::Identity, move |b| {
        // A slot keeps its example picture (changed on its own) unless the rules name another.
        for (i, slot) in rules.slots.iter_mut().enumerate() {
            if slot.example.is_none() {
                slot.example = b.tenant.settings.identity.slots.get(i).and_then(|s| s.example.clone());
            }
        }
        let named: Vec<String> = rules.slots.iter().filter_map(|s| s.example.clone()).collect();
        b.examples.retain(|e| named.contains(&e.file));
        b.tenant.settings.identity = rules;
        Ok(())
    })
    .await
}

/// Which request changes e-mail the citizen.
pub async fn save_notifications(
    app: &App,
    granted: &Granted<ConfigureTenant>,
    revision: &str,
    notifications: Notifications,
) -> Result<Settings, AdminError> {
    change(app, granted, revision, Part::Notifications, move |b| {
        b.tenant.settings.notifications = notifications;
        Ok(())
    })
    .await
}

/// The municipality's closure days and how its back office works.
pub async fn save_working_days(
    app: &App,
    granted: &Granted<ConfigureTenant>,
    revision: &str,
    mut back_office: BackOffice,
) -> Result<Settings, AdminError> {
    back_office.closure_days.sort();
    back_office.closure_days.dedup();
    change(app, granted, revision, Part::WorkingDays, move |b| {
        b.tenant.settings.back_office = back_office;
        Ok(())
    })
    .await
}

/// A new logo: a PNG, JPEG or WebP re-encoded as PNG, or an SVG without script drawn into one.
pub async fn save_logo(app: &App, granted: &Granted<ConfigureTenant>, revision: &str, upload: bytes::Bytes) -> Result<Settings, AdminError> {
    let refused = |code: &str| AdminError::Invalid(vec![Problem::new("logo", code)]);
    if upload.is_empty() {
        return Err(refused("required"));
    }
    if upload.len() > MAX_LOGO_BYTES {
        return Err(refused("too_large"));
    }
    let drawn = tokio::task::spawn_blocking(move || {
        let head = String::from_utf8_lossy(&upload[..upload.len().min(1024)]).to_ascii_lowercase();
        if files::sniff(&upload).is_none() && head.contains("<svg") {
            let text = std::str::from_utf8(&upload).map_err(|_| "not_svg")?;
            files::process_svg_logo(text)
        } else {
            files::process_logo(&upload, &files::ImageLimits::default()).map_err(|e| match e {
                files::ImageError::UnsupportedType => "not_image",
                other => other.code(),
            })
        }
    })
    .await
    .map_err(|e| DbErr::Custom(format!("logo task failed: {e}")))?
    .map_err(refused)?;
    change(app, granted, revision, Part::Logo, move |b| {
        b.logo = drawn.bytes;
        b.logo_mime = drawn.mime;
        Ok(())
    })
    .await
}

/// The largest side of a photo slot's example picture.
const EXAMPLE_MAX_SIDE: u32 = 480;

/// A photo slot's example picture (0-based `slot`): an upload re-encoded as a PNG of at most
/// 480 px, or none to remove it. The slot must be one the tenant names.
pub async fn save_slot_example(
    app: &App,
    granted: &Granted<ConfigureTenant>,
    revision: &str,
    slot: usize,
    upload: Option<bytes::Bytes>,
) -> Result<Settings, AdminError> {
    let field = format!("identity.slots[{slot}].example");
    let refused = |code: &str| AdminError::Invalid(vec![Problem::new(field.clone(), code)]);
    let drawn = match upload {
        None => None,
        Some(bytes) if bytes.is_empty() => return Err(refused("required")),
        Some(bytes) if bytes.len() > MAX_LOGO_BYTES => return Err(refused("too_large")),
        Some(bytes) => {
            let max = store::tenant_dir::MAX_EXAMPLE_BYTES;
            let picture = tokio::task::spawn_blocking(move || files::process_picture_within(&bytes, EXAMPLE_MAX_SIDE, max, &files::ImageLimits::default()))
                .await
                .map_err(|e| DbErr::Custom(format!("picture task failed: {e}")))?
                .map_err(|e| refused(if e == files::ImageError::UnsupportedType { "not_image" } else { e.code() }))?;
            Some(picture)
        }
    };
    let extension = if drawn.as_ref().is_some_and(|p| p.mime == "image/jpeg") { "jpg" } else { "png" };
    let file = format!("slot-{}-example.{extension}", slot + 1);
    change(app, granted, revision, Part::Identity, move |b| {
        let Some(rules) = b.tenant.settings.identity.slots.get_mut(slot) else {
            return Err(vec![Problem::new("identity.slots", "name the photo before giving it an example")]);
        };
        let old = rules.example.take();
        b.examples.retain(|e| e.file != file && Some(&e.file) != old.as_ref());
        match drawn {
            Some(picture) => {
                rules.example = Some(file.clone());
                b.examples.push(store::tenant_dir::SlotExample { file, mime: picture.mime, bytes: picture.bytes });
            }
            None => rules.example = None,
        }
        let named: Vec<String> = b.tenant.settings.identity.slots.iter().filter_map(|s| s.example.clone()).collect();
        b.examples.retain(|e| named.contains(&e.file));
        b.examples.sort_by_key(|e| named.iter().position(|n| *n == e.file));
        Ok(())
    })
    .await
}

/// Publishes new terms of service: every citizen accepts them again at their next sign-in.
pub async fn publish_terms(
    app: &App,
    granted: &Granted<ConfigureTenant>,
    revision: &str,
    version: &str,
    body_th: &str,
    body_en: &str,
) -> Result<Settings, AdminError> {
    let mut problems = Vec::new();
    for (field, body) in [("terms.body_th", body_th), ("terms.body_en", body_en)] {
        if body.trim().is_empty() {
            problems.push(Problem::new(field, "is required"));
        } else if body.len() > MAX_TERMS_BYTES {
            problems.push(Problem::new(field, format!("must be at most {} KiB", MAX_TERMS_BYTES / 1024)));
        }
    }
    let (version, th, en) = (version.trim().to_owned(), body_th.replace("\r\n", "\n"), body_en.replace("\r\n", "\n"));
    change(app, granted, revision, Part::Terms, move |b| {
        if version == b.tenant.settings.terms_version {
            problems.push(Problem::new("terms.version", "must be new: citizens accepted this version already"));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        b.tenant.settings.terms_version = version;
        b.terms_th = th;
        b.terms_en = en;
        Ok(())
    })
    .await
}

/// The whole catalogue after the admin's change (renamed, reordered, hidden, added, a sub-menu's
/// service time or form), checked as `services.toml` would be.
pub async fn save_services(
    app: &App,
    granted: &Granted<ConfigureTenant>,
    revision: &str,
    categories: Vec<CategoryDef>,
) -> Result<Settings, AdminError> {
    change(app, granted, revision, Part::Services, move |b| {
        b.services.categories = categories;
        Ok(())
    })
    .await
}

/// The current version of a form as JSON, as `forms/<key>.json` holds it.
pub async fn form_json(app: &App, granted: &Granted<ConfigureTenant>, key: &str) -> Result<String, AdminError> {
    let settings = load(app, granted).await?;
    settings.bundle.services.forms.iter().find(|f| f.key == key).map(FormDef::pretty_json).ok_or(AdminError::NotFound)
}

/// Checks a form's JSON as a draft, as the citizen would be given it, without storing anything.
/// Its version is set to the next one, whatever the JSON says.
pub async fn check_form(app: &App, granted: &Granted<ConfigureTenant>, key: &str, json: &str) -> Result<FormDef, AdminError> {
    let settings = load(app, granted).await?;
    next_version(&settings.bundle, key, json)
}

/// Publishes a form as its next version (a new form at version 1): new requests use it, requests
/// already made keep the version they were made with.
pub async fn publish_form(
    app: &App,
    granted: &Granted<ConfigureTenant>,
    revision: &str,
    key: &str,
    json: &str,
) -> Result<(Settings, u32), AdminError> {
    let (key, json) = (key.to_owned(), json.to_owned());
    let mut version = 0;
    let settings = change(app, granted, revision, Part::Forms, |b| {
        let form = next_version(b, &key, &json).map_err(|e| match e {
            AdminError::Invalid(problems) => problems,
            other => vec![Problem::new("form", other.to_string())],
        })?;
        version = form.version;
        match b.services.forms.iter_mut().find(|f| f.key == form.key) {
            Some(slot) => *slot = form,
            None => {
                b.services.forms.push(form);
                b.services.forms.sort_by(|a, b| a.key.cmp(&b.key));
            }
        }
        Ok(())
    })
    .await?;
    store::form_drafts::delete(&app.db, granted.scope(), &key).await?;
    Ok((settings, version))
}

/// The form being built for `key`, if one was saved and not yet published or discarded.
pub async fn draft(app: &App, granted: &Granted<ConfigureTenant>, key: &str) -> Result<Option<store::form_drafts::Draft>, AdminError> {
    Ok(store::form_drafts::find(&app.db, granted.scope(), key).await?)
}

/// Keeps the form being built; it need not pass the checks yet, and citizens never see it.
pub async fn save_draft(app: &App, granted: &Granted<ConfigureTenant>, key: &str, json: &str) -> Result<(), AdminError> {
    if json.len() > store::tenant_dir::MAX_FORM_BYTES {
        return Err(AdminError::Invalid(vec![Problem::new("form", format!("must be at most {} KiB", store::tenant_dir::MAX_FORM_BYTES / 1024))]));
    }
    Ok(store::form_drafts::save(&app.db, granted.scope(), key, json, &granted.acting().email).await?)
}

pub async fn discard_draft(app: &App, granted: &Granted<ConfigureTenant>, key: &str) -> Result<(), AdminError> {
    Ok(store::form_drafts::delete(&app.db, granted.scope(), key).await?)
}

fn next_version(bundle: &TenantBundle, key: &str, json: &str) -> Result<FormDef, AdminError> {
    let invalid = |field: &str, message: &str| AdminError::Invalid(vec![Problem::new(field, message)]);
    let mut value: Value = serde_json::from_str(json).map_err(|e| invalid("form", &format!("is not JSON: {e}")))?;
    let Some(object) = value.as_object_mut() else { return Err(invalid("form", "must be a JSON object")) };
    let version = bundle.services.forms.iter().find(|f| f.key == key).map_or(1, |f| f.version.saturating_add(1));
    object.insert("version".into(), json!(version));
    object.entry("key").or_insert_with(|| json!(key));
    let file = Path::new(FORMS).join(format!("{key}.json"));
    FormDef::from_json(file, &value.to_string()).map_err(|errors| AdminError::Invalid(problems(errors)))
}

fn problems(errors: Vec<BundleError>) -> Vec<Problem> {
    errors.into_iter().map(|e| Problem { field: e.field.unwrap_or_default(), message: e.message }).collect()
}

/// Loads the tenant as its folder would hold it, applies `edit`, checks the result by the
/// folder's rules, and stores it with its audit record in one transaction.
async fn change(
    app: &App,
    granted: &Granted<ConfigureTenant>,
    revision: &str,
    part: Part,
    edit: impl FnOnce(&mut TenantBundle) -> Result<(), Vec<Problem>>,
) -> Result<Settings, AdminError> {
    let scope = granted.scope();
    let stored = tenants::stored(&app.db, scope).await?.ok_or(AdminError::NotFound)?;
    if stored.revision != revision {
        return Err(stale(app, granted).await);
    }
    let mut bundle = stored.bundle;
    let mut local_changes = stored.local_changes;
    let before = part.snapshot(&bundle);
    edit(&mut bundle).map_err(AdminError::Invalid)?;
    let checked = bundle
        .manifest()
        .validate()
        .map_err(|errors| errors.into_iter().map(|e| Problem { field: e.field, message: e.message }).collect::<Vec<_>>());
    let services = bundle.services.clone().checked(Path::new("")).map_err(problems);
    match (checked, services) {
        (Ok(tenant), Ok(services)) => {
            bundle.tenant = tenant;
            bundle.services = services;
        }
        (tenant, services) => {
            let mut all = tenant.err().unwrap_or_default();
            all.extend(services.err().unwrap_or_default());
            // One message per field: the first is the one to fix first (a colour too light for
            // text is too light on every surface it is checked against).
            let mut seen = std::collections::HashSet::new();
            all.retain(|p| seen.insert(p.field.clone()));
            return Err(AdminError::Invalid(all));
        }
    }
    let after = part.snapshot(&bundle);
    let txn = store::begin_write(&app.db).await?;
    let saved = tenants::save(&txn, scope, revision, part.as_str(), &bundle).await;
    let new_revision = match saved {
        Ok(new_revision) => new_revision,
        Err(SaveError::Stale) => {
            drop(txn);
            return Err(stale(app, granted).await);
        }
        Err(SaveError::Apply(e)) => return Err(apply_error(e)),
    };
    audit::record(
        &txn,
        scope,
        &audit::actor(granted.acting()),
        &format!("tenant.{}", part.as_str()),
        ("tenant", scope.tenant_id().to_string()),
        Some(before),
        Some(after),
    )
    .await?;
    txn.commit().await?;
    if !local_changes.iter().any(|c| c == part.as_str()) {
        local_changes.push(part.as_str().to_owned());
    }
    Ok(Settings { revision: new_revision, bundle, local_changes })
}

fn apply_error(e: ApplyError) -> AdminError {
    match e {
        ApplyError::Db(e) => AdminError::Db(e),
        ApplyError::TermsVersionReused(_) => {
            AdminError::Invalid(vec![Problem::new("terms.version", "was already published with a different text; give the new text a new version")])
        }
        ApplyError::FormVersionChanged { .. } | ApplyError::FormVersionBehind { .. } => {
            AdminError::Invalid(vec![Problem::new("form", "another version was published at the same time; reload and try again")])
        }
        ApplyError::DomainTaken(domain) => AdminError::Invalid(vec![Problem::new("domains", format!("'{domain}' belongs to another tenant"))]),
        ApplyError::ChangedInBrowser(_) => AdminError::Db(DbErr::Custom("unexpected apply refusal".into())),
    }
}

/// The refusal of a stale change, naming the last change to the settings.
async fn stale(app: &App, granted: &Granted<ConfigureTenant>) -> AdminError {
    let filter = store::audit::Filter { subject: Some(granted.scope().tenant_id().to_string()), ..Default::default() };
    let last = store::audit::list(&app.db, granted.scope(), &filter, 1, 1).await.ok().and_then(|page| page.items.into_iter().next());
    AdminError::Stale { by: last.as_ref().map(|r| r.actor_label.clone()), at: last.map(|r| r.created_at) }
}
