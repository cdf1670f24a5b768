//! Registering a citizen: every field checked at once by the domain's rules, the password hashed
//! off the async runtime, the account created at `photos_required` with the accepted terms.

use access::ratelimit::RetryAfter;
use domain::password_policy::PasswordPolicy;
use domain::registration::{self, RegistrationForm, Rules};
use sea_orm::DbErr;
use store::citizens::{self, Citizen, CreateError, NewCitizen};
use store::tenants::TenantRecord;

use super::session::{self, Started};
use super::{CitizenLimits, thai_today};
use crate::{App, Client, Issue};

#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    /// Every field that is wrong, at once.
    #[error("invalid registration")]
    Invalid(Vec<Issue>),
    /// The national ID or e-mail (or both) already has an account with this tenant.
    #[error("already registered")]
    Taken(Vec<Issue>),
    #[error(transparent)]
    TooMany(#[from] RetryAfter),
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// Creates the citizen (identity status `photos_required`) with the accepted terms version, time
/// and IP. Every attempt counts against the tenant-and-address limit.
#[tracing::instrument(skip_all, fields(tenant = %tenant.slug))]
pub async fn register(
    app: &App,
    limits: &CitizenLimits,
    tenant: &TenantRecord,
    form: &RegistrationForm,
    ip: &str,
) -> Result<Citizen, RegisterError> {
    limits.register_ip.attempt(&format!("register:{}:{ip}", tenant.id))?;
    let policy = PasswordPolicy::default();
    let rules = Rules { terms_version: &tenant.settings.terms_version, today: thai_today(), password_policy: &policy };
    let valid = registration::validate(form, &rules)
        .map_err(|found| RegisterError::Invalid(found.into_iter().map(|i| Issue::new(i.field, i.code)).collect()))?;
    let password_hash = app.hasher.hash(valid.password.expose().to_owned()).await?;
    let (national_id, email) = (valid.national_id.as_str().to_owned(), valid.email.as_str().to_owned());
    let created = citizens::create(
        &app.db,
        tenant.scope(),
        NewCitizen {
            national_id: national_id.clone(),
            email: email.clone(),
            title: valid.title,
            first_name: valid.first_name,
            last_name: valid.last_name,
            birth_date: valid.birth_date,
            phone: valid.phone,
            house_no: valid.house_no,
            village: valid.village,
            road: valid.road,
            sub_district_code: to_i32(valid.address.sub_district.code)?,
            district_code: to_i32(valid.address.district.code)?,
            province_code: to_i32(valid.address.province.code)?,
            postcode: valid.postcode,
            password_hash,
            terms_version: valid.terms_version,
            terms_accepted_ip: ip.chars().take(45).collect(),
        },
    )
    .await;
    match created {
        Ok(citizen) => {
            tracing::info!(citizen = %citizen.id, "citizen registered");
            Ok(citizen)
        }
        Err(CreateError::DuplicateNationalId) => Err(taken(app, tenant, &national_id, &email, "national_id").await),
        Err(CreateError::DuplicateEmail) => Err(taken(app, tenant, &national_id, &email, "email").await),
        Err(CreateError::Db(e)) => Err(e.into()),
    }
}

/// The database named one taken value; the citizen is told about every one of them at once.
async fn taken(app: &App, tenant: &TenantRecord, national_id: &str, email: &str, reported: &str) -> RegisterError {
    let scope = tenant.scope();
    let id_taken = reported == "national_id"
        || citizens::find_by_national_id(&app.db, scope, national_id).await.is_ok_and(|found| found.is_some());
    let email_taken =
        reported == "email" || citizens::find_by_email(&app.db, scope, email).await.is_ok_and(|found| found.is_some());
    let mut issues = Vec::new();
    if id_taken {
        issues.push(Issue::new("national_id", "national_id_taken"));
    }
    if email_taken {
        issues.push(Issue::new("email", "email_taken"));
    }
    RegisterError::Taken(issues)
}

/// Registers the citizen and signs them in on this client (the web form goes on to the photos).
pub async fn register_and_sign_in(
    app: &App,
    limits: &CitizenLimits,
    tenant: &TenantRecord,
    form: &RegistrationForm,
    client: &Client<'_>,
) -> Result<(Citizen, Started), RegisterError> {
    let citizen = register(app, limits, tenant, form, client.ip).await?;
    let started = session::start(app, tenant.scope(), citizen.id, client).await?;
    Ok((citizen, started))
}

fn to_i32(code: u32) -> anyhow::Result<i32> {
    Ok(i32::try_from(code)?)
}
