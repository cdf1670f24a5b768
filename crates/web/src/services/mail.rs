//! The acknowledgement e-mail of a submission (section 10): the reference and the time of receipt,
//! in Thai with English below, in the tenant's branded layout the account e-mails use.

use chrono::{DateTime, Utc};
use domain::locale::Lang;
use store::citizens::Citizen;
use store::outbox::EmailMessage;
use store::requests::Request;
use store::services::ItemInCategory;

use crate::error::AppError;
use crate::email::{self, Action, Part};
use crate::render::Views;
use crate::tenancy::Tenant;

/// "When received" as a citizen reads it: Thailand time, Buddhist year in Thai.
pub fn received_at(at: DateTime<Utc>, lang: Lang) -> String {
    email::local_time(at, lang)
}

pub fn acknowledgement(
    views: &Views,
    origin: &str,
    tenant: &Tenant,
    citizen: &Citizen,
    item: &ItemInCategory,
    request: &Request,
) -> Result<EmailMessage, AppError> {
    let name = format!("{} {}", citizen.first_name, citizen.last_name);
    let link = format!("{origin}/services/requests/{}/done", request.reference);
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
    email::render(views, tenant, &citizen.email, subject, "account_mail.automatic", [part(Lang::Th), part(Lang::En)])
}
