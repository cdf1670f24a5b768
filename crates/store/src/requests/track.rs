//! Reading a citizen's requests back (always scoped to the tenant, and to the citizen where the
//! citizen asks) and moving a request through its statuses with a timeline event.

use chrono::Utc;
use domain::request::{Status, TransitionError};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use uuid::Uuid;

use crate::Scope;
use crate::entities::{request, request_event, request_file};
use crate::outbox::{EmailMessage, enqueue_email};

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

/// Who moved a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    Citizen(Uuid),
    Staff(Uuid),
    System,
}

impl Actor {
    fn parts(self) -> (&'static str, Option<Uuid>) {
        match self {
            Self::Citizen(id) => ("citizen", Some(id)),
            Self::Staff(id) => ("staff", Some(id)),
            Self::System => ("system", None),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error("no such request")]
    NotFound,
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Whether a status change e-mails the citizen. Completion always does (the seed: "at once");
/// the other changes do when the tenant chose `notifications.on_every_status_change`.
pub fn notifies(to: Status, on_every_change: bool) -> bool {
    to == Status::Completed || on_every_change
}

/// Moves the request to `to` (checked by `Status::transition`; `note` is the rejection reason
/// for `rejected`), records the event and, when `email` gives a message, queues it — all in
/// one transaction, so a change never goes unannounced nor an e-mail out for a change not made.
pub async fn change_status<F>(
    db: &sea_orm::DatabaseConnection,
    scope: Scope,
    reference: &str,
    to: Status,
    note: Option<&str>,
    actor: Actor,
    email: F,
) -> Result<Request, ChangeError>
where
    F: FnOnce(&Request) -> Option<EmailMessage>,
{
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    let txn = db.begin().await?;
    let current = find(&txn, scope, reference).await?.ok_or(ChangeError::NotFound)?;
    let from = Status::parse(&current.status).ok_or_else(|| DbErr::Custom(format!("unknown status {}", current.status)))?;
    from.transition(to, note)?;
    let now = Utc::now();
    // Conditional on the status read above, so two concurrent changes cannot both apply.
    let mut update = request::Entity::update_many()
        .col_expr(request::Column::Status, Expr::value(to.as_str()))
        .col_expr(request::Column::UpdatedAt, Expr::value(now));
    if to == Status::Rejected {
        update = update.col_expr(request::Column::RejectionReason, Expr::value(note.map(str::to_owned)));
    }
    let changed = update
        .filter(request::Column::TenantId.eq(scope.tenant_id()))
        .filter(request::Column::Id.eq(current.id))
        .filter(request::Column::Status.eq(from.as_str()))
        .exec(&txn)
        .await?;
    if changed.rows_affected != 1 {
        return Err(TransitionError::NotAllowed { from, to }.into());
    }
    let updated = find(&txn, scope, reference).await?.ok_or(ChangeError::NotFound)?;
    let (actor_kind, actor_id) = actor.parts();
    request_event::ActiveModel {
        id: Set(Uuid::new_v4()),
        tenant_id: Set(scope.tenant_id()),
        request_id: Set(updated.id),
        from_status: Set(Some(from.as_str().to_owned())),
        to_status: Set(to.as_str().to_owned()),
        note: Set(note.map(str::to_owned)),
        actor_kind: Set(actor_kind.to_owned()),
        actor_id: Set(actor_id),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    if let Some(message) = email(&updated) {
        enqueue_email(&txn, Some(scope.tenant_id()), &message).await?;
    }
    txn.commit().await?;
    Ok(updated)
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
