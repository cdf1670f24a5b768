//! Which stored objects rows still point at: the worker's sweep asks this for a batch of keys
//! found in the object store, across every tenant, and removes the ones nobody names.

use crate::entities::{citizen, document, identity_photo, request_file};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashSet;

/// The keys among `keys` that an ID photo, a request file, a document or an avatar names. Not
/// tenant-scoped on purpose: the object store is one namespace for all tenants.
pub async fn unscoped_referenced<C: ConnectionTrait>(conn: &C, keys: &[String]) -> Result<HashSet<String>, DbErr> {
    let mut named = HashSet::new();
    if keys.is_empty() {
        return Ok(named);
    }
    named.extend(named_in::<identity_photo::Entity, _>(conn, identity_photo::Column::ObjectKey, keys).await?);
    named.extend(named_in::<request_file::Entity, _>(conn, request_file::Column::ObjectKey, keys).await?);
    named.extend(named_in::<document::Entity, _>(conn, document::Column::ObjectKey, keys).await?);
    named.extend(named_in::<citizen::Entity, _>(conn, citizen::Column::AvatarKey, keys).await?);
    Ok(named)
}

/// The values of `column` (indexed, see migration m20261203_000002) that are among `keys`.
async fn named_in<E: EntityTrait, C: ConnectionTrait>(conn: &C, column: E::Column, keys: &[String]) -> Result<Vec<String>, DbErr> {
    E::find()
        .select_only()
        .column(column)
        .filter(column.is_in(keys.iter().cloned()))
        .into_tuple::<String>()
        .all(conn)
        .await
}
