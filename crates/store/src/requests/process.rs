//! Staff working requests: the queue (filtered, paginated, on indexes that start with the
//! tenant), moves through the status machine with a version check, assignment and notes.
//! Writes take the caller's transaction: the use case adds its audit record and outbox message.

use chrono::{DateTime, Utc};
use domain::request::{Status, TransitionError};
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, JoinType, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, RelationTrait, Set,
};
use uuid::Uuid;

use super::{Request, RequestNote};
use crate::Scope;
use crate::entities::{citizen, request, request_event, request_note};
use crate::requests::track::Page;

pub async fn find_by_id<C: ConnectionTrait>(conn: &C, scope: Scope, id: Uuid) -> Result<Option<Request>, DbErr> {
    request::Entity::find()
        .filter(request::Column::TenantId.eq(scope.tenant_id()))
        .filter(request::Column::Id.eq(id))
        .one(conn)
        .await
}

/// What the queue can be narrowed by. `items` is the reach of the staff member (None: every
/// sub-menu) intersected with any category or sub-menu filter; `overdue_before` gives, per
/// sub-menu, the submission time before which an open request is overdue.
#[derive(Clone, Debug, Default)]
pub struct QueueFilter {
    pub statuses: Vec<Status>,
    pub items: Option<Vec<Uuid>>,
    pub submitted_from: Option<DateTime<Utc>>,
    pub submitted_until: Option<DateTime<Utc>>,
    pub assigned_to: Option<Assigned>,
    pub overdue_before: Option<Vec<(Uuid, DateTime<Utc>)>>,
    pub text: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Assigned {
    Nobody,
    To(Uuid),
}

/// A queue row: the request without its answers, and who it is from.
#[derive(Clone, Debug, PartialEq, FromQueryResult)]
pub struct QueueRow {
    pub id: Uuid,
    pub reference: String,
    pub item_id: Uuid,
    pub status: String,
    pub submitted_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    pub assigned_to: Option<Uuid>,
    pub citizen_id: Uuid,
    pub title: String,
    pub first_name: String,
    pub last_name: String,
    pub national_id: String,
    pub identity_status: String,
}

fn queue_query(scope: Scope, filter: &QueueFilter) -> sea_orm::Select<request::Entity> {
    let mut query = request::Entity::find()
        .join(JoinType::InnerJoin, request::Relation::Citizen.def())
        .filter(request::Column::TenantId.eq(scope.tenant_id()))
        .filter(citizen::Column::TenantId.eq(scope.tenant_id()));
    if !filter.statuses.is_empty() {
        query = query.filter(request::Column::Status.is_in(filter.statuses.iter().map(|s| s.as_str())));
    }
    if let Some(items) = &filter.items {
        query = query.filter(request::Column::ItemId.is_in(items.iter().copied()));
    }
    if let Some(from) = filter.submitted_from {
        query = query.filter(request::Column::SubmittedAt.gte(from));
    }
    if let Some(until) = filter.submitted_until {
        query = query.filter(request::Column::SubmittedAt.lt(until));
    }
    match filter.assigned_to {
        Some(Assigned::Nobody) => query = query.filter(request::Column::AssignedTo.is_null()),
        Some(Assigned::To(id)) => query = query.filter(request::Column::AssignedTo.eq(id)),
        None => {}
    }
    if let Some(cutoffs) = &filter.overdue_before {
        let open = [Status::Submitted, Status::Received, Status::InProgress];
        query = query.filter(request::Column::Status.is_in(open.iter().map(|s| s.as_str())));
        let mut any = Condition::any();
        for (item, before) in cutoffs {
            any = any.add(request::Column::ItemId.eq(*item).and(request::Column::SubmittedAt.lt(*before)));
        }
        // No sub-menu with a service time: nothing can be overdue.
        query = query.filter(if cutoffs.is_empty() { Condition::all().add(Expr::val(false)) } else { any });
    }
    if let Some(text) = filter.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let upper = text.to_uppercase();
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        let pattern = format!("%{}%", text.to_lowercase().replace(['%', '_'], ""));
        let mut any = Condition::any()
            .add(request::Column::Reference.eq(upper.clone()))
            .add(request::Column::Reference.starts_with(upper))
            .add(Expr::expr(Func::lower(Expr::col((citizen::Entity, citizen::Column::FirstName)))).like(pattern.clone()))
            .add(Expr::expr(Func::lower(Expr::col((citizen::Entity, citizen::Column::LastName)))).like(pattern));
        if digits.len() == 13 {
            any = any.add(citizen::Column::NationalId.eq(digits));
        }
        query = query.filter(any);
    }
    query
}

