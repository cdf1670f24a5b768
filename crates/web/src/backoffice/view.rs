//! What back-office pages and the API show: rendering with the staff layout, and the views of a
//! staff member, a queue row and a citizen's identity.

use access::staff::SignedInStaff;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use domain::working_days::Calendar;
use domain::locale::Lang;
use serde::Serialize;
use store::citizens::Citizen;
use uuid::Uuid;

use crate::accounts::login::no_store;
use crate::error::AppError;
use crate::render::PageCtx;
use crate::requests::view::when;
use crate::state::AppState;
use crate::tenancy::Tenant;

/// Renders a back-office page, never cached.
pub fn render(
    state: &AppState,
    tenant: &Tenant,
    lang: Lang,
    path: &str,
    template: &str,
    status: StatusCode,
    page: &impl Serialize,
) -> Result<Response, AppError> {
    let html = state.views.page(template, &PageCtx::new(lang, path, Some(tenant)), page)?;
    Ok(no_store(status, html))
}

/// The signed-in member as the staff layout shows them.
#[derive(Serialize, Clone)]
pub struct Me {
    pub name: String,
    pub email: String,
    pub csrf: String,
    pub admin: bool,
}

pub async fn me(state: &AppState, who: &SignedInStaff) -> Me {
    let roles = app::staff::sign_in::roles(&state.app, who).await;
    Me {
        name: who.staff().name.clone(),
        email: who.staff().email.clone(),
        csrf: who.session().csrf_token.clone(),
        admin: roles.contains(&access::authz::Role::Admin),
    }
}

/// The tenant's working days: weekdays less the national holidays and its closure days.
pub fn calendar(tenant: &Tenant) -> Calendar {
    Calendar::new(&tenant.0.settings.back_office.closure_days)
}

/// The working days from `from` to `to` in Thailand's dates: how long a request has waited.
pub fn days_waited(cal: &Calendar, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    cal.working_days_between(crate::requests::view::thai_date(from), crate::requests::view::thai_date(to))
}

#[derive(Serialize, Clone, utoipa::ToSchema)]
pub struct IdentityView {
    pub code: String,
    pub label: String,
}

pub fn identity_view(state: &AppState, lang: Lang, status: &str) -> IdentityView {
    IdentityView { code: status.to_owned(), label: state.views.t(lang, &format!("backoffice.identity_status.{status}")) }
}

/// A citizen as the identity pages show them.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = StaffCitizen)]
pub struct CitizenView {
    pub id: Uuid,
    pub name: String,
    pub national_id: String,
    pub email: String,
    pub phone: String,
    pub birth_date: String,
    pub address: String,
    pub identity: IdentityView,
    #[schema(required)]
    pub rejection_reason: Option<String>,
    #[schema(required)]
    pub submitted: Option<String>,
    #[schema(required)]
    pub days_waited: Option<i64>,
    pub registered: String,
}

pub fn citizen_view(state: &AppState, cal: &Calendar, lang: Lang, c: &Citizen, now: DateTime<Utc>) -> CitizenView {
    CitizenView {
        id: c.id,
        name: format!("{}{} {}", c.title, c.first_name, c.last_name),
        national_id: c.national_id.clone(),
        email: c.email.clone(),
        phone: c.phone.clone(),
        birth_date: domain::locale::format_date(c.birth_date, lang),
        address: crate::accounts::registration::profile::address_line(c, lang),
        identity: identity_view(state, lang, &c.identity_status),
        rejection_reason: c.identity_note.clone(),
        submitted: c.identity_submitted_at.map(|at| when(at, lang)),
        days_waited: c.identity_submitted_at.map(|at| days_waited(cal, at, now)),
        registered: when(c.created_at, lang),
    }
}
