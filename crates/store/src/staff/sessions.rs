//! Staff sessions, by the SHA-256 of their random id; one query finds the session and its staff
//! member, and only while both are live (a deactivated member's sessions stop at once).

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set, sea_query::Expr};
use uuid::Uuid;

use super::Staff;
use crate::Scope;
use crate::entities::{staff, staff_session};

pub use staff_session::Model as StaffSession;

pub async fn insert<C: ConnectionTrait>(conn: &C, scope: Scope, row: StaffSession) -> Result<(), DbErr> {
    staff_session::Entity::insert(staff_session::ActiveModel {
        id_hash: Set(row.id_hash),
        tenant_id: Set(scope.tenant_id()),
        staff_id: Set(row.staff_id),
        kind: Set(row.kind),
        stage: Set(row.stage),
        csrf_token: Set(row.csrf_token),
        created_at: Set(row.created_at),
        last_seen_at: Set(row.last_seen_at),
        idle_expires_at: Set(row.idle_expires_at),
        expires_at: Set(row.expires_at),
        ip: Set(row.ip),
        user_agent: Set(row.user_agent),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// The live session with this id hash and its active staff member.
pub async fn lookup<C: ConnectionTrait>(
    conn: &C,
    scope: Scope,
    id_hash: &str,
    kind: &str,
    now: DateTime<Utc>,
) -> Result<Option<(StaffSession, Staff)>, DbErr> {
    let found = staff_session::Entity::find()
        .find_also_related(staff::Entity)
        .filter(staff_session::Column::TenantId.eq(scope.tenant_id()))
        .filter(staff_session::Column::IdHash.eq(id_hash))
        .filter(staff_session::Column::Kind.eq(kind))
        .filter(staff_session::Column::ExpiresAt.gt(now))
        .filter(staff_session::Column::IdleExpiresAt.gt(now))
        .filter(staff::Column::TenantId.eq(scope.tenant_id()))
        .filter(staff::Column::Active.eq(true))
        .one(conn)
        .await?;
    Ok(found.and_then(|(session, member)| member.map(|m| (session, m))))
}

/// Moves the session to a later stage of signing in (e.g. `full` once the code was right).
pub async fn set_stage<C: ConnectionTrait>(conn: &C, scope: Scope, id_hash: &str, stage: &str) -> Result<bool, DbErr> {
    let result = staff_session::Entity::update_many()
        .col_expr(staff_session::Column::Stage, Expr::value(stage))
        .filter(staff_session::Column::TenantId.eq(scope.tenant_id()))
        .filter(staff_session::Column::IdHash.eq(id_hash))
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}

pub async fn touch<C: ConnectionTrait>(
    conn: &C,
    scope: Scope,
    id_hash: &str,
    now: DateTime<Utc>,
    idle_expires_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    staff_session::Entity::update_many()
        .col_expr(staff_session::Column::LastSeenAt, Expr::value(now))
        .col_expr(staff_session::Column::IdleExpiresAt, Expr::value(idle_expires_at))
        .filter(staff_session::Column::TenantId.eq(scope.tenant_id()))
        .filter(staff_session::Column::IdHash.eq(id_hash))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn delete<C: ConnectionTrait>(conn: &C, scope: Scope, id_hash: &str) -> Result<(), DbErr> {
    staff_session::Entity::delete_many()
        .filter(staff_session::Column::TenantId.eq(scope.tenant_id()))
        .filter(staff_session::Column::IdHash.eq(id_hash))
        .exec(conn)
        .await?;
    Ok(())
}

/// Ends every session of a staff member (deactivation, TOTP reset, new password).
pub async fn delete_for_staff<C: ConnectionTrait>(conn: &C, scope: Scope, staff_id: Uuid) -> Result<u64, DbErr> {
    Ok(staff_session::Entity::delete_many()
        .filter(staff_session::Column::TenantId.eq(scope.tenant_id()))
        .filter(staff_session::Column::StaffId.eq(staff_id))
        .exec(conn)
        .await?
        .rows_affected)
}

/// Removes expired staff sessions of every tenant (housekeeping, run by the worker).
pub async fn unscoped_purge_expired<C: ConnectionTrait>(conn: &C, now: DateTime<Utc>) -> Result<u64, DbErr> {
    Ok(staff_session::Entity::delete_many()
        .filter(
            Condition::any()
                .add(staff_session::Column::ExpiresAt.lte(now))
                .add(staff_session::Column::IdleExpiresAt.lte(now)),
        )
        .exec(conn)
        .await?
        .rows_affected)
}
