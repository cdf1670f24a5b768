//! The messages use cases put in the outbox. Their words and layout belong to the web layer
//! (templates and the message catalogue), so it implements this; the use case decides when a
//! message goes and writes it in its own transaction.

use domain::request::Status;
use store::citizens::Citizen;
use store::outbox::EmailMessage;
use store::requests::Request;
use store::staff::Staff;
use store::tenants::TenantRecord;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdentityOutcome {
    Verified,
    Rejected { reason: String },
}

pub trait Letters: Send + Sync {
    /// The tenant's address for links in messages (`http(s)://<slug>.<base>`).
    fn origin(&self, tenant: &TenantRecord) -> String;

    fn status_changed(
        &self,
        tenant: &TenantRecord,
        citizen: &Citizen,
        request: &Request,
        to: Status,
    ) -> anyhow::Result<EmailMessage>;

    fn identity_decided(
        &self,
        tenant: &TenantRecord,
        citizen: &Citizen,
        outcome: &IdentityOutcome,
    ) -> anyhow::Result<EmailMessage>;

    /// The invitation with its single-use set-password link.
    fn staff_invited(&self, tenant: &TenantRecord, staff: &Staff, link: &str) -> anyhow::Result<EmailMessage>;
}
