//! Reading a citizen's requests back (always scoped to the tenant, and to the citizen where the
//! citizen asks). Staff move requests with `requests::process::move_status`.

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::Scope;
use crate::entities::{request, request_event, request_file};

use super::{Request, RequestEvent, RequestFile};

/// One page of a list and how many items there are in all.
#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
}

/// The citizen's requests, newest first (`idx_requests_citizen`). `page` counts from 1.
pub async fn list_for_citizen<C: ConnectionTrait>(
    db: &C,
    scope: Scope,
    citizen: Uuid,
    page: u64,
    per_page: u64,
) -> Result<Page<Request>, DbErr> {
    let query = request::Entity::find()
        .filter(request::Column::TenantId.eq(scope.tenant_id()))
        .filter(request::Column::CitizenId.eq(citizen))
        .order_by_desc(request::Column::SubmittedAt)
        .order_by_desc(request::Column::Reference);
    let paginator = query.paginate(db, per_page.max(1));
    let total = paginator.num_items().await?;
    let items = paginator.fetch_page(page.max(1) - 1).await?;
    Ok(Page { items, total })
}

/// The citizen's request with this reference; another citizen's is simply not found.
pub async fn find_for_citizen<C: ConnectionTrait>(
    db: &C,
    scope: Scope,
    citizen: Uuid,
    reference: &str,
) -> Result<Option<Request>, DbErr> {
    request::Entity::find()
        .filter(request::Column::TenantId.eq(scope.tenant_id()))
        .filter(request::Column::CitizenId.eq(citizen))
        .filter(request::Column::Reference.eq(reference))
        .one(db)
        .await
}

/// A request of the tenant by reference, for staff.
pub async fn find<C: ConnectionTrait>(db: &C, scope: Scope, reference: &str) -> Result<Option<Request>, DbErr> {
    request::Entity::find()
        .filter(request::Column::TenantId.eq(scope.tenant_id()))
        .filter(request::Column::Reference.eq(reference))
        .one(db)
        .await
}

/// The request's evidence files, by field and position.
pub async fn files<C: ConnectionTrait>(db: &C, scope: Scope, request_id: Uuid) -> Result<Vec<RequestFile>, DbErr> {
    request_file::Entity::find()
        .filter(request_file::Column::TenantId.eq(scope.tenant_id()))
        .filter(request_file::Column::RequestId.eq(request_id))
        .order_by_asc(request_file::Column::FieldKey)
        .order_by_asc(request_file::Column::Position)
        .all(db)
        .await
}

/// One file of the citizen's own request.
pub async fn file_for_citizen<C: ConnectionTrait>(
    db: &C,
    scope: Scope,
    citizen: Uuid,
    reference: &str,
    file_id: Uuid,
) -> Result<Option<RequestFile>, DbErr> {
    let Some(request) = find_for_citizen(db, scope, citizen, reference).await? else { return Ok(None) };
    request_file::Entity::find()
        .filter(request_file::Column::TenantId.eq(scope.tenant_id()))
        .filter(request_file::Column::RequestId.eq(request.id))
        .filter(request_file::Column::Id.eq(file_id))
        .one(db)
        .await
}

/// The request's timeline, oldest first.
pub async fn events<C: ConnectionTrait>(db: &C, scope: Scope, request_id: Uuid) -> Result<Vec<RequestEvent>, DbErr> {
    request_event::Entity::find()
        .filter(request_event::Column::TenantId.eq(scope.tenant_id()))
        .filter(request_event::Column::RequestId.eq(request_id))
        .order_by_asc(request_event::Column::CreatedAt)
        .order_by_asc(request_event::Column::Id)
        .all(db)
        .await
}


/// The references of the citizen's requests among `ids`, in one query (for listing documents).
pub async fn references_for_citizen<C: ConnectionTrait>(
    db: &C,
    scope: Scope,
    citizen: Uuid,
    ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, String>, DbErr> {
    if ids.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    Ok(request::Entity::find()
        .filter(request::Column::TenantId.eq(scope.tenant_id()))
        .filter(request::Column::CitizenId.eq(citizen))
        .filter(request::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r.reference))
        .collect())
}
