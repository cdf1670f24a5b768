//! Signing a staff member in: e-mail and password first (a session at the `totp` or `enrol`
//! stage), then a TOTP or recovery code (a new session at `full`). Failures are throttled per
//! account and client and per client, as for citizens, and say nothing about which part was wrong.

use access::authz::Role;
use access::ratelimit::{Policy, RateLimiter, RetryAfter};
use access::staff::{self as staff_session, SignedInStaff, Stage, Started};
use access::totp;
use chrono::Utc;
use sea_orm::DbErr;
use store::staff::{self as staff_store, Staff};
use store::tenants::TenantRecord;

use super::totp_required;
pub use crate::Client;
use crate::{App, audit};

/// Per process, keyed by tenant so tenants never share a count.
#[derive(Clone)]
pub struct StaffLimits {
    /// Failures per account and client address: a stranger elsewhere cannot lock the owner out.
    pub account_client: RateLimiter,
    /// Failures per client address, whatever the account.
    pub client: RateLimiter,
}

impl Default for StaffLimits {
    fn default() -> Self {
        Self {
            account_client: RateLimiter::new(Policy { free_attempts: 5, ..Policy::default() }),
            client: RateLimiter::new(Policy { free_attempts: 20, ..Policy::default() }),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("wrong e-mail or password")]
    BadCredentials,
    #[error("wrong code")]
    WrongCode,
    #[error("this code was already used")]
    ReusedCode,
    #[error(transparent)]
    TooMany(#[from] RetryAfter),
    /// TOTP is required and the account has none yet: only the browser can enrol.
    #[error("set up the authenticator app in the browser first")]
    EnrolmentRequired,
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

fn keys(tenant: &TenantRecord, email: &str, ip: &str) -> (String, String) {
    (format!("{}:{}:{ip}", tenant.id, staff_store::email_key(email)), format!("{}:{ip}", tenant.id))
}

/// Counts a refused sign-in for the metrics: a wrong secret, or a client held back.
fn count_refusal(e: &SignInError) {
    match e {
        SignInError::BadCredentials | SignInError::WrongCode | SignInError::ReusedCode => {
            metrics::counter!("login_failures_total", "who" => "staff").increment(1);
        }
        SignInError::TooMany(_) => metrics::counter!("login_throttled_total", "who" => "staff").increment(1),
        _ => {}
    }
}

/// Checks e-mail and password; the stage tells what must come next.
async fn check_password(
    app: &App,
    limits: &StaffLimits,
    tenant: &TenantRecord,
    email: &str,
    password: &str,
    ip: &str,
) -> Result<(Staff, Stage), SignInError> {
    let (account_key, client_key) = keys(tenant, email, ip);
    limits.client.check(&client_key)?;
    limits.account_client.check(&account_key)?;
    let scope = tenant.scope();
    let found = staff_store::find_by_email(&app.db, scope, email).await?.filter(|s| s.active);
    let hash = found.as_ref().and_then(|s| s.password_hash.clone());
    let ok = app.hasher.verify_or_dummy(password.to_owned(), hash).await?;
    let Some(member) = found.filter(|_| ok) else {
        limits.client.record_failure(&client_key);
        limits.account_client.record_failure(&account_key);
        return Err(SignInError::BadCredentials);
    };
    limits.account_client.reset(&account_key);
    let roles = app.authz.roles(scope, member.id).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    if roles.is_empty() {
        // A member without a role can do nothing; treat as unknown.
        return Err(SignInError::BadCredentials);
    }
    let stage = if member.totp_enabled {
        Stage::Totp
    } else if totp_required(tenant, &roles) {
        Stage::Enrol
    } else {
        Stage::Full
    };
    Ok((member, stage))
}

async fn start(app: &App, tenant: &TenantRecord, member: &Staff, stage: Stage, client: &Client<'_>) -> Result<Started, DbErr> {
    let txn = store::begin_write(&app.db).await?;
    let started = staff_session::start_session(&txn, tenant.scope(), member.id, client.kind, stage, client.ip, client.user_agent).await?;
    if stage == Stage::Full {
        staff_store::touch_login(&txn, tenant.scope(), member.id, Utc::now()).await?;
        let actor = store::audit::Actor { kind: "staff", id: Some(member.id), label: member.email.clone(), ip: client.ip.to_owned() };
        audit::record(&txn, tenant.scope(), &actor, "staff.sign_in", ("staff", member.id.to_string()), None, None).await?;
    }
    txn.commit().await?;
    Ok(started)
}

/// Step one in the browser: a session at the stage the account needs next.
pub async fn with_password(
    app: &App,
    limits: &StaffLimits,
    tenant: &TenantRecord,
    email: &str,
    password: &str,
    client: &Client<'_>,
) -> Result<(Stage, Started), SignInError> {
    let (member, stage) = check_password(app, limits, tenant, email, password, client.ip).await.inspect_err(count_refusal)?;
    Ok((stage, start(app, tenant, &member, stage, client).await?))
}

/// A TOTP code, or a recovery code (anything that is not six digits).
async fn check_code(app: &App, limits: &StaffLimits, tenant: &TenantRecord, member: &Staff, code: &str, ip: &str) -> Result<(), SignInError> {
    let (account_key, client_key) = keys(tenant, &member.email, ip);
    limits.client.check(&client_key)?;
    limits.account_client.check(&account_key)?;
    let scope = tenant.scope();
    let accepted = if let Some(digits) = totp::six_digits(code) {
        let secret = member.totp_secret.as_deref().filter(|_| member.totp_enabled);
        let now = u64::try_from(Utc::now().timestamp()).unwrap_or(0);
        match secret.and_then(|s| totp::verify(s, &digits, now)) {
            Some(step) => {
                if !staff_store::accept_totp_step(&app.db, scope, member.id, step).await? {
                    return Err(SignInError::ReusedCode);
                }
                true
            }
            None => false,
        }
    } else {
        staff_store::use_recovery_code(&app.db, scope, member.id, &totp::recovery_code_hash(code)).await?
    };
    if !accepted {
        limits.client.record_failure(&client_key);
        limits.account_client.record_failure(&account_key);
        return Err(SignInError::WrongCode);
    }
    limits.account_client.reset(&account_key);
    Ok(())
}

/// Step two: the code for a session at the `totp` stage. The half session ends and a full one
/// starts, so a token seen before the code was given never becomes a signed-in one.
pub async fn second_factor(
    app: &App,
    limits: &StaffLimits,
    tenant: &TenantRecord,
    who: &SignedInStaff,
    code: &str,
    client: &Client<'_>,
) -> Result<Started, SignInError> {
    if who.stage() != Stage::Totp {
        return Err(SignInError::WrongCode);
    }
    check_code(app, limits, tenant, who.staff(), code, client.ip).await.inspect_err(count_refusal)?;
    store::staff::sessions::delete(&app.db, tenant.scope(), &who.session().id_hash).await?;
    Ok(start(app, tenant, who.staff(), Stage::Full, client).await?)
}

/// The API's one step: e-mail, password and code together; a bearer token at `full`.
pub async fn with_password_and_code(
    app: &App,
    limits: &StaffLimits,
    tenant: &TenantRecord,
    email: &str,
    password: &str,
    code: Option<&str>,
    client: &Client<'_>,
) -> Result<Started, SignInError> {
    let (member, stage) = check_password(app, limits, tenant, email, password, client.ip).await.inspect_err(count_refusal)?;
    match stage {
        Stage::Full => {}
        Stage::Enrol => return Err(SignInError::EnrolmentRequired),
        Stage::Totp => check_code(app, limits, tenant, &member, code.unwrap_or_default(), client.ip).await.inspect_err(count_refusal)?,
    }
    Ok(start(app, tenant, &member, Stage::Full, client).await?)
}

/// The secret to show as a QR code at the `enrol` stage; stored, not yet enabled.
pub async fn begin_enrolment(app: &App, who: &SignedInStaff) -> Result<String, SignInError> {
    if who.stage() != Stage::Enrol {
        return Err(SignInError::WrongCode);
    }
    if let Some(secret) = who.staff().totp_secret.clone() {
        return Ok(secret);
    }
    let secret = totp::new_secret();
    staff_store::set_totp(&app.db, who.scope(), who.id(), Some(&secret), false).await?;
    Ok(secret)
}

/// The first code from the app confirms the secret: TOTP is on, ten recovery codes are made
/// (shown once, stored hashed), and the session becomes a full one.
pub async fn confirm_enrolment(
    app: &App,
    limits: &StaffLimits,
    tenant: &TenantRecord,
    who: &SignedInStaff,
    code: &str,
    client: &Client<'_>,
) -> Result<(Started, Vec<String>), SignInError> {
    let member = who.staff();
    let Some(secret) = member.totp_secret.as_deref().filter(|_| who.stage() == Stage::Enrol) else {
        return Err(SignInError::WrongCode);
    };
    let (account_key, client_key) = keys(tenant, &member.email, client.ip);
    limits.account_client.check(&account_key)?;
    let now = u64::try_from(Utc::now().timestamp()).unwrap_or(0);
    let Some(step) = totp::verify(secret, code, now) else {
        limits.client.record_failure(&client_key);
        limits.account_client.record_failure(&account_key);
        return Err(SignInError::WrongCode);
    };
    let codes = totp::new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| totp::recovery_code_hash(c)).collect();
    let scope = tenant.scope();
    let txn = store::begin_write(&app.db).await?;
    staff_store::set_totp(&txn, scope, member.id, Some(secret), true).await?;
    staff_store::accept_totp_step(&txn, scope, member.id, step).await?;
    staff_store::replace_recovery_codes(&txn, scope, member.id, &hashes).await?;
    store::staff::sessions::delete(&txn, scope, &who.session().id_hash).await?;
    let actor = store::audit::Actor { kind: "staff", id: Some(member.id), label: member.email.clone(), ip: client.ip.to_owned() };
    audit::record(&txn, scope, &actor, "staff.totp_enrol", ("staff", member.id.to_string()), None, None).await?;
    txn.commit().await?;
    let started = start(app, tenant, member, Stage::Full, client).await?;
    Ok((started, codes))
}

pub async fn sign_out(app: &App, who: &SignedInStaff) -> Result<(), DbErr> {
    store::staff::sessions::delete(&app.db, who.scope(), &who.session().id_hash).await
}

/// The roles of a signed-in member (for showing what they may do).
pub async fn roles(app: &App, who: &SignedInStaff) -> Vec<Role> {
    app.authz.roles(who.scope(), who.id()).await.unwrap_or_default()
}
