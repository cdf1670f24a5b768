//! The citizen's e-mail when a request moves ("ดำเนินการสำเร็จ" and, where the tenant asks, every
//! change); the back office's use case queues it in the same transaction as the move.

use domain::locale::Lang;
use domain::request::Status;
use store::citizens::Citizen;
use store::outbox::EmailMessage;
use store::requests::Request;

use crate::error::AppError;
use crate::email::{self, Action, Part};
use crate::render::Views;
use crate::state::AppState;
use crate::tenancy::Tenant;

/// "คำร้อง DEMO-2569-000001 ดำเนินการสำเร็จ", in Thai with English below, linking to the request.
pub fn status_changed(state: &AppState, tenant: &Tenant, citizen: &Citizen, request: &Request, to: Status) -> Result<EmailMessage, AppError> {
    status_changed_mail(&state.views, &state.tenant_origin(&tenant.0), tenant, citizen, request, to)
}

/// The same message from the views and the tenant's origin alone (for the use-case layer).
pub fn status_changed_mail(
    views: &Views,
    origin: &str,
    tenant: &Tenant,
    citizen: &Citizen,
    request: &Request,
    to: Status,
) -> Result<EmailMessage, AppError> {
    let link = format!("{origin}/requests/{}", request.reference);
    let name = format!("{} {}", citizen.first_name, citizen.last_name);
    let fill = |lang: Lang, key: &str| {
        views
            .t(lang, key)
            .replace("{name}", &name)
            .replace("{reference}", &request.reference)
            .replace("{status}", &views.t(lang, to.message_key()))
            .replace("{tenant}", tenant.name(lang))
    };
    let part = |lang: Lang| Part {
        lang: lang.code(),
        greeting: fill(lang, "request_mail.greeting"),
        paragraphs: vec![fill(lang, "request_mail.changed"), fill(lang, "request_mail.documents")],
        action: Some(Action { label: fill(lang, "request_mail.action"), url: link.clone() }),
        after: Vec::new(),
    };
    let subject = format!("{} / {}", fill(Lang::Th, "request_mail.subject"), fill(Lang::En, "request_mail.subject"));
    email::render(views, tenant, &citizen.email, subject, "request_mail.automatic", [part(Lang::Th), part(Lang::En)])
}
