//! The admin's staff page (`/staff/team`): who works in the back office, inviting by e-mail,
//! changing a role, narrowing an officer to categories, resetting TOTP, deactivating.

use access::authz::{ManageStaff, Role};
use app::staff::manage::{self, ManageError};
use axum::Router;
use axum::extract::State;
use crate::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::locale::Lang;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::view::{Me, me, render};
use super::{Can, check_csrf};
use crate::accounts::login::HtmlForm;
use crate::error::AppError;
use crate::i18n::RequestLang;
use crate::requests::view::when;
use crate::state::AppState;
use crate::tenancy::Tenant;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/team", get(page))
        .route("/staff/team/invite", post(invite))
        .route("/staff/team/{id}/role", post(role))
        .route("/staff/team/{id}/categories", post(categories))
        .route("/staff/team/{id}/reset-totp", post(reset_totp))
        .route("/staff/team/{id}/deactivate", post(deactivate))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Done {
    done: String,
}

const DONE: &[&str] = &["invited", "role", "categories", "reset_totp", "deactivated"];

#[derive(Serialize)]
struct CategoryChoice {
    id: Uuid,
    title: String,
    checked: bool,
}

#[derive(Serialize)]
struct MemberRow {
    id: Uuid,
    name: String,
    email: String,
    role: &'static str,
    active: bool,
    totp: bool,
    invited: bool,
    last_login: Option<String>,
    categories: Vec<CategoryChoice>,
    narrowed: bool,
    me: bool,
}

#[derive(Serialize)]
struct TeamPage {
    me: Me,
    members: Vec<MemberRow>,
    done: Option<String>,
    error: Option<String>,
    email: String,
    name: String,
}

async fn render_page(
    state: &AppState,
    tenant: &Tenant,
    lang: Lang,
    can: &Can<ManageStaff>,
    done: Option<String>,
    failure: Option<(StatusCode, String)>,
    typed: (String, String),
) -> Result<Response, AppError> {
    let members = manage::list(&state.app, &can.granted).await.map_err(manage_error)?;
    let catalogue = store::services::catalogue(&state.db, can.granted.scope()).await?;
    let rows = members
        .into_iter()
        .map(|m| MemberRow {
            id: m.staff.id,
            name: m.staff.name.clone(),
            email: m.staff.email.clone(),
            role: m.roles.first().map_or("", |r| r.as_str()),
            active: m.staff.active,
            totp: m.staff.totp_enabled,
            invited: m.staff.password_hash.is_none(),
            last_login: m.staff.last_login_at.map(|at| when(at, lang)),
            narrowed: !m.categories.is_empty(),
            categories: catalogue
                .iter()
                .map(|c| CategoryChoice {
                    id: c.category.id,
                    title: match lang {
                        Lang::Th => c.category.title_th.clone(),
                        Lang::En => c.category.title_en.clone(),
                    },
                    checked: m.categories.contains(&c.category.id),
                })
                .collect(),
            me: m.staff.id == can.who.id(),
        })
        .collect();
    let (status, error) = match failure {
        Some((status, message)) => (status, Some(message)),
        None => (StatusCode::OK, None),
    };
    let page = TeamPage { me: me(state, &can.who).await, members: rows, done, error, email: typed.0, name: typed.1 };
    render(state, tenant, lang, "/staff/team", "staff/team.html", status, &page)
}

fn manage_error(e: ManageError) -> AppError {
    match e {
        ManageError::NotFound => AppError::NotFound,
        ManageError::Db(e) => e.into(),
        other => AppError::Internal(anyhow::anyhow!("{other}")),
    }
}

/// The message for a refused change, or the error when it is not one to show on the page.
fn refused(state: &AppState, lang: Lang, e: ManageError) -> Result<(StatusCode, String), AppError> {
    let t = |key: &str| state.views.t(lang, key);
    Ok(match e {
        ManageError::DuplicateEmail => (StatusCode::CONFLICT, t("backoffice_error.duplicate_email")),
        ManageError::OwnAccount => (StatusCode::CONFLICT, t("backoffice_error.own_account")),
        ManageError::Invalid { field, code } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("{}: {}", t(&format!("backoffice.team.{field}")), t(&format!("backoffice_error.{code}"))),
        ),
        other => return Err(manage_error(other)),
    })
}

