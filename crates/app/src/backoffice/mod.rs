//! The municipality's work: the identity queue, the request queue and request processing,
//! receipts and licences, and the dashboard.

pub mod dashboard;
pub mod documents;
pub mod identity;
pub mod requests;

use access::authz::Reach;
use sea_orm::{ConnectionTrait, DbErr};
use store::Scope;
use uuid::Uuid;

/// The sub-menus a staff member reaches (None: every one), for narrowing queries.
pub(crate) async fn reach_items<C: ConnectionTrait>(conn: &C, scope: Scope, reach: &Reach) -> Result<Option<Vec<Uuid>>, DbErr> {
    match reach {
        Reach::All => Ok(None),
        Reach::Categories(_) => Ok(Some(
            store::services::item_categories(conn, scope)
                .await?
                .into_iter()
                .filter(|(_, category)| reach.includes(*category))
                .map(|(item, _)| item)
                .collect(),
        )),
    }
}

/// Whether the staff member reaches requests of this sub-menu.
pub(crate) async fn reaches_item<C: ConnectionTrait>(conn: &C, scope: Scope, reach: &Reach, item: Uuid) -> Result<bool, DbErr> {
    Ok(match reach_items(conn, scope, reach).await? {
        None => true,
        Some(items) => items.contains(&item),
    })
}
