//! Status changes made from the web side (staff, later the back office) and the citizen's
//! "ดำเนินการสำเร็จ" e-mail, queued in the same transaction as the change.

use domain::locale::Lang;
use domain::request::Status;
use store::citizens::Citizen;
use store::outbox::EmailMessage;
use store::requests::Request;
use store::requests::track::{self, Actor, ChangeError};

use crate::error::{AppError, FieldIssue};
use crate::email::{self, Action, Part};
use crate::render::Views;
use crate::state::AppState;
use crate::tenancy::Tenant;

/// Moves the request and, when the change notifies the citizen, queues their e-mail with it.
pub async fn change_status(
    state: &AppState,
    tenant: &Tenant,
    reference: &str,
    to: Status,
    note: Option<&str>,
    actor: Actor,
) -> Result<Request, AppError> {
    let scope = tenant.scope();
    let request = track::find(&state.db, scope, reference).await?.ok_or(AppError::NotFound)?;
    let email = if track::notifies(to, tenant.0.settings.notifications.on_every_status_change) {
        let citizen = store::citizens::find(&state.db, scope, request.citizen_id).await?.ok_or(AppError::NotFound)?;
        Some(status_changed(state, tenant, &citizen, &request, to)?)
    } else {
        None
    };
    match track::change_status(&state.db, scope, reference, to, note, actor, |_| email).await {
        Ok(updated) => Ok(updated),
        Err(ChangeError::NotFound) => Err(AppError::NotFound),
        Err(ChangeError::Transition(e)) => {
            let code = match e {
                domain::request::TransitionError::ReasonRequired => "reason_required",
                domain::request::TransitionError::NotAllowed { .. } => "transition_not_allowed",
            };
            Err(AppError::Validation(vec![FieldIssue::new("status", code)]))
        }
        Err(ChangeError::Db(e)) => Err(e.into()),
    }
}

/// "คำร้อง DEMO-2569-000001 ดำเนินการสำเร็จ", in Thai with English below, linking to the request.
pub fn status_changed(state: &AppState, tenant: &Tenant, citizen: &Citizen, request: &Request, to: Status) -> Result<EmailMessage, AppError> {
    status_changed_mail(&state.views, &state.tenant_origin(&tenant.0.slug), tenant, citizen, request, to)
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
