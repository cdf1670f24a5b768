//! The forgotten-password journey: a one-time link by e-mail (valid for `LINK_LIFETIME`, stored
//! only as its hash), then a new password that ends every session and is confirmed by e-mail.

use access::ratelimit::RetryAfter;
use access::token::{hash_token, new_token};
use chrono::{Duration, Utc};
use domain::email::Email;
use domain::password_policy::{PasswordPolicy, PasswordProblem, PersonalFacts};
use sea_orm::DbErr;
use store::tenants::TenantRecord;

use super::CitizenLimits;
use super::session::remember_device;
use super::sign_in::account_key;
use crate::{App, Issue};

pub const LINK_LIFETIME: Duration = Duration::minutes(30);

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error(transparent)]
    TooMany(#[from] RetryAfter),
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error("writing the e-mail: {0:#}")]
    Letter(anyhow::Error),
}

/// Sends a reset link to `email` if it belongs to a citizen of the tenant, and otherwise a note
/// that no account uses the address. Either way one e-mail is rendered and queued in one
/// transaction, so callers answer alike and in the same time.
#[tracing::instrument(skip_all, fields(tenant = %tenant.slug))]
pub async fn request_link(
    app: &App,
    limits: &CitizenLimits,
    tenant: &TenantRecord,
    client_ip: &str,
    email: &Email,
) -> Result<(), LinkError> {
    let scope = tenant.scope();
    limits.forgot_ip.attempt(&format!("{}:{client_ip}", scope.tenant_id()))?;
    limits.forgot_account.attempt(&format!("{}:{}", scope.tenant_id(), store::citizens::email_key(email.as_str())))?;

    let token = new_token();
    let link = format!("{}/password/reset?token={token}", app.letters.origin(tenant));
    let now = Utc::now();
    let txn = store::begin_write(&app.db).await?;
    let message = match store::citizens::find_by_email(&txn, scope, email.as_str()).await? {
        Some(citizen) => {
            store::password_resets::create(&txn, scope, citizen.id, &hash_token(&token), now, now + LINK_LIFETIME).await?;
            app.letters.password_reset(tenant, &citizen, &link, LINK_LIFETIME)
        }
        None => app.letters.password_reset_unknown(tenant, email.as_str()),
    }
    .map_err(LinkError::Letter)?;
    store::outbox::enqueue_email(&txn, Some(scope.tenant_id()), &message).await?;
    txn.commit().await?;
    Ok(())
}

/// Whether `token` is an unused, unexpired reset link of this tenant.
pub async fn link_is_live(app: &App, tenant: &TenantRecord, token: &str) -> Result<bool, DbErr> {
    Ok(store::password_resets::peek(&app.db, tenant.scope(), &hash_token(token), Utc::now()).await?.is_some())
}

#[derive(Debug, thiserror::Error)]
pub enum ResetError {
    /// Unknown, forged, expired, already used, or another tenant's.
    #[error("the reset link is not valid")]
    TokenInvalid,
    #[error(transparent)]
    Password(PasswordProblem),
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl ResetError {
    /// The field to blame (`token` or `password`) and its code, for 422 answers.
    pub fn issue(&self) -> Option<Issue> {
        match self {
            Self::TokenInvalid => Some(Issue::new("token", "token_invalid")),
            Self::Password(problem) => Some(Issue::new("password", problem.code())),
            Self::Db(_) | Self::Other(_) => None,
        }
    }
}

/// Sets a new password with a reset link. In one transaction: the token is used up, the hash
/// replaced, every other open link voided, every session ended, every known device forgotten and
/// a confirmation e-mail queued. Answers a device token for the device that made the reset, which
/// the owner then signs in with whatever a stranger has been guessing.
#[tracing::instrument(skip_all, fields(tenant = %tenant.slug))]
pub async fn reset_password(
    app: &App,
    limits: &CitizenLimits,
    tenant: &TenantRecord,
    token: &str,
    password: &str,
) -> Result<String, ResetError> {
    let scope = tenant.scope();
    let token_hash = hash_token(token);
    let now = Utc::now();
    let citizen_id = store::password_resets::peek(&app.db, scope, &token_hash, now).await?.ok_or(ResetError::TokenInvalid)?;
    let citizen = store::citizens::find(&app.db, scope, citizen_id).await?.ok_or(ResetError::TokenInvalid)?;
    let facts = PersonalFacts {
        national_id: Some(&citizen.national_id),
        birth_date: Some(citizen.birth_date),
        email: Some(&citizen.email),
    };
    PasswordPolicy::default().check(password, &facts).map_err(ResetError::Password)?;
    let hash = app.hasher.hash(password.to_owned()).await?;
    let notice = app.letters.password_changed(tenant, &citizen, now)?;

    let txn = store::begin_write(&app.db).await?;
    if store::password_resets::consume(&txn, scope, &token_hash, now).await?.is_none() {
        return Err(ResetError::TokenInvalid);
    }
    store::citizens::set_password_hash(&txn, scope, citizen.id, &hash).await?;
    store::password_resets::void_for_citizen(&txn, scope, citizen.id, now).await?;
    store::sessions::delete_for_citizen(&txn, scope, citizen.id, None).await?;
    store::known_devices::forget_all(&txn, scope, citizen.id).await?;
    let device = remember_device(&txn, scope, citizen.id).await?;
    store::outbox::enqueue_email(&txn, Some(scope.tenant_id()), &notice).await?;
    txn.commit().await?;

    // Whoever holds the new password may log in at once, even from a new device.
    limits.login_unknown_devices.reset(&account_key(scope, &citizen.national_id));
    Ok(device)
}
