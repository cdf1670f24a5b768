//! The account e-mails (password reset link, password changed), rendered once per message in
//! Thai with English below, as HTML with the tenant's colours inline and as plain text.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use domain::locale::{Lang, format_date, format_date_long_th};
use serde::Serialize;
use store::citizens::Citizen;
use store::outbox::EmailMessage;

use crate::error::AppError;
use crate::render::{PageCtx, Views};
use crate::state::AppState;
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
pub fn password_reset(state: &AppState, tenant: &Tenant, to: &Recipient, link: &str, valid_for: Duration) -> Result<EmailMessage, AppError> {
    let minutes = valid_for.num_minutes().to_string();
    let part = |lang| {
        let tr = Tr { views: &state.views, lang, tenant };
        Part {
            lang: lang.code(),
            greeting: tr.fill("account_mail.greeting", &[("name", &to.name)]),
            paragraphs: vec![tr.fill("account_mail.reset_intro", &[]), tr.fill("account_mail.reset_validity", &[("minutes", &minutes)])],
            action: Some(Action { label: tr.fill("account_mail.reset_action", &[]), url: link.to_owned() }),
            after: vec![tr.fill("account_mail.reset_ignore", &[])],
        }
    };
    render(state, tenant, to, "account_mail.reset_subject", [part(Lang::Th), part(Lang::En)])
}

/// "your password was changed", with when, and whom to call if it was not them.
pub fn password_changed(state: &AppState, tenant: &Tenant, to: &Recipient, at: DateTime<Utc>) -> Result<EmailMessage, AppError> {
    let login = format!("{}/login", state.tenant_origin(&tenant.0.slug));
    let part = |lang| {
        let tr = Tr { views: &state.views, lang, tenant };
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
    render(state, tenant, to, "account_mail.changed_subject", [part(Lang::Th), part(Lang::En)])
}

#[derive(Serialize)]
struct Part {
    lang: &'static str,
    greeting: String,
    paragraphs: Vec<String>,
    action: Option<Action>,
    after: Vec<String>,
}

#[derive(Serialize)]
struct Action {
    label: String,
    url: String,
}

#[derive(Serialize)]
struct Mail<'a> {
    subject: &'a str,
    name_th: &'a str,
    name_en: &'a str,
    primary_color: &'a str,
    accent_color: &'a str,
    address_th: &'a str,
    address_en: &'a str,
    automatic: [String; 2],
    parts: [Part; 2],
}

fn render(state: &AppState, tenant: &Tenant, to: &Recipient, subject_key: &str, parts: [Part; 2]) -> Result<EmailMessage, AppError> {
    let t = &tenant.0;
    let subject = format!("{} / {}", state.views.t(Lang::Th, subject_key), state.views.t(Lang::En, subject_key));
    let mail = Mail {
        subject: &subject,
        name_th: &t.name_th,
        name_en: &t.name_en,
        primary_color: &t.settings.branding.primary_color,
        accent_color: &t.settings.branding.accent_color,
        address_th: &t.settings.contact.address_th,
        address_en: &t.settings.contact.address_en,
        automatic: [state.views.t(Lang::Th, "account_mail.automatic"), state.views.t(Lang::En, "account_mail.automatic")],
        parts,
    };
    let ctx = PageCtx::new(Lang::Th, "/", Some(tenant));
    let html = state.views.page("email/account.html", &ctx, &mail)?.0;
    let text = state.views.page("email/account.txt", &ctx, &mail)?.0;
    Ok(EmailMessage { to: to.email.clone(), subject, html, text, from_name: Some(t.name_th.clone()) })
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

/// Thailand has one time zone, UTC+7, and no daylight saving.
pub(super) fn in_thailand(at: DateTime<Utc>) -> NaiveDateTime {
    at.naive_utc() + Duration::hours(7)
}

fn local_time(at: DateTime<Utc>, lang: Lang) -> String {
    let bangkok = in_thailand(at);
    let clock = bangkok.format("%H:%M");
    match lang {
        Lang::Th => format!("{} เวลา {clock} น.", format_date_long_th(bangkok.date())),
        Lang::En => format!("{} at {clock} (Thailand time)", format_date(bangkok.date(), Lang::En)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn times_are_shown_in_thailand() {
        let at = Utc.with_ymd_and_hms(2026, 11, 25, 18, 5, 0).single().unwrap_or_default();
        assert_eq!(local_time(at, Lang::Th), "26 พฤศจิกายน พ.ศ. 2569 เวลา 01:05 น.");
        assert_eq!(local_time(at, Lang::En), "26 Nov 2026 at 01:05 (Thailand time)");
    }
}
