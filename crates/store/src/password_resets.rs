//! One-time password-reset tokens, stored by hash. Consuming one is a single conditional update,
//! so a token works once even when two requests race.

use crate::Scope;
use crate::entities::password_reset;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set, sea_query::Expr};
use uuid::Uuid;

pub async fn create<C: ConnectionTrait>(
    conn: &C,
    scope: Scope,
    citizen_id: Uuid,
    token_hash: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    password_reset::Entity::insert(password_reset::ActiveModel {
        token_hash: Set(token_hash.to_owned()),
        tenant_id: Set(scope.tenant_id()),
        citizen_id: Set(citizen_id),
        created_at: Set(now),
        expires_at: Set(expires_at),
        used_at: Set(None),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Whether the token is live (unused, unexpired) in this tenant; does not use it up.
pub async fn peek<C: ConnectionTrait>(conn: &C, scope: Scope, token_hash: &str, now: DateTime<Utc>) -> Result<Option<Uuid>, DbErr> {
    Ok(password_reset::Entity::find()
        .filter(password_reset::Column::TenantId.eq(scope.tenant_id()))
        .filter(password_reset::Column::TokenHash.eq(token_hash))
        .filter(password_reset::Column::UsedAt.is_null())
        .filter(password_reset::Column::ExpiresAt.gt(now))
        .one(conn)
        .await?
        .map(|r| r.citizen_id))
}

/// Uses the token up and returns its citizen, or `None` if it is unknown, used or expired.
pub async fn consume<C: ConnectionTrait>(conn: &C, scope: Scope, token_hash: &str, now: DateTime<Utc>) -> Result<Option<Uuid>, DbErr> {
    let Some(citizen_id) = peek(conn, scope, token_hash, now).await? else {
        return Ok(None);
    };
    let updated = password_reset::Entity::update_many()
        .col_expr(password_reset::Column::UsedAt, Expr::value(Some(now)))
        .filter(password_reset::Column::TenantId.eq(scope.tenant_id()))
        .filter(password_reset::Column::TokenHash.eq(token_hash))
        .filter(password_reset::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    Ok((updated.rows_affected == 1).then_some(citizen_id))
}

/// Voids every open token of a citizen (after a successful reset).
pub async fn void_for_citizen<C: ConnectionTrait>(conn: &C, scope: Scope, citizen_id: Uuid, now: DateTime<Utc>) -> Result<(), DbErr> {
    password_reset::Entity::update_many()
        .col_expr(password_reset::Column::UsedAt, Expr::value(Some(now)))
        .filter(password_reset::Column::TenantId.eq(scope.tenant_id()))
        .filter(password_reset::Column::CitizenId.eq(citizen_id))
        .filter(password_reset::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}
