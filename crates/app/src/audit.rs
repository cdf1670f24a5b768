//! Writing and reading the audit trail from use cases.

use access::authz::{Acting, Granted, ReadAudit};
use sea_orm::{ConnectionTrait, DbErr};
use serde_json::Value;
use store::Scope;
use store::audit::{self, Actor, AuditRecord, Entry, Filter};
use store::requests::track::Page;

use crate::App;

pub(crate) fn actor(acting: &Acting) -> Actor {
    Actor { kind: "staff", id: Some(acting.staff_id), label: acting.email.clone(), ip: acting.ip.clone() }
}

/// A command-line action on the server itself.
pub(crate) fn system(label: &str) -> Actor {
    Actor { kind: "system", id: None, label: label.to_owned(), ip: "local".to_owned() }
}

pub(crate) async fn record<C: ConnectionTrait>(
    conn: &C,
    scope: Scope,
    actor: &Actor,
    action: &str,
    subject: (&str, String),
    before: Option<Value>,
    after: Option<Value>,
) -> Result<(), DbErr> {
    audit::record(conn, scope, actor, Entry { action, subject_kind: subject.0, subject_id: subject.1, before, after }).await
}

/// The tenant's audit trail for an admin, newest first.
pub async fn list(
    app: &App,
    granted: &Granted<ReadAudit>,
    filter: &Filter,
    page: u64,
    per_page: u64,
) -> Result<Page<AuditRecord>, DbErr> {
    audit::list(&app.db, granted.scope(), filter, page, per_page).await
}
