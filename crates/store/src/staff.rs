//! Municipal staff of a tenant: accounts, invitations, TOTP state, recovery codes and the
//! categories an officer is narrowed to. Every function takes the tenant scope first.

pub mod sessions;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::Scope;
use crate::entities::{staff, staff_category, staff_recovery_code};

pub use staff::Model as Staff;

impl Staff {
    pub fn scope(&self) -> Scope {
        Scope::of(self.tenant_id)
    }
}

/// The lower-cased form an e-mail is unique by.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

#[derive(Clone, Debug)]
pub struct NewStaff {
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
    /// SHA-256 of the invitation token and when it stops working.
    pub invite: Option<(String, DateTime<Utc>)>,
}

#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error("a staff member with this e-mail already exists in this tenant")]
    DuplicateEmail,
    #[error(transparent)]
    Db(#[from] DbErr),
}

pub async fn create<C: ConnectionTrait>(conn: &C, scope: Scope, new: NewStaff) -> Result<Staff, CreateError> {
    let now = Utc::now();
    let (invite_hash, invite_expires_at) = new.invite.map_or((None, None), |(h, at)| (Some(h), Some(at)));
    staff::ActiveModel {
        id: Set(Uuid::new_v4()),
        tenant_id: Set(scope.tenant_id()),
        email_key: Set(email_key(&new.email)),
        email: Set(new.email.trim().to_owned()),
        name: Set(new.name),
        password_hash: Set(new.password_hash),
        totp_secret: Set(None),
        totp_enabled: Set(false),
        totp_last_step: Set(None),
        active: Set(true),
        invite_hash: Set(invite_hash),
        invite_expires_at: Set(invite_expires_at),
        last_login_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await
    .map_err(|e| if crate::is_unique_violation(&e) { CreateError::DuplicateEmail } else { CreateError::Db(e) })
}

pub async fn find<C: ConnectionTrait>(conn: &C, scope: Scope, id: Uuid) -> Result<Option<Staff>, DbErr> {
    staff::Entity::find()
        .filter(staff::Column::TenantId.eq(scope.tenant_id()))
        .filter(staff::Column::Id.eq(id))
        .one(conn)
        .await
}

pub async fn find_by_email<C: ConnectionTrait>(conn: &C, scope: Scope, email: &str) -> Result<Option<Staff>, DbErr> {
    staff::Entity::find()
        .filter(staff::Column::TenantId.eq(scope.tenant_id()))
        .filter(staff::Column::EmailKey.eq(email_key(email)))
        .one(conn)
        .await
}

/// The staff member whose invitation has this token hash, while it is still valid.
pub async fn find_by_invite<C: ConnectionTrait>(
    conn: &C,
    scope: Scope,
    invite_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<Staff>, DbErr> {
    staff::Entity::find()
        .filter(staff::Column::TenantId.eq(scope.tenant_id()))
        .filter(staff::Column::InviteHash.eq(invite_hash))
        .filter(staff::Column::InviteExpiresAt.gt(now))
        .filter(staff::Column::Active.eq(true))
        .one(conn)
        .await
}

/// Every staff member of the tenant, by name (a municipality has tens, not thousands).
pub async fn list<C: ConnectionTrait>(conn: &C, scope: Scope) -> Result<Vec<Staff>, DbErr> {
    staff::Entity::find()
        .filter(staff::Column::TenantId.eq(scope.tenant_id()))
        .order_by_asc(staff::Column::Name)
        .order_by_asc(staff::Column::EmailKey)
        .all(conn)
        .await
}

async fn update<C: ConnectionTrait>(
    conn: &C,
    scope: Scope,
    id: Uuid,
    columns: Vec<(staff::Column, sea_orm::sea_query::SimpleExpr)>,
) -> Result<bool, DbErr> {
    let mut query = staff::Entity::update_many().col_expr(staff::Column::UpdatedAt, Expr::value(Utc::now()));
    for (column, value) in columns {
        query = query.col_expr(column, value);
    }
    let result = query
        .filter(staff::Column::TenantId.eq(scope.tenant_id()))
        .filter(staff::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Sets the password and uses up any invitation.
pub async fn set_password<C: ConnectionTrait>(conn: &C, scope: Scope, id: Uuid, hash: &str) -> Result<bool, DbErr> {
    update(
        conn,
        scope,
        id,
        vec![
            (staff::Column::PasswordHash, Expr::value(hash)),
            (staff::Column::InviteHash, Expr::value(Option::<String>::None)),
            (staff::Column::InviteExpiresAt, Expr::value(Option::<DateTime<Utc>>::None)),
        ],
    )
    .await
}

pub async fn set_invite<C: ConnectionTrait>(
    conn: &C,
    scope: Scope,
    id: Uuid,
    invite_hash: &str,
    expires_at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    update(
        conn,
        scope,
        id,
        vec![
            (staff::Column::InviteHash, Expr::value(invite_hash)),
            (staff::Column::InviteExpiresAt, Expr::value(expires_at)),
        ],
    )
    .await
}

/// Stores a TOTP secret; `enabled` once a code from it was confirmed. `None` clears it (a reset).
pub async fn set_totp<C: ConnectionTrait>(
    conn: &C,
    scope: Scope,
    id: Uuid,
    secret: Option<&str>,
    enabled: bool,
) -> Result<bool, DbErr> {
    update(
        conn,
        scope,
        id,
        vec![
            (staff::Column::TotpSecret, Expr::value(secret.map(str::to_owned))),
            (staff::Column::TotpEnabled, Expr::value(enabled)),
            (staff::Column::TotpLastStep, Expr::value(Option::<i64>::None)),
        ],
    )
    .await
}

/// Records that a code of time step `step` was used, only if no code of that step or a later
/// one was used before: false means the code was a replay.
pub async fn accept_totp_step<C: ConnectionTrait>(conn: &C, scope: Scope, id: Uuid, step: i64) -> Result<bool, DbErr> {
    let result = staff::Entity::update_many()
        .col_expr(staff::Column::TotpLastStep, Expr::value(step))
        .filter(staff::Column::TenantId.eq(scope.tenant_id()))
        .filter(staff::Column::Id.eq(id))
        .filter(
            sea_orm::Condition::any()
                .add(staff::Column::TotpLastStep.is_null())
                .add(staff::Column::TotpLastStep.lt(step)),
        )
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}

pub async fn set_active<C: ConnectionTrait>(conn: &C, scope: Scope, id: Uuid, active: bool) -> Result<bool, DbErr> {
    update(conn, scope, id, vec![(staff::Column::Active, Expr::value(active))]).await
}

pub async fn set_name<C: ConnectionTrait>(conn: &C, scope: Scope, id: Uuid, name: &str) -> Result<bool, DbErr> {
    update(conn, scope, id, vec![(staff::Column::Name, Expr::value(name))]).await
}

pub async fn touch_login<C: ConnectionTrait>(conn: &C, scope: Scope, id: Uuid, at: DateTime<Utc>) -> Result<bool, DbErr> {
    update(conn, scope, id, vec![(staff::Column::LastLoginAt, Expr::value(at))]).await
}

/// Replaces the staff member's recovery codes with these hashes.
pub async fn replace_recovery_codes<C: ConnectionTrait>(
    conn: &C,
    scope: Scope,
    id: Uuid,
    hashes: &[String],
) -> Result<(), DbErr> {
    staff_recovery_code::Entity::delete_many()
        .filter(staff_recovery_code::Column::TenantId.eq(scope.tenant_id()))
        .filter(staff_recovery_code::Column::StaffId.eq(id))
        .exec(conn)
        .await?;
    if hashes.is_empty() {
        return Ok(());
    }
    staff_recovery_code::Entity::insert_many(hashes.iter().map(|hash| staff_recovery_code::ActiveModel {
        tenant_id: Set(scope.tenant_id()),
        staff_id: Set(id),
        code_hash: Set(hash.clone()),
        used_at: Set(None),
    }))
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Uses up the unused recovery code with this hash; false when there is none (wrong or reused).
pub async fn use_recovery_code<C: ConnectionTrait>(conn: &C, scope: Scope, id: Uuid, hash: &str) -> Result<bool, DbErr> {
    let result = staff_recovery_code::Entity::update_many()
        .col_expr(staff_recovery_code::Column::UsedAt, Expr::value(Utc::now()))
        .filter(staff_recovery_code::Column::TenantId.eq(scope.tenant_id()))
        .filter(staff_recovery_code::Column::StaffId.eq(id))
        .filter(staff_recovery_code::Column::CodeHash.eq(hash))
        .filter(staff_recovery_code::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}

pub async fn unused_recovery_codes<C: ConnectionTrait>(conn: &C, scope: Scope, id: Uuid) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    staff_recovery_code::Entity::find()
        .filter(staff_recovery_code::Column::TenantId.eq(scope.tenant_id()))
        .filter(staff_recovery_code::Column::StaffId.eq(id))
        .filter(staff_recovery_code::Column::UsedAt.is_null())
        .count(conn)
        .await
}

/// The categories the staff member is narrowed to (empty: every category).
pub async fn categories<C: ConnectionTrait>(conn: &C, scope: Scope, id: Uuid) -> Result<Vec<Uuid>, DbErr> {
    Ok(staff_category::Entity::find()
        .filter(staff_category::Column::TenantId.eq(scope.tenant_id()))
        .filter(staff_category::Column::StaffId.eq(id))
        .all(conn)
        .await?
        .into_iter()
        .map(|row| row.category_id)
        .collect())
}

/// Narrows the staff member to these categories of the tenant (empty: every category).
pub async fn set_categories<C: ConnectionTrait>(
    conn: &C,
    scope: Scope,
    id: Uuid,
    categories: &[Uuid],
) -> Result<(), DbErr> {
    staff_category::Entity::delete_many()
        .filter(staff_category::Column::TenantId.eq(scope.tenant_id()))
        .filter(staff_category::Column::StaffId.eq(id))
        .exec(conn)
        .await?;
    if categories.is_empty() {
        return Ok(());
    }
    staff_category::Entity::insert_many(categories.iter().map(|category| staff_category::ActiveModel {
        tenant_id: Set(scope.tenant_id()),
        staff_id: Set(id),
        category_id: Set(*category),
    }))
    .exec_without_returning(conn)
    .await?;
    Ok(())
}
