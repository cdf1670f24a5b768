//! The back office's e-mails, in the tenant's layout and the message catalogue's words: what the
//! use cases put in the outbox when a request moves, an identity is decided or staff are invited.

use std::sync::Arc;

use app::{IdentityOutcome, Letters};
use chrono::{DateTime, Duration, Utc};
use domain::locale::Lang;
use domain::request::Status;
use store::citizens::Citizen;
use store::outbox::EmailMessage;
use store::requests::Request;
use store::services::ItemInCategory;
use store::staff::Staff;
use store::tenants::TenantRecord;

use crate::accounts::login::mail::{self as account_mail, Recipient};
use crate::config::Config;
use crate::email::{self, Action, Part};
use crate::render::Views;
use crate::tenancy::Tenant;

pub struct WebLetters {
    views: Views,
    config: Arc<Config>,
}

impl WebLetters {
    pub fn new(views: Views, config: Arc<Config>) -> Self {
        Self { views, config }
    }

    fn message(
        &self,
        tenant: &Tenant,
        to: &str,
        prefix: &str,
        fill: impl Fn(Lang, &str) -> String,
        paragraphs: &[&str],
        link: &str,
    ) -> anyhow::Result<EmailMessage> {
        let part = |lang: Lang| Part {
            lang: lang.code(),
            greeting: fill(lang, &format!("{prefix}.greeting")),
            paragraphs: paragraphs.iter().map(|p| fill(lang, &format!("{prefix}.{p}"))).collect(),
            action: Some(Action { label: fill(lang, &format!("{prefix}.action")), url: link.to_owned() }),
            after: Vec::new(),
        };
        let subject = format!("{} / {}", fill(Lang::Th, &format!("{prefix}.subject")), fill(Lang::En, &format!("{prefix}.subject")));
        email::render(&self.views, tenant, to, subject, "account_mail.automatic", [part(Lang::Th), part(Lang::En)])
            .map_err(plain)
    }
}

fn wrap(tenant: &TenantRecord) -> Tenant {
    Tenant(Arc::new(tenant.clone()))
}

fn plain(e: crate::error::AppError) -> anyhow::Error {
    anyhow::anyhow!("{e:#}")
}

impl Letters for WebLetters {
    fn origin(&self, tenant: &TenantRecord) -> String {
        crate::state::tenant_origin(&self.config, tenant)
    }

    fn password_reset(&self, tenant: &TenantRecord, citizen: &Citizen, link: &str, valid_for: Duration) -> anyhow::Result<EmailMessage> {
        account_mail::password_reset(&self.views, &wrap(tenant), &Recipient::of(citizen), link, valid_for).map_err(plain)
    }

    fn password_reset_unknown(&self, tenant: &TenantRecord, email: &str) -> anyhow::Result<EmailMessage> {
        account_mail::password_reset_unknown(&self.views, &self.origin(tenant), &wrap(tenant), email).map_err(plain)
    }

    fn password_changed(&self, tenant: &TenantRecord, citizen: &Citizen, at: DateTime<Utc>) -> anyhow::Result<EmailMessage> {
        account_mail::password_changed(&self.views, &self.origin(tenant), &wrap(tenant), &Recipient::of(citizen), at).map_err(plain)
    }

    fn acknowledgement(&self, tenant: &TenantRecord, citizen: &Citizen, item: &ItemInCategory, request: &Request) -> anyhow::Result<EmailMessage> {
        crate::services::mail::acknowledgement(&self.views, &self.origin(tenant), &wrap(tenant), citizen, item, request).map_err(plain)
    }

    fn status_changed(&self, tenant: &TenantRecord, citizen: &Citizen, request: &Request, to: Status) -> anyhow::Result<EmailMessage> {
        crate::requests::mail::status_changed_mail(&self.views, &self.origin(tenant), &wrap(tenant), citizen, request, to)
            .map_err(plain)
    }

    fn identity_decided(&self, tenant: &TenantRecord, citizen: &Citizen, outcome: &IdentityOutcome) -> anyhow::Result<EmailMessage> {
        let t = wrap(tenant);
        let name = format!("{} {}", citizen.first_name, citizen.last_name);
        let (prefix, reason, link) = match outcome {
            IdentityOutcome::Verified => ("identity_mail.verified", "", format!("{}/welcome", self.origin(tenant))),
            IdentityOutcome::Rejected { reason } => {
                ("identity_mail.rejected", reason.as_str(), format!("{}/register/identity", self.origin(tenant)))
            }
        };
        let fill = |lang: Lang, key: &str| {
            self.views.t(lang, key).replace("{name}", &name).replace("{reason}", reason).replace("{tenant}", t.name(lang))
        };
        self.message(&t, &citizen.email, prefix, fill, &["body", "next"], &link)
    }

    fn staff_invited(&self, tenant: &TenantRecord, staff: &Staff, link: &str) -> anyhow::Result<EmailMessage> {
        let t = wrap(tenant);
        let fill = |lang: Lang, key: &str| self.views.t(lang, key).replace("{name}", &staff.name).replace("{tenant}", t.name(lang));
        self.message(&t, &staff.email, "staff_mail.invited", fill, &["body", "valid"], link)
    }
}
