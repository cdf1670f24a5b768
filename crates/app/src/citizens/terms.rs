//! Accepting the tenant's terms of service again after the tenant published new ones.

use sea_orm::DbErr;
use store::citizens::Citizen;
use store::tenants::TenantRecord;

use crate::App;

#[derive(Debug, thiserror::Error)]
pub enum TermsError {
    /// The terms the citizen read are no longer the current ones (published again meanwhile).
    #[error("these terms are not the current ones")]
    Outdated,
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Records that the citizen accepted `version`, when and from where; only the current version
/// can be accepted.
pub async fn accept(app: &App, tenant: &TenantRecord, citizen: &Citizen, version: &str, ip: &str) -> Result<(), TermsError> {
    if version.trim() != tenant.settings.terms_version {
        return Err(TermsError::Outdated);
    }
    store::citizens::accept_terms(&app.db, tenant.scope(), citizen.id, &tenant.settings.terms_version, ip).await?;
    Ok(())
}