/// One page of the queue, oldest first (the longest waiting on top). `page` counts from 1.
pub async fn queue<C: ConnectionTrait>(
    conn: &C,
    scope: Scope,
    filter: &QueueFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<QueueRow>, DbErr> {
    let (page, per_page) = (Ord::max(page, 1), Ord::max(per_page, 1));
    let query = queue_query(scope, filter);
    let total = query.clone().count(conn).await?;
    let items = row_columns(query)
        .order_by_asc(request::Column::SubmittedAt)
        .order_by_asc(request::Column::Reference)
        .offset((page - 1) * per_page)
        .limit(per_page)
        .into_model::<QueueRow>()
        .all(conn)
        .await?;
    Ok(Page { items, total })
}

/// The columns of a `QueueRow`: the request without its answers, and who it is from.
fn row_columns(query: sea_orm::Select<request::Entity>) -> sea_orm::Select<request::Entity> {
    query
        .select_only()
        .columns([
            request::Column::Id,
            request::Column::Reference,
            request::Column::ItemId,
            request::Column::Status,
            request::Column::SubmittedAt,
            request::Column::UpdatedAt,
            request::Column::Version,
            request::Column::AssignedTo,
            request::Column::CitizenId,
        ])
        .columns([
            citizen::Column::Title,
            citizen::Column::FirstName,
            citizen::Column::LastName,
            citizen::Column::NationalId,
            citizen::Column::IdentityStatus,
        ])
}

/// The whole filtered queue in pages of `batch`, oldest first, keyset-paginated so an export of
/// any size holds one batch in memory. `after` is the last row of the previous batch.
pub async fn queue_batch<C: ConnectionTrait>(
    conn: &C,
    scope: Scope,
    filter: &QueueFilter,
    after: Option<(DateTime<Utc>, Uuid)>,
    batch: u64,
) -> Result<Vec<QueueRow>, DbErr> {
    let mut query = queue_query(scope, filter);
    if let Some((at, id)) = after {
        query = query.filter(
            Condition::any()
                .add(request::Column::SubmittedAt.gt(at))
                .add(request::Column::SubmittedAt.eq(at).and(request::Column::Id.gt(id))),
        );
    }
    row_columns(query)
        .order_by_asc(request::Column::SubmittedAt)
        .order_by_asc(request::Column::Id)
        .limit(Ord::max(batch, 1))
        .into_model::<QueueRow>()
        .all(conn)
        .await
}

/// How many requests of the tenant (within `items`, when narrowed) are in each status.
pub async fn count_by_status<C: ConnectionTrait>(
    conn: &C,
    scope: Scope,
    items: Option<&[Uuid]>,
) -> Result<Vec<(String, Uuid, i64)>, DbErr> {
    let mut query = request::Entity::find()
        .select_only()
        .column(request::Column::Status)
        .column(request::Column::ItemId)
        .column_as(request::Column::Id.count(), "n")
        .filter(request::Column::TenantId.eq(scope.tenant_id()))
        .group_by(request::Column::Status)
        .group_by(request::Column::ItemId);
    if let Some(items) = items {
        query = query.filter(request::Column::ItemId.is_in(items.iter().copied()));
    }
    query.into_tuple::<(String, Uuid, i64)>().all(conn).await
}

/// Requests completed since `since`, with when they were submitted and completed (for the
/// median working days to complete).
pub async fn completed_since<C: ConnectionTrait>(
    conn: &C,
    scope: Scope,
    items: Option<&[Uuid]>,
    since: DateTime<Utc>,
) -> Result<Vec<(Uuid, DateTime<Utc>, DateTime<Utc>)>, DbErr> {
    let mut query = request::Entity::find()
        .select_only()
        .column(request::Column::ItemId)
        .column(request::Column::SubmittedAt)
        .column(request::Column::UpdatedAt)
        .filter(request::Column::TenantId.eq(scope.tenant_id()))
        .filter(request::Column::Status.eq(Status::Completed.as_str()))
        .filter(request::Column::UpdatedAt.gte(since));
    if let Some(items) = items {
        query = query.filter(request::Column::ItemId.is_in(items.iter().copied()));
    }
    query.into_tuple().all(conn).await
}

#[derive(Debug, thiserror::Error)]
pub enum MoveError {
    #[error("no such request")]
    NotFound,
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// Someone else changed the request since `expected` was read.
    #[error("the request changed since it was read")]
    Stale { current: Box<Request> },
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// The request before and after a change.
#[derive(Clone, Debug)]
pub struct Changed {
    pub before: Request,
    pub after: Request,
}

/// Moves the request to `to` if it is still at `expected_version`, bumps the version and writes
/// the timeline event. Run inside the caller's transaction.
pub async fn move_status<C: ConnectionTrait>(
    conn: &C,
    scope: Scope,
    id: Uuid,
    expected_version: i32,
    to: Status,
    note: Option<&str>,
    staff_id: Uuid,
) -> Result<Changed, MoveError> {
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    let before = find_by_id(conn, scope, id).await?.ok_or(MoveError::NotFound)?;
    if before.version != expected_version {
        return Err(MoveError::Stale { current: Box::new(before) });
    }
    let from = Status::parse(&before.status).ok_or_else(|| DbErr::Custom(format!("unknown status {}", before.status)))?;
    from.transition(to, note)?;
    let now = Utc::now();
    let mut update = request::Entity::update_many()
        .col_expr(request::Column::Status, Expr::value(to.as_str()))
        .col_expr(request::Column::UpdatedAt, Expr::value(now))
        .col_expr(request::Column::UpdatedBy, Expr::value(staff_id))
        .col_expr(request::Column::Version, Expr::col(request::Column::Version).add(1));
    if to == Status::Rejected {
        update = update.col_expr(request::Column::RejectionReason, Expr::value(note.map(str::to_owned)));
    }
    let bumped = bump(conn, scope, id, expected_version, update).await?;
    if !bumped {
        let current = find_by_id(conn, scope, id).await?.ok_or(MoveError::NotFound)?;
        return Err(MoveError::Stale { current: Box::new(current) });
    }
    request_event::Entity::insert(request_event::ActiveModel {
        id: Set(Uuid::new_v4()),
        tenant_id: Set(scope.tenant_id()),
        request_id: Set(id),
        from_status: Set(Some(from.as_str().to_owned())),
        to_status: Set(to.as_str().to_owned()),
        note: Set(note.map(str::to_owned)),
        actor_kind: Set("staff".to_owned()),
        actor_id: Set(Some(staff_id)),
        created_at: Set(now),
    })
    .exec_without_returning(conn)
    .await?;
    let after = find_by_id(conn, scope, id).await?.ok_or(MoveError::NotFound)?;
    Ok(Changed { before, after })
}

async fn bump<C: ConnectionTrait>(
    conn: &C,
    scope: Scope,
    id: Uuid,
    expected_version: i32,
    update: sea_orm::UpdateMany<request::Entity>,
) -> Result<bool, DbErr> {
    let result = update
        .filter(request::Column::TenantId.eq(scope.tenant_id()))
        .filter(request::Column::Id.eq(id))
        .filter(request::Column::Version.eq(expected_version))
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Assigns the request to a staff member (None: nobody). `expected_version` None skips the
/// version check (bulk assignment of whatever is selected).
pub async fn assign<C: ConnectionTrait>(
    conn: &C,
    scope: Scope,
    id: Uuid,
    expected_version: Option<i32>,
    to: Option<Uuid>,
    by: Uuid,
) -> Result<Changed, MoveError> {
    let before = find_by_id(conn, scope, id).await?.ok_or(MoveError::NotFound)?;
    let expected = expected_version.unwrap_or(before.version);
    if before.version != expected {
        return Err(MoveError::Stale { current: Box::new(before) });
    }
    let update = request::Entity::update_many()
        .col_expr(request::Column::AssignedTo, Expr::value(to))
        .col_expr(request::Column::UpdatedAt, Expr::value(Utc::now()))
        .col_expr(request::Column::UpdatedBy, Expr::value(by))
        .col_expr(request::Column::Version, Expr::col(request::Column::Version).add(1));
    if !bump(conn, scope, id, expected, update).await? {
        let current = find_by_id(conn, scope, id).await?.ok_or(MoveError::NotFound)?;
        return Err(MoveError::Stale { current: Box::new(current) });
    }
    let after = find_by_id(conn, scope, id).await?.ok_or(MoveError::NotFound)?;
    Ok(Changed { before, after })
}

pub async fn add_note<C: ConnectionTrait>(
    conn: &C,
    scope: Scope,
    request_id: Uuid,
    staff_id: Uuid,
    public: bool,
    body: &str,
) -> Result<RequestNote, DbErr> {
    let note = RequestNote {
        id: Uuid::new_v4(),
        tenant_id: scope.tenant_id(),
        request_id,
        staff_id,
        public,
        body: body.to_owned(),
        created_at: Utc::now(),
    };
    request_note::Entity::insert(request_note::ActiveModel {
        id: Set(note.id),
        tenant_id: Set(note.tenant_id),
        request_id: Set(note.request_id),
        staff_id: Set(note.staff_id),
        public: Set(note.public),
        body: Set(note.body.clone()),
        created_at: Set(note.created_at),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(note)
}

/// The request's notes, oldest first; `public_only` for the citizen.
pub async fn notes<C: ConnectionTrait>(
    conn: &C,
    scope: Scope,
    request_id: Uuid,
    public_only: bool,
) -> Result<Vec<RequestNote>, DbErr> {
    let mut query = request_note::Entity::find()
        .filter(request_note::Column::TenantId.eq(scope.tenant_id()))
        .filter(request_note::Column::RequestId.eq(request_id));
    if public_only {
        query = query.filter(request_note::Column::Public.eq(true));
    }
    query.order_by_asc(request_note::Column::CreatedAt).all(conn).await
}
