//! The platform operator's work: signing in (password and TOTP code at once), the municipalities
//! with their usage, and suspending or resuming one. Adding an operator is a command on the
//! server (`eservice operator add`), which shows the authenticator secret and recovery codes once.
//! Every change is audited twice: in the platform's trail and in the tenant's own, so the
//! municipality's admins see who suspended them and why.

use access::authz::{ManageTenants, PlatformGranted};
use access::operator::{self as operator_session, SignedInOperator, Started};
use access::ratelimit::RetryAfter;
use access::totp;
use chrono::{Duration, Utc};
use domain::password_policy::{PasswordPolicy, PasswordProblem, PersonalFacts};
use domain::tenant::TenantStatus;
use sea_orm::DbErr;
use serde_json::json;
use store::audit::{Actor, Entry};
use store::operators::{self as operators_store, CreateError, NewOperator, Operator};
use store::requests::track::Page;
use store::tenants::{TenantRecord, Usage};

use crate::staff::sign_in::StaffLimits;
use crate::{App, Client};

/// Operators are throttled as staff are: per account and client, and per client.
pub type OperatorLimits = StaffLimits;

/// A reason for a suspension is at most this long.
pub const REASON_MAX: usize = 500;

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Wrong e-mail, password or code, or no such active operator: deliberately one answer for
    /// the first three, so a guesser learns nothing about which part was wrong.
    #[error("wrong e-mail, password or code")]
    BadCredentials,
    #[error("this code was already used")]
    ReusedCode,
    #[error(transparent)]
    TooMany(#[from] RetryAfter),
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

fn actor(granted_email: &str, id: uuid::Uuid, ip: &str) -> Actor {
    Actor { kind: "operator", id: Some(id), label: granted_email.to_owned(), ip: ip.to_owned() }
}

/// Checks e-mail, password and a TOTP or recovery code, then opens a session of `client.kind`.
#[tracing::instrument(skip_all, fields(kind = client.kind))]
pub async fn sign_in(
    app: &App,
    limits: &OperatorLimits,
    email: &str,
    password: &str,
    code: &str,
    client: &Client<'_>,
) -> Result<Started, SignInError> {
    let account_key = format!("operator:{}:{}", operators_store::email_key(email), client.ip);
    let client_key = format!("operator:{}", client.ip);
    limits.client.check(&client_key)?;
    limits.account_client.check(&account_key)?;
    let found = operators_store::find_by_email(&app.db, email).await?.filter(|o| o.active);
    let ok = app.hasher.verify_or_dummy(password.to_owned(), found.as_ref().map(|o| o.password_hash.clone())).await?;
    let accepted = match found.as_ref().filter(|_| ok) {
        Some(operator) => check_code(app, operator, code).await?,
        None => false,
    };
    let Some(operator) = found.filter(|_| accepted) else {
        limits.client.record_failure(&client_key);
        limits.account_client.record_failure(&account_key);
        metrics::counter!("login_failures_total", "who" => "operator").increment(1);
        return Err(SignInError::BadCredentials);
    };
    limits.account_client.reset(&account_key);
    let txn = store::begin_write(&app.db).await?;
    let started = operator_session::start_session(&txn, operator.id, client.kind, client.ip, client.user_agent).await?;
    operators_store::touch_login(&txn, operator.id, Utc::now()).await?;
    let entry = Entry { action: "operator.sign_in", subject_kind: "operator", subject_id: operator.id.to_string(), before: None, after: None };
    store::audit::record_platform(&txn, &actor(&operator.email, operator.id, client.ip), entry).await?;
    txn.commit().await?;
    Ok(started)
}

/// A TOTP code (six digits, each time step once) or an unused recovery code.
async fn check_code(app: &App, operator: &Operator, code: &str) -> Result<bool, SignInError> {
    if let Some(digits) = totp::six_digits(code) {
        let now = u64::try_from(Utc::now().timestamp()).unwrap_or(0);
        return match totp::verify(&operator.totp_secret, &digits, now) {
            Some(step) if operators_store::accept_totp_step(&app.db, operator.id, step).await? => Ok(true),
            Some(_) => Err(SignInError::ReusedCode),
            None => Ok(false),
        };
    }
    if code.trim().is_empty() {
        return Ok(false);
    }
    Ok(operators_store::use_recovery_code(&app.db, operator.id, &totp::recovery_code_hash(code)).await?)
}

pub async fn sign_out(app: &App, who: &SignedInOperator) -> Result<(), DbErr> {
    store::operators::sessions::delete(&app.db, &who.session().id_hash).await
}

/// A new operator's secrets, shown once.
pub struct Added {
    pub operator: Operator,
    pub totp_secret: String,
    /// For the authenticator app (the console shows no QR code: operators are added on the server).
    pub otpauth_url: String,
    pub recovery_codes: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum AddError {
    #[error("an operator with this e-mail already exists")]
    DuplicateEmail,
    #[error("not an e-mail address")]
    InvalidEmail,
    #[error("password: {0}")]
    Password(PasswordProblem),
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// Adds an operator with the platform role, a fresh TOTP secret and ten recovery codes.
pub async fn add(app: &App, email: &str, name: &str, password: &str) -> Result<Added, AddError> {
    let email = domain::email::Email::parse(email).map_err(|_| AddError::InvalidEmail)?;
    let facts = PersonalFacts { national_id: None, birth_date: None, email: Some(email.as_str()) };
    PasswordPolicy::default().check(password, &facts).map_err(AddError::Password)?;
    let password_hash = app.hasher.hash(password.to_owned()).await?;
    let totp_secret = totp::new_secret();
    let recovery_codes = totp::new_recovery_codes();
    let otpauth_url = totp::otpauth_url(&totp_secret, "eservice platform", email.as_str())
        .ok_or_else(|| anyhow::anyhow!("making the authenticator link"))?;
    let txn = store::begin_write(&app.db).await?;
    let new = NewOperator {
        email: email.as_str().to_owned(),
        name: if name.trim().is_empty() { email.as_str().to_owned() } else { name.trim().to_owned() },
        password_hash,
        totp_secret: totp_secret.clone(),
        recovery_hashes: recovery_codes.iter().map(|c| totp::recovery_code_hash(c)).collect(),
    };
    let operator = operators_store::create(&txn, new).await.map_err(|e| match e {
        CreateError::DuplicateEmail => AddError::DuplicateEmail,
        CreateError::Db(e) => AddError::Db(e),
    })?;
    access::authz::Authorizer::make_operator(&txn, operator.id).await?;
    let entry = Entry {
        action: "operator.add",
        subject_kind: "operator",
        subject_id: operator.id.to_string(),
        before: None,
        after: Some(json!({ "email": operator.email, "name": operator.name })),
    };
    store::audit::record_platform(&txn, &crate::audit::system("eservice operator add"), entry).await?;
    txn.commit().await?;
    app.authz.invalidate_platform().await;
    Ok(Added { operator, totp_secret, otpauth_url, recovery_codes })
}

/// Deactivates an operator from the server's command line: their sessions end at once. Answers
/// how many sessions ended, or None when no operator has this e-mail.
pub async fn deactivate(app: &App, email: &str) -> Result<Option<u64>, DbErr> {
    let Some(found) = operators_store::find_by_email(&app.db, email).await? else { return Ok(None) };
    let txn = store::begin_write(&app.db).await?;
    operators_store::set_active(&txn, found.id, false).await?;
    let ended = operators_store::sessions::delete_for_operator(&txn, found.id).await?;
    let entry = Entry {
        action: "operator.deactivate",
        subject_kind: "operator",
        subject_id: found.id.to_string(),
        before: Some(json!({ "active": found.active })),
        after: Some(json!({ "active": false })),
    };
    store::audit::record_platform(&txn, &crate::audit::system("eservice operator deactivate"), entry).await?;
    txn.commit().await?;
    Ok(Some(ended))
}

/// A municipality as the console lists it.
#[derive(Clone, Debug)]
pub struct TenantOverview {
    pub tenant: TenantRecord,
    pub usage: Usage,
}

/// One page of municipalities with their usage: three grouped counts for the page, not per row.
pub async fn tenants(
    app: &App,
    _granted: &PlatformGranted<ManageTenants>,
    search: Option<&str>,
    page: u64,
    per_page: u64,
) -> Result<Page<TenantOverview>, DbErr> {
    let found = store::tenants::page(&app.db, search, page, per_page).await?;
    let ids: Vec<uuid::Uuid> = found.items.iter().map(|t| t.id).collect();
    let mut usage = store::tenants::usage(&app.db, &ids, Utc::now() - Duration::days(30)).await?;
    let items = found
        .items
        .into_iter()
        .map(|tenant| TenantOverview { usage: usage.remove(&tenant.id).unwrap_or_default(), tenant })
        .collect();
    Ok(Page { items, total: found.total })
}

/// One municipality in full: usage and host names.
#[derive(Clone, Debug)]
pub struct TenantDetail {
    pub tenant: TenantRecord,
    pub usage: Usage,
    pub domains: Vec<String>,
}

pub async fn tenant(app: &App, _granted: &PlatformGranted<ManageTenants>, slug: &str) -> Result<Option<TenantDetail>, DbErr> {
    let Some(tenant) = store::tenants::find_by_slug(&app.db, slug).await? else { return Ok(None) };
    let usage = store::tenants::usage(&app.db, &[tenant.id], Utc::now() - Duration::days(30)).await?.remove(&tenant.id).unwrap_or_default();
    let domains = store::tenants::domains(&app.db, tenant.id).await?;
    Ok(Some(TenantDetail { tenant, usage, domains }))
}

#[derive(Debug, thiserror::Error)]
pub enum StatusError {
    #[error("no such municipality")]
    NotFound,
    #[error("a suspension needs a reason")]
    ReasonRequired,
    #[error("the reason is too long")]
    ReasonTooLong,
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Suspends (with a reason the audit keeps) or resumes a municipality. Its citizens and staff see
/// the "unavailable" page on every replica within the tenant cache's lifetime; nothing is deleted.
///
/// Only an operator's platform capability opens it; a tenant admin's is not one:
///
/// ```compile_fail
/// # async fn wrong(app: &app::App, admin: &access::authz::Granted<access::authz::ConfigureTenant>) {
/// let _ = app::operator::set_status(app, admin, "demo", domain::tenant::TenantStatus::Suspended, "x").await;
/// # }
/// ```
///
/// And the capability cannot be made by hand:
///
/// ```compile_fail
/// # fn forge(acting: access::authz::OperatorActing) {
/// let _ = access::authz::PlatformGranted::<access::authz::ManageTenants> { acting, _permission: std::marker::PhantomData };
/// # }
/// ```
pub async fn set_status(
    app: &App,
    granted: &PlatformGranted<ManageTenants>,
    slug: &str,
    status: TenantStatus,
    reason: &str,
) -> Result<TenantRecord, StatusError> {
    let reason = reason.trim();
    if status == TenantStatus::Suspended && reason.is_empty() {
        return Err(StatusError::ReasonRequired);
    }
    let acting = granted.acting();
    change_status(&app.db, &actor(&acting.email, acting.operator_id, &acting.ip), slug, status, reason).await
}

/// `eservice tenant suspend|resume SLUG` on the server: the same change, audited as the command.
pub async fn set_status_by_command(db: &sea_orm::DatabaseConnection, slug: &str, status: TenantStatus) -> Result<TenantRecord, StatusError> {
    let command = format!("eservice tenant {}", if status == TenantStatus::Suspended { "suspend" } else { "resume" });
    change_status(db, &crate::audit::system(&command), slug, status, "").await
}

async fn change_status(db: &sea_orm::DatabaseConnection, who: &Actor, slug: &str, status: TenantStatus, reason: &str) -> Result<TenantRecord, StatusError> {
    if reason.chars().count() > REASON_MAX {
        return Err(StatusError::ReasonTooLong);
    }
    let txn = store::begin_write(db).await?;
    let before = store::tenants::find_by_slug(&txn, slug).await?.ok_or(StatusError::NotFound)?;
    store::tenants::set_status(&txn, slug, status).await?;
    let action = if status == TenantStatus::Suspended { "tenant.suspend" } else { "tenant.resume" };
    let entry = || Entry {
        action,
        subject_kind: "tenant",
        subject_id: before.slug.clone(),
        before: Some(json!({ "status": before.status.as_str() })),
        after: Some(json!({ "status": status.as_str(), "reason": reason })),
    };
    store::audit::record(&txn, before.scope(), who, entry()).await?;
    store::audit::record_platform(&txn, who, entry()).await?;
    txn.commit().await?;
    Ok(TenantRecord { status, ..before })
}

/// The platform's latest audited actions (sign-ins, operators added, suspensions).
pub async fn recent_actions(app: &App, _granted: &PlatformGranted<ManageTenants>, limit: u64) -> Result<Vec<store::audit::AuditRecord>, DbErr> {
    store::audit::platform_recent(&app.db, limit).await
}
