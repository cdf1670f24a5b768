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

/// A row of the citizen's list: what "my requests" and `GET /api/v1/requests` show, with the
/// sub-menu's titles (removed sub-menus keep theirs), but not the answers.
#[derive(Clone, Debug, PartialEq, sea_orm::FromQueryResult)]
pub struct ListedRequest {
    pub reference: String,
    pub item_id: Uuid,
    pub form_key: String,
    pub form_version: i32,
    pub status: String,
    pub rejection_reason: Option<String>,
    pub submitted_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub title_th: Option<String>,
    pub title_en: Option<String>,
    /// How many requests the citizen has in all (the same on every row).
    pub total: i64,
}

impl ListedRequest {
    /// The list row of one request already read (without titles).
    pub fn of(r: &Request) -> Self {
        Self {
            reference: r.reference.clone(),
            item_id: r.item_id,
            form_key: r.form_key.clone(),
            form_version: r.form_version,
            status: r.status.clone(),
            rejection_reason: r.rejection_reason.clone(),
            submitted_at: r.submitted_at,
            updated_at: r.updated_at,
            title_th: None,
            title_en: None,
            total: 1,
        }
    }
}

/// One page of the citizen's list in one statement (`idx_requests_citizen`): the rows, their
/// titles and the total count together. Only a page past the end needs a second, counting one.
pub async fn list_rows_for_citizen<C: ConnectionTrait>(
    db: &C,
    scope: Scope,
    citizen: Uuid,
    page: u64,
    per_page: u64,
) -> Result<Page<ListedRequest>, DbErr> {
    use crate::entities::service_item;
    use sea_orm::sea_query::{Expr, JoinType};
    use sea_orm::{QuerySelect, RelationTrait as _};
    let per_page = per_page.max(1);
    let items = request::Entity::find()
        .select_only()
        .columns([
            request::Column::Reference,
            request::Column::ItemId,
            request::Column::FormKey,
            request::Column::FormVersion,
            request::Column::Status,
            request::Column::RejectionReason,
            request::Column::SubmittedAt,
            request::Column::UpdatedAt,
        ])
        .column_as(service_item::Column::TitleTh, "title_th")
        .column_as(service_item::Column::TitleEn, "title_en")
        .column_as(Expr::cust("COUNT(*) OVER ()"), "total")
        .join(JoinType::LeftJoin, request::Relation::ServiceItem.def())
        .filter(request::Column::TenantId.eq(scope.tenant_id()))
        .filter(request::Column::CitizenId.eq(citizen))
        .order_by_desc(request::Column::SubmittedAt)
        .order_by_desc(request::Column::Reference)
        .limit(per_page)
        .offset((page.max(1) - 1) * per_page)
        .into_model::<ListedRequest>()
        .all(db)
        .await?;
    let total = match items.first() {
        Some(first) => u64::try_from(first.total).unwrap_or(0),
        None if page > 1 => request::Entity::find()
            .filter(request::Column::TenantId.eq(scope.tenant_id()))
            .filter(request::Column::CitizenId.eq(citizen))
            .count(db)
            .await?,
        None => 0,
    };
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
