//! Signed-in sessions, stored by the SHA-256 of their random id. One query finds the session and
//! its citizen; expired sessions are never returned.

use crate::Scope;
use crate::citizens::Citizen;
use crate::entities::{citizen, session};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set, sea_query::Expr};
use uuid::Uuid;

pub use session::Model as Session;

pub async fn insert<C: ConnectionTrait>(conn: &C, scope: Scope, row: Session) -> Result<(), DbErr> {
    let mut row = row;
    row.tenant_id = scope.tenant_id();
    session::Entity::insert(session::ActiveModel {
        id_hash: Set(row.id_hash),
        tenant_id: Set(row.tenant_id),
        citizen_id: Set(row.citizen_id),
        kind: Set(row.kind),
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

/// The live session with this id hash and its citizen, in one query.
pub async fn lookup<C: ConnectionTrait>(
    conn: &C,
    scope: Scope,
    id_hash: &str,
    kind: &str,
    now: DateTime<Utc>,
) -> Result<Option<(Session, Citizen)>, DbErr> {
    let found = session::Entity::find()
        .find_also_related(citizen::Entity)
        .filter(session::Column::TenantId.eq(scope.tenant_id()))
        .filter(session::Column::IdHash.eq(id_hash))
        .filter(session::Column::Kind.eq(kind))
        .filter(session::Column::ExpiresAt.gt(now))
        .filter(session::Column::IdleExpiresAt.gt(now))
        .filter(citizen::Column::TenantId.eq(scope.tenant_id()))
        .one(conn)
        .await?;
    Ok(found.and_then(|(s, c)| c.map(|c| (s, c))))
}

/// Moves the idle expiry forward (callers do this at most once a minute per session).
pub async fn touch<C: ConnectionTrait>(
    conn: &C,
    scope: Scope,
    id_hash: &str,
    now: DateTime<Utc>,
    idle_expires_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    session::Entity::update_many()
        .col_expr(session::Column::LastSeenAt, Expr::value(now))
        .col_expr(session::Column::IdleExpiresAt, Expr::value(idle_expires_at))
        .filter(session::Column::TenantId.eq(scope.tenant_id()))
        .filter(session::Column::IdHash.eq(id_hash))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn delete<C: ConnectionTrait>(conn: &C, scope: Scope, id_hash: &str) -> Result<(), DbErr> {
    session::Entity::delete_many()
        .filter(session::Column::TenantId.eq(scope.tenant_id()))
        .filter(session::Column::IdHash.eq(id_hash))
        .exec(conn)
        .await?;
    Ok(())
}

/// Ends every session of a citizen except `keep` (e.g. after a password change).
pub async fn delete_for_citizen<C: ConnectionTrait>(
    conn: &C,
    scope: Scope,
    citizen_id: Uuid,
    keep: Option<&str>,
) -> Result<u64, DbErr> {
    let mut query = session::Entity::delete_many()
        .filter(session::Column::TenantId.eq(scope.tenant_id()))
        .filter(session::Column::CitizenId.eq(citizen_id));
    if let Some(keep) = keep {
        query = query.filter(session::Column::IdHash.ne(keep));
    }
    Ok(query.exec(conn).await?.rows_affected)
}

/// Removes expired sessions of every tenant (housekeeping, run by the worker).
pub async fn unscoped_purge_expired<C: ConnectionTrait>(conn: &C, now: DateTime<Utc>) -> Result<u64, DbErr> {
    Ok(session::Entity::delete_many()
        .filter(Condition::any().add(session::Column::ExpiresAt.lte(now)).add(session::Column::IdleExpiresAt.lte(now)))
        .exec(conn)
        .await?
        .rows_affected)
}
