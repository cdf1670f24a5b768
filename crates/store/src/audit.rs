//! The append-only audit trail: written in the transaction of the action it records, read by
//! admins newest first, filtered by action, actor or subject, one page at a time.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use crate::Scope;
use crate::entities::audit_log;
use crate::requests::track::Page;

pub use audit_log::Model as AuditRecord;

/// Who acted, as the audit trail names them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub kind: &'static str,
    pub id: Option<Uuid>,
    pub label: String,
    pub ip: String,
}

#[derive(Clone, Debug)]
pub struct Entry<'a> {
    pub action: &'a str,
    pub subject_kind: &'a str,
    pub subject_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

pub async fn record<C: ConnectionTrait>(conn: &C, scope: Scope, actor: &Actor, entry: Entry<'_>) -> Result<(), DbErr> {
    insert(conn, Some(scope.tenant_id()), actor, entry).await
}

/// A platform action (an operator's sign-in, say) that belongs to no tenant's trail.
pub async fn record_platform<C: ConnectionTrait>(conn: &C, actor: &Actor, entry: Entry<'_>) -> Result<(), DbErr> {
    insert(conn, None, actor, entry).await
}

/// The platform's own trail, newest first (the operator console shows the latest).
pub async fn platform_recent<C: ConnectionTrait>(conn: &C, limit: u64) -> Result<Vec<AuditRecord>, DbErr> {
    use sea_orm::QuerySelect;
    audit_log::Entity::find()
        .filter(audit_log::Column::TenantId.is_null())
        .order_by_desc(audit_log::Column::CreatedAt)
        .limit(limit)
        .all(conn)
        .await
}

async fn insert<C: ConnectionTrait>(conn: &C, tenant_id: Option<Uuid>, actor: &Actor, entry: Entry<'_>) -> Result<(), DbErr> {
    audit_log::Entity::insert(audit_log::ActiveModel {
        id: Set(Uuid::new_v4()),
        tenant_id: Set(tenant_id),
        actor_kind: Set(actor.kind.to_owned()),
        actor_id: Set(actor.id),
        actor_label: Set(actor.label.chars().take(254).collect()),
        action: Set(entry.action.to_owned()),
        subject_kind: Set(entry.subject_kind.to_owned()),
        subject_id: Set(entry.subject_id),
        ip: Set(actor.ip.chars().take(64).collect()),
        before: Set(entry.before.map(|v| v.to_string())),
        after: Set(entry.after.map(|v| v.to_string())),
        created_at: Set(Utc::now()),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub action: Option<String>,
    pub actor: Option<Uuid>,
    pub subject: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// The tenant's audit records, newest first. `page` counts from 1.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    scope: Scope,
    filter: &Filter,
    page: u64,
    per_page: u64,
) -> Result<Page<AuditRecord>, DbErr> {
    let mut query = audit_log::Entity::find().filter(audit_log::Column::TenantId.eq(scope.tenant_id()));
    if let Some(action) = &filter.action {
        query = query.filter(audit_log::Column::Action.eq(action));
    }
    if let Some(actor) = filter.actor {
        query = query.filter(audit_log::Column::ActorId.eq(actor));
    }
    if let Some(subject) = &filter.subject {
        query = query.filter(audit_log::Column::SubjectId.eq(subject));
    }
    if let Some(since) = filter.since {
        query = query.filter(audit_log::Column::CreatedAt.gte(since));
    }
    if let Some(until) = filter.until {
        query = query.filter(audit_log::Column::CreatedAt.lt(until));
    }
    let paginator = query
        .order_by_desc(audit_log::Column::CreatedAt)
        .order_by_desc(audit_log::Column::Id)
        .paginate(conn, per_page.max(1));
    let total = paginator.num_items().await?;
    let items = paginator.fetch_page(page.max(1) - 1).await?;
    Ok(Page { items, total })
}
