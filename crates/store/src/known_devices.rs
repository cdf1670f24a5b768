//! Devices a citizen signed in from, by the SHA-256 of their device token. A citizen keeps the
//! most recently used few; older ones are forgotten and sign in as any new device would.

use crate::Scope;
use crate::entities::known_device;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, sea_query::Expr};
use uuid::Uuid;

/// Devices remembered per citizen.
pub const KEPT_PER_CITIZEN: u64 = 10;

/// The citizen this device token was issued to, if the device is still remembered.
pub async fn owner<C: ConnectionTrait>(conn: &C, scope: Scope, token_hash: &str) -> Result<Option<Uuid>, DbErr> {
    let found = known_device::Entity::find()
        .select_only()
        .column(known_device::Column::CitizenId)
        .filter(known_device::Column::TenantId.eq(scope.tenant_id()))
        .filter(known_device::Column::TokenHash.eq(token_hash))
        .into_tuple::<Uuid>()
        .one(conn)
        .await?;
    Ok(found)
}

/// Remembers a new device for the citizen and forgets the least recently used beyond
/// [`KEPT_PER_CITIZEN`].
pub async fn remember<C: ConnectionTrait>(
    conn: &C,
    scope: Scope,
    citizen_id: Uuid,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    known_device::Entity::insert(known_device::ActiveModel {
        token_hash: Set(token_hash.to_owned()),
        tenant_id: Set(scope.tenant_id()),
        citizen_id: Set(citizen_id),
        created_at: Set(now),
        last_used_at: Set(now),
    })
    .exec_without_returning(conn)
    .await?;
    let kept: Vec<String> = known_device::Entity::find()
        .select_only()
        .column(known_device::Column::TokenHash)
        .filter(known_device::Column::TenantId.eq(scope.tenant_id()))
        .filter(known_device::Column::CitizenId.eq(citizen_id))
        .order_by_desc(known_device::Column::LastUsedAt)
        .limit(KEPT_PER_CITIZEN)
        .into_tuple()
        .all(conn)
        .await?;
    known_device::Entity::delete_many()
        .filter(known_device::Column::TenantId.eq(scope.tenant_id()))
        .filter(known_device::Column::CitizenId.eq(citizen_id))
        .filter(known_device::Column::TokenHash.is_not_in(kept))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn touch<C: ConnectionTrait>(conn: &C, scope: Scope, token_hash: &str, now: DateTime<Utc>) -> Result<(), DbErr> {
    known_device::Entity::update_many()
        .col_expr(known_device::Column::LastUsedAt, Expr::value(now))
        .filter(known_device::Column::TenantId.eq(scope.tenant_id()))
        .filter(known_device::Column::TokenHash.eq(token_hash))
        .exec(conn)
        .await?;
    Ok(())
}

/// Forgets every device of the citizen (after a password reset: whoever knew the old password
/// loses the standing their devices had).
pub async fn forget_all<C: ConnectionTrait>(conn: &C, scope: Scope, citizen_id: Uuid) -> Result<(), DbErr> {
    known_device::Entity::delete_many()
        .filter(known_device::Column::TenantId.eq(scope.tenant_id()))
        .filter(known_device::Column::CitizenId.eq(citizen_id))
        .exec(conn)
        .await?;
    Ok(())
}
