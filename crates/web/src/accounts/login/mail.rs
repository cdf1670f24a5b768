//! The account e-mails (password reset link, password changed), rendered once per message in
//! Thai with English below, as HTML with the tenant's colours inline and as plain text.

use chrono::{DateTime, Duration, Utc};
use domain::locale::Lang;
use store::citizens::Citizen;
use store::outbox::EmailMessage;

use crate::error::AppError;
use crate::email::{self, Action, Part, local_time};
use crate::render::Views;
use crate::tenancy::Tenant;

/// Who the message is for.
pub struct Recipient {
    pub name: String,
    pub email: String,
}

impl Recipient {
    pub fn of(citizen: &Citizen) -> Self {
        Self { name: format!("{} {}", citizen.first_name, citizen.last_name), email: citizen.email.clone() }
    }
}

/// "แจ้งเปลี่ยนรหัสผ่าน": the one-time "เปลี่ยนรหัสผ่าน" link.
pub fn password_reset(views: &Views, tenant: &Tenant, to: &Recipient, link: &str, valid_for: Duration) -> Result<EmailMessage, AppError> {
    let minutes = valid_for.num_minutes().to_string();
    let part = |lang| {
        let tr = Tr { views, lang, tenant };
        Part {
            lang: lang.code(),
            greeting: tr.fill("account_mail.greeting", &[("name", &to.name)]),
            paragraphs: vec![tr.fill("account_mail.reset_intro", &[]), tr.fill("account_mail.reset_validity", &[("minutes", &minutes)])],
            action: Some(Action { label: tr.fill("account_mail.reset_action", &[]), url: link.to_owned() }),
            after: vec![tr.fill("account_mail.reset_ignore", &[])],
        }
    };
    render(views, tenant, to, "account_mail.reset_subject", [part(Lang::Th), part(Lang::En)])
}

/// Asked for an address no account uses: says so, and where to register. Sent so that a
/// registered and an unknown address cost the same work and take the same time.
pub fn password_reset_unknown(views: &Views, origin: &str, tenant: &Tenant, to: &str) -> Result<EmailMessage, AppError> {
    let register = format!("{origin}/register");
    let part = |lang| {
        let tr = Tr { views, lang, tenant };
        Part {
            lang: lang.code(),
            greeting: String::new(),
            paragraphs: vec![tr.fill("account_mail.unknown_intro", &[]), tr.fill("account_mail.unknown_hint", &[])],
            action: Some(Action { label: tr.fill("account_mail.unknown_action", &[]), url: register.clone() }),
            after: vec![tr.fill("account_mail.unknown_ignore", &[])],
        }
    };
    let to = Recipient { name: String::new(), email: to.to_owned() };
    render(views, tenant, &to, "account_mail.unknown_subject", [part(Lang::Th), part(Lang::En)])
}

/// "your password was changed", with when, and whom to call if it was not them.
pub fn password_changed(views: &Views, origin: &str, tenant: &Tenant, to: &Recipient, at: DateTime<Utc>) -> Result<EmailMessage, AppError> {
    let login = format!("{origin}/login");
    let part = |lang| {
        let tr = Tr { views, lang, tenant };
        Part {
            lang: lang.code(),
            greeting: tr.fill("account_mail.greeting", &[("name", &to.name)]),
            paragraphs: vec![
                tr.fill("account_mail.changed_intro", &[("when", &local_time(at, lang))]),
                tr.fill("account_mail.changed_sessions", &[]),
            ],
            action: Some(Action { label: tr.fill("account_mail.changed_action", &[]), url: login.clone() }),
            after: vec![tr.fill("account_mail.changed_warning", &[])],
        }
    };
    render(views, tenant, to, "account_mail.changed_subject", [part(Lang::Th), part(Lang::En)])
}

fn render(views: &Views, tenant: &Tenant, to: &Recipient, subject_key: &str, parts: [Part; 2]) -> Result<EmailMessage, AppError> {
    let subject = format!("{} / {}", views.t(Lang::Th, subject_key), views.t(Lang::En, subject_key));
    email::render(views, tenant, &to.email, subject, "account_mail.automatic", parts)
}

/// Catalogue lookups for one language, with `{tenant}`, `{phone}` and `{email}` of the tenant
/// and any other `{name}` filled in.
struct Tr<'a> {
    views: &'a Views,
    lang: Lang,
    tenant: &'a Tenant,
}

impl Tr<'_> {
    fn fill(&self, key: &str, values: &[(&str, &str)]) -> String {
        let contact = &self.tenant.0.settings.contact;
        let tenant = [("tenant", self.tenant.name(self.lang)), ("phone", contact.phone.as_str()), ("email", contact.email.as_str())];
        tenant.iter().chain(values).fold(self.views.t(self.lang, key), |text, (name, value)| text.replace(&format!("{{{name}}}"), value))
    }
}