async fn page(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    can: Can<ManageStaff>,
    Query(q): Query<Done>,
) -> Result<Response, AppError> {
    let done = DONE.contains(&q.done.as_str()).then(|| format!("backoffice.team.done_{}", q.done));
    render_page(&state, &tenant, lang, &can, done, None, Default::default()).await
}

/// What every form of the page posts: the CSRF token and, depending on the form, more.
#[derive(Deserialize, Default)]
#[serde(default)]
struct TeamForm {
    csrf_token: String,
    email: String,
    name: String,
    role: String,
}

async fn finish(
    state: &AppState,
    tenant: &Tenant,
    lang: Lang,
    can: &Can<ManageStaff>,
    result: Result<store::staff::Staff, ManageError>,
    done: &str,
    typed: (String, String),
) -> Result<Response, AppError> {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/staff/team?done={done}")).into_response()),
        Err(e) => {
            let failure = refused(state, lang, e)?;
            render_page(state, tenant, lang, can, None, Some(failure), typed).await
        }
    }
}

fn parse_role(raw: &str) -> Result<Role, AppError> {
    Role::parse(raw).ok_or(AppError::BadRequest)
}

async fn invite(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    can: Can<ManageStaff>,
    HtmlForm(form): HtmlForm<TeamForm>,
) -> Result<Response, AppError> {
    check_csrf(&can.who, &form.csrf_token)?;
    let role = parse_role(&form.role)?;
    let result = manage::invite(&state.app, &can.granted, &tenant.0, form.email.trim(), form.name.trim(), role).await;
    finish(&state, &tenant, lang, &can, result, "invited", (form.email.clone(), form.name.clone())).await
}

async fn role(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    can: Can<ManageStaff>,
    Path(id): Path<Uuid>,
    HtmlForm(form): HtmlForm<TeamForm>,
) -> Result<Response, AppError> {
    check_csrf(&can.who, &form.csrf_token)?;
    let result = manage::set_role(&state.app, &can.granted, id, parse_role(&form.role)?).await;
    finish(&state, &tenant, lang, &can, result, "role", Default::default()).await
}

async fn categories(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    can: Can<ManageStaff>,
    Path(id): Path<Uuid>,
    HtmlForm(pairs): HtmlForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let csrf = pairs.iter().find(|(k, _)| k == "csrf_token").map(|(_, v)| v.as_str()).unwrap_or_default();
    check_csrf(&can.who, csrf)?;
    let chosen: Vec<Uuid> = pairs.iter().filter(|(k, _)| k == "categories").filter_map(|(_, v)| Uuid::parse_str(v).ok()).collect();
    let result = manage::narrow(&state.app, &can.granted, id, &chosen).await;
    finish(&state, &tenant, lang, &can, result, "categories", Default::default()).await
}

async fn reset_totp(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    can: Can<ManageStaff>,
    Path(id): Path<Uuid>,
    HtmlForm(form): HtmlForm<TeamForm>,
) -> Result<Response, AppError> {
    check_csrf(&can.who, &form.csrf_token)?;
    let result = manage::reset_totp(&state.app, &can.granted, id).await;
    finish(&state, &tenant, lang, &can, result, "reset_totp", Default::default()).await
}

async fn deactivate(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    can: Can<ManageStaff>,
    Path(id): Path<Uuid>,
    HtmlForm(form): HtmlForm<TeamForm>,
) -> Result<Response, AppError> {
    check_csrf(&can.who, &form.csrf_token)?;
    let result = manage::deactivate(&state.app, &can.granted, id).await;
    finish(&state, &tenant, lang, &can, result, "deactivated", Default::default()).await
}
