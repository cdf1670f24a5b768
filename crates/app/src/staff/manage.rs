//! The municipality's staff list: adding staff from the command line, the embedded mode's demo
//! staff, invitations by e-mail (a single-use set-password link valid for three days), and an
//! admin's changes (role, categories, deactivation, TOTP reset), each audited with before and
//! after. Deactivating a member or resetting their TOTP ends their sessions at once.

use access::authz::{Authorizer, Granted, ManageStaff, Role};
use access::token::{hash_token, new_token};
use access::totp;
use chrono::{Duration, Utc};
use domain::password_policy::{PasswordPolicy, PasswordProblem, PersonalFacts};
use sea_orm::{ConnectionTrait, DbErr};
use serde_json::json;
use store::audit::Actor;
use store::staff::{self as staff_store, CreateError, NewStaff, Staff};
use store::tenants::TenantRecord;
use uuid::Uuid;

use crate::{App, audit};

/// How long an invitation link works.
pub const INVITE_VALID: Duration = Duration::days(3);

#[derive(Debug, thiserror::Error)]
pub enum ManageError {
    #[error("no such staff member")]
    NotFound,
    #[error("a staff member with this e-mail already exists")]
    DuplicateEmail,
    #[error("{field}: {code}")]
    Invalid { field: &'static str, code: &'static str },
    /// An admin cannot deactivate or demote themself (the tenant would risk having no admin).
    #[error("you cannot do this to your own account")]
    OwnAccount,
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<CreateError> for ManageError {
    fn from(e: CreateError) -> Self {
        match e {
            CreateError::DuplicateEmail => Self::DuplicateEmail,
            CreateError::Db(e) => Self::Db(e),
        }
    }
}

fn check_new(email: &str, name: &str) -> Result<(), ManageError> {
    if domain::email::Email::parse(email).is_err() {
        return Err(ManageError::Invalid { field: "email", code: "invalid_email" });
    }
    if name.trim().is_empty() {
        return Err(ManageError::Invalid { field: "name", code: "required" });
    }
    if name.chars().any(domain::text::is_unsafe) {
        return Err(ManageError::Invalid { field: "name", code: "invalid_character" });
    }
    if name.chars().count() > 200 {
        return Err(ManageError::Invalid { field: "name", code: "too_long" });
    }
    Ok(())
}

/// The link a new member sets their password with.
pub fn invite_link(app: &App, tenant: &TenantRecord, token: &str) -> String {
    format!("{}/staff/invite/{token}", app.letters.origin(tenant))
}

async fn create_with_invite<C: ConnectionTrait>(
    conn: &C,
    tenant: &TenantRecord,
    email: &str,
    name: &str,
    role: Role,
    actor: &Actor,
) -> Result<(Staff, String), ManageError> {
    check_new(email, name)?;
    let token = new_token();
    let new = NewStaff {
        email: email.trim().to_owned(),
        name: name.trim().to_owned(),
        password_hash: None,
        invite: Some((hash_token(&token), Utc::now() + INVITE_VALID)),
    };
    let member = staff_store::create(conn, tenant.scope(), new).await?;
    Authorizer::assign_role(conn, tenant.scope(), member.id, role).await?;
    audit::record(
        conn,
        tenant.scope(),
        actor,
        "staff.add",
        ("staff", member.id.to_string()),
        None,
        Some(json!({ "email": member.email, "name": member.name, "role": role.as_str() })),
    )
    .await?;
    Ok((member, token))
}

/// `eservice staff add`: the member and their set-password link (printed, not e-mailed).
pub async fn add_from_cli(app: &App, tenant: &TenantRecord, email: &str, name: &str, role: Role) -> Result<(Staff, String), ManageError> {
    let txn = store::begin_write(&app.db).await?;
    let (member, token) = create_with_invite(&txn, tenant, email, name, role, &audit::system("eservice staff add")).await?;
    txn.commit().await?;
    app.authz.invalidate(tenant.scope()).await;
    Ok((member, invite_link(app, tenant, &token)))
}

/// A ready demo account (embedded mode): password set and TOTP enabled with the returned secret.
pub async fn create_demo(
    app: &App,
    tenant: &TenantRecord,
    email: &str,
    name: &str,
    role: Role,
    password: &str,
) -> Result<(Staff, String), ManageError> {
    let hash = app.hasher.hash(password.to_owned()).await?;
    let secret = totp::new_secret();
    let scope = tenant.scope();
    let txn = store::begin_write(&app.db).await?;
    let new = NewStaff { email: email.to_owned(), name: name.to_owned(), password_hash: Some(hash), invite: None };
    let member = staff_store::create(&txn, scope, new).await?;
    staff_store::set_totp(&txn, scope, member.id, Some(&secret), true).await?;
    Authorizer::assign_role(&txn, scope, member.id, role).await?;
    audit::record(
        &txn,
        scope,
        &audit::system("demo staff"),
        "staff.add",
        ("staff", member.id.to_string()),
        None,
        Some(json!({ "email": member.email, "role": role.as_str(), "demo": true })),
    )
    .await?;
    txn.commit().await?;
    app.authz.invalidate(scope).await;
    Ok((member, secret))
}

/// An admin invites a member by e-mail; the link goes out through the outbox.
pub async fn invite(
    app: &App,
    granted: &Granted<ManageStaff>,
    tenant: &TenantRecord,
    email: &str,
    name: &str,
    role: Role,
) -> Result<Staff, ManageError> {
    if tenant.scope() != granted.scope() {
        return Err(ManageError::NotFound);
    }
    let txn = store::begin_write(&app.db).await?;
    let (member, token) = create_with_invite(&txn, tenant, email, name, role, &audit::actor(granted.acting())).await?;
    let letter = app.letters.staff_invited(tenant, &member, &invite_link(app, tenant, &token))?;
    store::outbox::enqueue_email(&txn, Some(tenant.id), &letter).await?;
    txn.commit().await?;
    app.authz.invalidate(tenant.scope()).await;
    Ok(member)
}

/// The member a still-valid invitation link belongs to.
pub async fn invitation(app: &App, tenant: &TenantRecord, token: &str) -> Result<Option<Staff>, DbErr> {
    staff_store::find_by_invite(&app.db, tenant.scope(), &hash_token(token), Utc::now()).await
}

#[derive(Debug, thiserror::Error)]
pub enum InviteError {
    /// Unknown, used or expired.
    #[error("this link is no longer valid")]
    Invalid,
    #[error("password: {0:?}")]
    Password(PasswordProblem),
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// Sets the password from an invitation link, which then stops working.
pub async fn accept_invite(app: &App, tenant: &TenantRecord, token: &str, password: &str) -> Result<Staff, InviteError> {
    let member = invitation(app, tenant, token).await?.ok_or(InviteError::Invalid)?;
    let facts = PersonalFacts { email: Some(&member.email), ..PersonalFacts::default() };
    PasswordPolicy::default().check(password, &facts).map_err(InviteError::Password)?;
    let hash = app.hasher.hash(password.to_owned()).await?;
    let scope = tenant.scope();
    let txn = store::begin_write(&app.db).await?;
    // Conditional on the invitation still being there: a link works once.
    if staff_store::find_by_invite(&txn, scope, &hash_token(token), Utc::now()).await?.is_none() {
        return Err(InviteError::Invalid);
    }
    staff_store::set_password(&txn, scope, member.id, &hash).await?;
    let actor = Actor { kind: "staff", id: Some(member.id), label: member.email.clone(), ip: String::new() };
    audit::record(&txn, scope, &actor, "staff.accept_invite", ("staff", member.id.to_string()), None, None).await?;
    txn.commit().await?;
    Ok(member)
}

/// A row of the staff list.
#[derive(Clone, Debug)]
pub struct Member {
    pub staff: Staff,
    pub roles: Vec<Role>,
    pub categories: Vec<Uuid>,
}

pub async fn list(app: &App, granted: &Granted<ManageStaff>) -> Result<Vec<Member>, ManageError> {
    let scope = granted.scope();
    let mut members = Vec::new();
    for staff in staff_store::list(&app.db, scope).await? {
        let roles = app.authz.roles(scope, staff.id).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let categories = staff_store::categories(&app.db, scope, staff.id).await?;
        members.push(Member { staff, roles, categories });
    }
    Ok(members)
}

/// Every active member of the tenant (for "assign to"), for anyone who may process requests.
pub async fn assignable<P: access::authz::Permission>(app: &App, granted: &Granted<P>) -> Result<Vec<Staff>, DbErr> {
    Ok(staff_store::list(&app.db, granted.scope()).await?.into_iter().filter(|s| s.active && s.password_hash.is_some()).collect())
}

async fn target(app: &App, granted: &Granted<ManageStaff>, id: Uuid) -> Result<Staff, ManageError> {
    staff_store::find(&app.db, granted.scope(), id).await?.ok_or(ManageError::NotFound)
}

pub async fn deactivate(app: &App, granted: &Granted<ManageStaff>, id: Uuid) -> Result<Staff, ManageError> {
    if id == granted.acting().staff_id {
        return Err(ManageError::OwnAccount);
    }
    let member = target(app, granted, id).await?;
    let scope = granted.scope();
    let txn = store::begin_write(&app.db).await?;
    staff_store::set_active(&txn, scope, id, false).await?;
    store::staff::sessions::delete_for_staff(&txn, scope, id).await?;
    audit::record(
        &txn,
        scope,
        &audit::actor(granted.acting()),
        "staff.deactivate",
        ("staff", id.to_string()),
        Some(json!({ "active": member.active })),
        Some(json!({ "active": false })),
    )
    .await?;
    txn.commit().await?;
    target(app, granted, id).await
}

pub async fn set_role(app: &App, granted: &Granted<ManageStaff>, id: Uuid, role: Role) -> Result<Staff, ManageError> {
    if id == granted.acting().staff_id {
        return Err(ManageError::OwnAccount);
    }
    let member = target(app, granted, id).await?;
    let scope = granted.scope();
    let before = app.authz.roles(scope, id).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let txn = store::begin_write(&app.db).await?;
    Authorizer::assign_role(&txn, scope, id, role).await?;
    audit::record(
        &txn,
        scope,
        &audit::actor(granted.acting()),
        "staff.role",
        ("staff", id.to_string()),
        Some(json!({ "roles": before.iter().map(|r| r.as_str()).collect::<Vec<_>>() })),
        Some(json!({ "roles": [role.as_str()] })),
    )
    .await?;
    txn.commit().await?;
    app.authz.invalidate(scope).await;
    Ok(member)
}

/// Narrows an officer to these categories of the tenant (empty: every category).
pub async fn narrow(app: &App, granted: &Granted<ManageStaff>, id: Uuid, categories: &[Uuid]) -> Result<Staff, ManageError> {
    let member = target(app, granted, id).await?;
    let scope = granted.scope();
    let known: Vec<Uuid> = store::services::item_categories(&app.db, scope).await?.into_iter().map(|(_, c)| c).collect();
    if categories.iter().any(|c| !known.contains(c)) {
        return Err(ManageError::Invalid { field: "categories", code: "invalid_choice" });
    }
    let before = staff_store::categories(&app.db, scope, id).await?;
    let txn = store::begin_write(&app.db).await?;
    staff_store::set_categories(&txn, scope, id, categories).await?;
    audit::record(
        &txn,
        scope,
        &audit::actor(granted.acting()),
        "staff.categories",
        ("staff", id.to_string()),
        Some(json!({ "categories": before })),
        Some(json!({ "categories": categories })),
    )
    .await?;
    txn.commit().await?;
    Ok(member)
}

/// For a member who lost their device: TOTP and recovery codes are cleared and their sessions
/// end; at the next sign-in they enrol again.
pub async fn reset_totp(app: &App, granted: &Granted<ManageStaff>, id: Uuid) -> Result<Staff, ManageError> {
    let member = target(app, granted, id).await?;
    let scope = granted.scope();
    let txn = store::begin_write(&app.db).await?;
    staff_store::set_totp(&txn, scope, id, None, false).await?;
    staff_store::replace_recovery_codes(&txn, scope, id, &[]).await?;
    store::staff::sessions::delete_for_staff(&txn, scope, id).await?;
    audit::record(
        &txn,
        scope,
        &audit::actor(granted.acting()),
        "staff.totp_reset",
        ("staff", id.to_string()),
        Some(json!({ "totp_enabled": member.totp_enabled })),
        Some(json!({ "totp_enabled": false })),
    )
    .await?;
    txn.commit().await?;
    target(app, granted, id).await
}
