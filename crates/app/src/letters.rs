//! The messages use cases put in the outbox. Their words and layout belong to the web layer
//! (templates and the message catalogue), so it implements this; the use case decides when a
//! message goes and writes it in its own transaction.

use chrono::{DateTime, Duration, Utc};
use domain::request::Status;
use store::citizens::Citizen;
use store::outbox::EmailMessage;
use store::requests::Request;
use store::services::ItemInCategory;
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

    /// "แจ้งเปลี่ยนรหัสผ่าน": the one-time link to set a new password, and how long it works.
    fn password_reset(&self, tenant: &TenantRecord, citizen: &Citizen, link: &str, valid_for: Duration) -> anyhow::Result<EmailMessage>;

    /// A reset asked for an address no account of the tenant uses: says so, and where to register.
    fn password_reset_unknown(&self, tenant: &TenantRecord, email: &str) -> anyhow::Result<EmailMessage>;

    /// The password was changed at `at`; whom to call if it was not the citizen.
    fn password_changed(&self, tenant: &TenantRecord, citizen: &Citizen, at: DateTime<Utc>) -> anyhow::Result<EmailMessage>;

    /// A submission arrived: its reference and the time of receipt.
    fn acknowledgement(
        &self,
        tenant: &TenantRecord,
        citizen: &Citizen,
        item: &ItemInCategory,
        request: &Request,
    ) -> anyhow::Result<EmailMessage>;

    /// The invitation with its single-use set-password link.
    fn staff_invited(&self, tenant: &TenantRecord, staff: &Staff, link: &str) -> anyhow::Result<EmailMessage>;
}
