//! The acknowledgement e-mail of a submission (section 10): the reference and the time of receipt,
//! in Thai with English below, in the tenant's branded layout the account e-mails use.

use chrono::{DateTime, Duration, Utc};
use domain::locale::{Lang, format_date, format_date_long_th};
use serde::Serialize;
use store::citizens::Citizen;
use store::outbox::EmailMessage;
use store::requests::Request;
use store::services::ItemInCategory;

use crate::error::AppError;
use crate::render::PageCtx;
use crate::state::AppState;
use crate::tenancy::Tenant;

/// "When received" as a citizen reads it: Thailand time, Buddhist year in Thai.
pub fn received_at(at: DateTime<Utc>, lang: Lang) -> String {
    let bangkok = at.naive_utc() + Duration::hours(7);
    let clock = bangkok.format("%H:%M");
    match lang {
        Lang::Th => format!("{} เวลา {clock} น.", format_date_long_th(bangkok.date())),
        Lang::En => format!("{} at {clock} (Thailand time)", format_date(bangkok.date(), Lang::En)),
    }
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

pub fn acknowledgement(
    state: &AppState,
    tenant: &Tenant,
    citizen: &Citizen,
    item: &ItemInCategory,
    request: &Request,
) -> Result<EmailMessage, AppError> {
    let t = &tenant.0;
    let views = &state.views;
    let name = format!("{} {}", citizen.first_name, citizen.last_name);
    let link = format!("{}/services/requests/{}/done", state.tenant_origin(&t.slug), request.reference);
    let fill = |lang: Lang, key: &str| {
        views
            .t(lang, key)
            .replace("{name}", &name)
            .replace("{reference}", &request.reference)
            .replace(
                "{service}",
                match lang {
                    Lang::Th => &item.item.title_th,
                    Lang::En => &item.item.title_en,
                },
            )
            .replace("{when}", &received_at(request.submitted_at, lang))
            .replace("{tenant}", tenant.name(lang))
    };
    let part = |lang: Lang| Part {
        lang: lang.code(),
        greeting: fill(lang, "services_mail.greeting"),
        paragraphs: vec![fill(lang, "services_mail.intro"), fill(lang, "services_mail.acknowledgement")],
        action: Some(Action { label: fill(lang, "services_mail.action"), url: link.clone() }),
        after: vec![],
    };
    let subject = format!("{} / {}", fill(Lang::Th, "services_mail.subject"), fill(Lang::En, "services_mail.subject"));
    let mail = Mail {
        subject: &subject,
        name_th: &t.name_th,
        name_en: &t.name_en,
        primary_color: &t.settings.branding.primary_color,
        accent_color: &t.settings.branding.accent_color,
        address_th: &t.settings.contact.address_th,
        address_en: &t.settings.contact.address_en,
        automatic: [views.t(Lang::Th, "account_mail.automatic"), views.t(Lang::En, "account_mail.automatic")],
        parts: [part(Lang::Th), part(Lang::En)],
    };
    let ctx = PageCtx::new(Lang::Th, "/", Some(tenant));
    let html = views.page("email/account.html", &ctx, &mail)?.0;
    let text = views.page("email/account.txt", &ctx, &mail)?.0;
    Ok(EmailMessage { to: citizen.email.clone(), subject, html, text, from_name: Some(t.name_th.clone()) })
}
