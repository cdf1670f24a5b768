//! Identity checks: the queue of citizens whose ID photos wait, oldest first; the photos next
//! to the registration data; approving, or rejecting with a reason the citizen reads (they upload
//! again and come back to the queue). The decision, its audit record and the citizen's e-mail
//! are one transaction.

use access::authz::{DecideIdentity, Granted, ViewQueues};
use bytes::Bytes;
use sea_orm::DbErr;
use serde_json::json;
use store::citizens::{self, Citizen, IdentityPhoto, identity_status};
use store::requests::track::Page;
use store::tenants::TenantRecord;
use uuid::Uuid;

use crate::letters::IdentityOutcome;
use crate::{App, audit};

/// The longest a rejection reason may be.
pub const REASON_MAX: usize = 1000;

pub async fn queue(app: &App, granted: &Granted<ViewQueues>, page: u64, per_page: u64) -> Result<Page<Citizen>, DbErr> {
    citizens::identity_queue(&app.db, granted.scope(), page, per_page).await
}

/// The citizen and their stamped photos, for the review page.
pub async fn show(app: &App, granted: &Granted<ViewQueues>, citizen_id: Uuid) -> Result<Option<(Citizen, Vec<IdentityPhoto>)>, DbErr> {
    let scope = granted.scope();
    let Some(citizen) = citizens::find(&app.db, scope, citizen_id).await? else { return Ok(None) };
    let photos = citizens::identity_photos(&app.db, scope, citizen_id).await?;
    Ok(Some((citizen, photos)))
}

/// One stamped ID photo's bytes.
pub async fn photo(
    app: &App,
    granted: &Granted<ViewQueues>,
    citizen_id: Uuid,
    photo_id: Uuid,
) -> anyhow::Result<Option<Bytes>> {
    let Some(photo) = citizens::identity_photo(&app.db, granted.scope(), citizen_id, photo_id).await? else {
        return Ok(None);
    };
    app.files.get(&photo.object_key).await
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject { reason: String },
}

#[derive(Debug, thiserror::Error)]
pub enum DecideError {
    #[error("no such citizen")]
    NotFound,
    /// Already decided (by someone else, or the citizen has not uploaded photos).
    #[error("this identity is not waiting for a decision")]
    NotPending { status: String },
    #[error("a rejection needs a reason the citizen can read")]
    ReasonRequired,
    #[error("the reason is too long")]
    ReasonTooLong,
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error("writing the citizen's e-mail: {0:#}")]
    Letter(anyhow::Error),
}

pub async fn decide(
    app: &App,
    granted: &Granted<DecideIdentity>,
    tenant: &TenantRecord,
    citizen_id: Uuid,
    decision: Decision,
) -> Result<Citizen, DecideError> {
    let scope = granted.scope();
    if tenant.scope() != scope {
        return Err(DecideError::NotFound);
    }
    let outcome = match decision {
        Decision::Approve => IdentityOutcome::Verified,
        Decision::Reject { reason } => {
            let reason = reason.trim().to_owned();
            if reason.is_empty() {
                return Err(DecideError::ReasonRequired);
            }
            if reason.chars().count() > REASON_MAX {
                return Err(DecideError::ReasonTooLong);
            }
            IdentityOutcome::Rejected { reason }
        }
    };
    let txn = store::begin_write(&app.db).await?;
    let before = citizens::find(&txn, scope, citizen_id).await?.ok_or(DecideError::NotFound)?;
    let (verified, reason) = match &outcome {
        IdentityOutcome::Verified => (true, None),
        IdentityOutcome::Rejected { reason } => (false, Some(reason.as_str())),
    };
    if !citizens::decide_identity(&txn, scope, citizen_id, verified, reason).await? {
        return Err(DecideError::NotPending { status: before.identity_status });
    }
    let after = citizens::find(&txn, scope, citizen_id).await?.ok_or(DecideError::NotFound)?;
    audit::record(
        &txn,
        scope,
        &audit::actor(granted.acting()),
        if verified { "identity.approve" } else { "identity.reject" },
        ("citizen", citizen_id.to_string()),
        Some(json!({ "identity_status": identity_status::PENDING })),
        Some(json!({ "identity_status": after.identity_status, "reason": reason })),
    )
    .await?;
    let letter = app.letters.identity_decided(tenant, &after, &outcome).map_err(DecideError::Letter)?;
    store::outbox::enqueue_email(&txn, Some(scope.tenant_id()), &letter).await?;
    txn.commit().await?;
    Ok(after)
}
