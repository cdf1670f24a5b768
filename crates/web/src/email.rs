//! The one layout of every e-mail a tenant sends: Thai first with English below, the tenant's
//! name, colours and address, HTML (`email/account.html`) and plain text (`email/account.txt`).

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use domain::locale::{Lang, format_date, format_date_long_th};
use serde::Serialize;
use store::outbox::EmailMessage;

use crate::error::AppError;
use crate::render::PageCtx;
use crate::render::Views;
use crate::tenancy::Tenant;

/// One language's half of a message.
#[derive(Serialize)]
pub struct Part {
    pub lang: &'static str,
    pub greeting: String,
    pub paragraphs: Vec<String>,
    pub action: Option<Action>,
    pub after: Vec<String>,
}

/// The button (HTML) or link line (text) of a message.
#[derive(Serialize)]
pub struct Action {
    pub label: String,
    pub url: String,
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

/// Renders a message to `to`; `subject` is already "Thai / English"; `automatic_key` names the
/// "this message was sent automatically" line.
pub fn render(
    views: &Views,
    tenant: &Tenant,
    to: &str,
    subject: String,
    automatic_key: &str,
    parts: [Part; 2],
) -> Result<EmailMessage, AppError> {
    let t = &tenant.0;
    let mail = Mail {
        subject: &subject,
        name_th: &t.name_th,
        name_en: &t.name_en,
        primary_color: &t.settings.branding.primary_color,
        accent_color: &t.settings.branding.accent_color,
        address_th: &t.settings.contact.address_th,
        address_en: &t.settings.contact.address_en,
        automatic: [views.t(Lang::Th, automatic_key), views.t(Lang::En, automatic_key)],
        parts,
    };
    let ctx = PageCtx::new(Lang::Th, "/", Some(tenant));
    let html = views.page("email/account.html", &ctx, &mail)?.0;
    let text = views.page("email/account.txt", &ctx, &mail)?.0;
    Ok(EmailMessage { to: to.to_owned(), subject, html, text, from_name: Some(t.name_th.clone()) })
}

/// Thailand has one time zone, UTC+7, and no daylight saving.
pub fn in_thailand(at: DateTime<Utc>) -> NaiveDateTime {
    at.naive_utc() + Duration::hours(7)
}

/// A moment as a citizen reads it: Thailand time, with the Buddhist year in Thai.
pub fn local_time(at: DateTime<Utc>, lang: Lang) -> String {
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
        let at = Utc.with_ymd_and_hms(2026, 11, 25, 18, 5, 0).single().expect("time");
        assert_eq!(local_time(at, Lang::Th), "26 พฤศจิกายน พ.ศ. 2569 เวลา 01:05 น.");
        assert_eq!(local_time(at, Lang::En), "26 Nov 2026 at 01:05 (Thailand time)");
    }
}
