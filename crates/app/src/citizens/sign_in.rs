//! Checking a national ID and password and opening a session, with brute-force limits that a
//! stranger cannot turn into a lockout of the owner (see [`Throttle`]). No answer, and no answer's
//! timing, tells whether an account exists.

use access::ratelimit::RetryAfter;
use chrono::Utc;
use domain::national_id::NationalId;
use sea_orm::DbErr;
use store::Scope;
use store::citizens::Citizen;
use store::tenants::TenantRecord;

use super::CitizenLimits;
use super::session::{self, Started, remember_device};
use crate::{App, Client, Issue};

/// Longer than any password the policy accepts; refused before it reaches the hasher.
const MAX_PASSWORD_BYTES: usize = 1024;

/// A username and password in the right shape (not yet checked against the account).
pub struct Credentials {
    pub national_id: NationalId,
    pub password: String,
}

impl Credentials {
    /// Issues name `username` or `password`, with `required` or the national ID's code.
    pub fn parse(username: &str, password: &str) -> Result<Self, Vec<Issue>> {
        let mut issues = Vec::new();
        let national_id = if username.trim().is_empty() {
            issues.push(Issue::new("username", "required"));
            None
        } else {
            NationalId::parse(username).map_err(|e| issues.push(Issue::new("username", e.code()))).ok()
        };
        if password.is_empty() {
            issues.push(Issue::new("password", "required"));
        } else if password.len() > MAX_PASSWORD_BYTES {
            issues.push(Issue::new("password", "too_long"));
        }
        match national_id {
            Some(national_id) if issues.is_empty() => Ok(Self { national_id, password: password.to_owned() }),
            _ => Err(issues),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Wrong password or no such account: deliberately one case.
    #[error("wrong national ID or password")]
    InvalidCredentials,
    #[error(transparent)]
    Locked(#[from] RetryAfter),
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

pub struct SignedIn {
    pub citizen: Citizen,
    pub session: Started,
    /// A device token to hand back (cookie or JSON) when this device was not known yet.
    pub new_device: Option<String>,
}

/// The rate-limit key of an account: tenant and national ID.
pub fn account_key(scope: Scope, national_id: &str) -> String {
    format!("{}:{national_id}", scope.tenant_id())
}

/// How an attempt is throttled. A device the citizen signed in from before (its device token
/// names this account) is counted on its own, so a stranger's guesses elsewhere never lock the
/// owner out there; any other client is counted per address, per account and address, and per
/// account across all unknown clients (which a password reset clears).
enum Throttle {
    Known { device_key: String, token_hash: String },
    Unknown { ip_key: String, account_client_key: String, account_key: String },
}

impl Throttle {
    fn check(&self, limits: &CitizenLimits) -> Result<(), RetryAfter> {
        match self {
            Self::Known { device_key, .. } => limits.login_device.check(device_key),
            Self::Unknown { ip_key, account_client_key, account_key } => {
                limits.login_ip.check(ip_key)?;
                limits.login_account_client.check(account_client_key)?;
                limits.login_unknown_devices.check(account_key)
            }
        }
    }

    fn failed(&self, limits: &CitizenLimits) {
        match self {
            Self::Known { device_key, .. } => limits.login_device.record_failure(device_key),
            Self::Unknown { ip_key, account_client_key, account_key } => {
                limits.login_ip.record_failure(ip_key);
                limits.login_account_client.record_failure(account_client_key);
                limits.login_unknown_devices.record_failure(account_key);
            }
        }
    }

    /// Only the account's counts start again: forgiving the address too would let one valid
    /// account launder guesses at everyone else's.
    fn succeeded(&self, limits: &CitizenLimits) {
        match self {
            Self::Known { device_key, .. } => limits.login_device.reset(device_key),
            Self::Unknown { account_client_key, account_key, .. } => {
                limits.login_account_client.reset(account_client_key);
                limits.login_unknown_devices.reset(account_key);
            }
        }
    }
}

/// Checks the credentials and starts a session of `client.kind`; `replaced` (the session token
/// the client presented, if any) is ended, so a session id fixed before login is worthless after
/// it. `device` is the device token the client presented, if any.
#[tracing::instrument(skip_all, fields(tenant = %tenant.slug, kind = client.kind))]
pub async fn sign_in(
    app: &App,
    limits: &CitizenLimits,
    tenant: &TenantRecord,
    client: &Client<'_>,
    credentials: &Credentials,
    replaced: Option<&str>,
    device: Option<&str>,
) -> Result<SignedIn, SignInError> {
    let scope = tenant.scope();
    let national_id = credentials.national_id.as_str();
    let citizen = store::citizens::find_by_national_id(&app.db, scope, national_id).await?;
    let known_device = match (device, &citizen) {
        (Some(token), Some(citizen)) => {
            let token_hash = access::token::hash_token(token);
            let owner = store::known_devices::owner(&app.db, scope, &token_hash).await?;
            (owner == Some(citizen.id)).then_some(token_hash)
        }
        _ => None,
    };
    let throttle = match known_device {
        Some(token_hash) => Throttle::Known { device_key: format!("{}:{token_hash}", scope.tenant_id()), token_hash },
        None => Throttle::Unknown {
            ip_key: format!("{}:{}", scope.tenant_id(), client.ip),
            account_client_key: format!("{}:{}", account_key(scope, national_id), client.ip),
            account_key: account_key(scope, national_id),
        },
    };
    if let Err(wait) = throttle.check(limits) {
        metrics::counter!("login_throttled_total", "who" => "citizen").increment(1);
        return Err(wait.into());
    }

    let verified =
        app.hasher.verify_or_dummy(credentials.password.clone(), citizen.as_ref().map(|c| c.password_hash.clone())).await?;
    let citizen = match citizen {
        Some(citizen) if verified => citizen,
        _ => {
            throttle.failed(limits);
            metrics::counter!("login_failures_total", "who" => "citizen").increment(1);
            return Err(SignInError::InvalidCredentials);
        }
    };
    throttle.succeeded(limits);
    upgrade_hash(app, scope, &citizen, &credentials.password).await;

    if let Some(old) = replaced {
        session::sign_out(app, scope, old).await?;
    }
    let session = session::start(app, scope, citizen.id, client).await?;
    let new_device = match &throttle {
        Throttle::Known { token_hash, .. } => {
            store::known_devices::touch(&app.db, scope, token_hash, Utc::now()).await?;
            None
        }
        Throttle::Unknown { .. } => Some(remember_device(&app.db, scope, citizen.id).await?),
    };
    Ok(SignedIn { citizen, session, new_device })
}

/// Re-hashes a password stored with older argon2 settings while the plain text is at hand. A
/// failure only means the upgrade waits for the next login.
async fn upgrade_hash(app: &App, scope: Scope, citizen: &Citizen, password: &str) {
    if !app.hasher.needs_rehash(&citizen.password_hash) {
        return;
    }
    let result = match app.hasher.hash(password.to_owned()).await {
        Ok(hash) => store::citizens::set_password_hash(&app.db, scope, citizen.id, &hash).await.map(drop).map_err(anyhow::Error::from),
        Err(e) => Err(e),
    };
    if let Err(e) = result {
        tracing::warn!(error = format!("{e:#}"), "upgrading a password hash");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_checked_for_shape_only() {
        assert!(Credentials::parse("1-1037-02071-56-1", "anything").is_ok());
        let issues = Credentials::parse("", "").err().unwrap_or_default();
        assert_eq!(issues, vec![Issue::new("username", "required"), Issue::new("password", "required")]);
        let issues = Credentials::parse("1103702071562", "x").err().unwrap_or_default();
        assert_eq!(issues, vec![Issue::new("username", "checksum")]);
        let long = "x".repeat(MAX_PASSWORD_BYTES + 1);
        let issues = Credentials::parse("1103702071561", &long).err().unwrap_or_default();
        assert_eq!(issues, vec![Issue::new("password", "too_long")]);
    }
}
