//! Working requests: the queue as the staff member may see it, a request with everything on it,
//! and every change (status, assignment, notes), each with the version read so two officers
//! cannot overwrite each other, its timeline event, audit record and, where the citizen must
//! hear of it, the outbox message, in one transaction.

use access::authz::{Granted, Permission, ProcessRequests, ViewQueues};
use chrono::{DateTime, Utc};
use domain::request::{Status, TransitionError};
use sea_orm::{ConnectionTrait, DbErr};
use serde_json::json;
use store::Scope;
use store::citizens::{self, Citizen, identity_status};
use store::documents::Document;
use store::requests::process::{self, Changed, MoveError, QueueFilter, QueueRow};
use store::requests::track::{self, Page};
use store::requests::{Request, RequestEvent, RequestFile, RequestNote};
use store::tenants::TenantRecord;
use uuid::Uuid;

use super::{reach_items, reaches_item};
use crate::{App, audit};

pub const NOTE_MAX: usize = 4000;

#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    #[error("no such request")]
    NotFound,
    /// The request belongs to a category the officer is not narrowed to.
    #[error("this request is outside your categories")]
    OutOfReach,
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// Someone changed the request since it was read: who and when.
    #[error("the request was changed by someone else")]
    Stale { by: Option<String>, at: DateTime<Utc> },
    /// Completing needs the citizen's identity verified (unless the tenant allows it).
    #[error("the citizen's identity is not verified yet")]
    IdentityNotVerified,
    #[error("no such staff member to assign to")]
    NoSuchAssignee,
    #[error("a note needs text")]
    NoteRequired,
    #[error("the note is too long")]
    NoteTooLong,
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error("writing the citizen's e-mail: {0:#}")]
    Letter(anyhow::Error),
}

async fn stale<C: ConnectionTrait>(conn: &C, scope: Scope, current: &Request) -> ProcessError {
    let by = match current.updated_by {
        Some(id) => store::staff::find(conn, scope, id).await.ok().flatten().map(|s| s.name),
        None => None,
    };
    ProcessError::Stale { by, at: current.updated_at }
}

async fn from_move<C: ConnectionTrait>(conn: &C, scope: Scope, e: MoveError) -> ProcessError {
    match e {
        MoveError::NotFound => ProcessError::NotFound,
        MoveError::Transition(t) => ProcessError::Transition(t),
        MoveError::Stale { current } => stale(conn, scope, &current).await,
        MoveError::Db(e) => ProcessError::Db(e),
    }
}

/// The request if it exists in the tenant and the staff member reaches it.
async fn reachable<C: ConnectionTrait, P: Permission>(conn: &C, granted: &Granted<P>, id: Uuid) -> Result<Request, ProcessError> {
    let request = process::find_by_id(conn, granted.scope(), id).await?.ok_or(ProcessError::NotFound)?;
    if !reaches_item(conn, granted.scope(), granted.reach(), request.item_id).await? {
        return Err(ProcessError::OutOfReach);
    }
    Ok(request)
}

/// The queue as this staff member may see it: their reach narrows any filter given.
pub async fn queue(
    app: &App,
    granted: &Granted<ViewQueues>,
    mut filter: QueueFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<QueueRow>, DbErr> {
    narrow(&app.db, granted, &mut filter).await?;
    process::queue(&app.db, granted.scope(), &filter, page, per_page).await
}

/// Intersects the filter's sub-menus with the staff member's reach.
pub async fn narrow<C: ConnectionTrait, P: Permission>(conn: &C, granted: &Granted<P>, filter: &mut QueueFilter) -> Result<(), DbErr> {
    if let Some(reach) = reach_items(conn, granted.scope(), granted.reach()).await? {
        filter.items = Some(match filter.items.take() {
            Some(wanted) => wanted.into_iter().filter(|i| reach.contains(i)).collect(),
            None => reach,
        });
    }
    Ok(())
}

/// Everything on a request's staff page.
#[derive(Clone, Debug)]
pub struct Detail {
    pub request: Request,
    pub citizen: Citizen,
    pub files: Vec<RequestFile>,
    pub events: Vec<RequestEvent>,
    pub notes: Vec<RequestNote>,
    pub documents: Vec<Document>,
}

pub async fn detail(app: &App, granted: &Granted<ViewQueues>, id: Uuid) -> Result<Detail, ProcessError> {
    let scope = granted.scope();
    let request = reachable(&app.db, granted, id).await?;
    let citizen = citizens::find(&app.db, scope, request.citizen_id).await?.ok_or(ProcessError::NotFound)?;
    let files = track::files(&app.db, scope, request.id).await?;
    let events = track::events(&app.db, scope, request.id).await?;
    let notes = process::notes(&app.db, scope, request.id, false).await?;
    let documents = store::documents::for_request(&app.db, scope, request.id).await?;
    Ok(Detail { request, citizen, files, events, notes, documents })
}

/// A request of the tenant by reference, if the staff member reaches it.
pub async fn by_reference<P: Permission>(app: &App, granted: &Granted<P>, reference: &str) -> Result<Request, ProcessError> {
    let request = track::find(&app.db, granted.scope(), reference).await?.ok_or(ProcessError::NotFound)?;
    reachable(&app.db, granted, request.id).await
}

/// One evidence file of a request the staff member reaches, with its bytes.
pub async fn file(
    app: &App,
    granted: &Granted<ViewQueues>,
    request_id: Uuid,
    file_id: Uuid,
) -> Result<Option<(RequestFile, bytes::Bytes)>, ProcessError> {
    let request = reachable(&app.db, granted, request_id).await?;
    let Some(file) = track::files(&app.db, granted.scope(), request.id).await?.into_iter().find(|f| f.id == file_id) else {
        return Ok(None);
    };
    let bytes = app.files.get(&file.object_key).await.map_err(|e| ProcessError::Db(DbErr::Custom(format!("{e:#}"))))?;
    Ok(bytes.map(|b| (file, b)))
}

/// A move the staff member asks for, against the version they read.
#[derive(Clone, Debug)]
pub struct Move {
    pub to: Status,
    pub version: i32,
    /// The rejection reason (required for `rejected`), or a public note on the change.
    pub note: Option<String>,
}

/// Moves a request. The capability is the permission check: only `Authorizer::grant` makes a
/// `Granted<ProcessRequests>`, and no other grant will do.
///
/// ```no_run
/// # async fn ok(app: &app::App, can: &access::authz::Granted<access::authz::ProcessRequests>,
/// #             tenant: &store::tenants::TenantRecord, wanted: app::backoffice::requests::Move) {
/// let _ = app::backoffice::requests::change_status(app, can, tenant, uuid::Uuid::nil(), wanted).await;
/// # }
/// ```
///
/// Seeing the queue is not permission to move a request:
///
/// ```compile_fail
/// # async fn wrong(app: &app::App, view: &access::authz::Granted<access::authz::ViewQueues>,
/// #                tenant: &store::tenants::TenantRecord, wanted: app::backoffice::requests::Move) {
/// let _ = app::backoffice::requests::change_status(app, view, tenant, uuid::Uuid::nil(), wanted).await;
/// # }
/// ```
///
/// And a capability cannot be made by hand:
///
/// ```compile_fail
/// # fn forge(scope: store::Scope, acting: access::authz::Acting) {
/// let _ = access::authz::Granted::<access::authz::ProcessRequests> {
///     scope, acting, reach: access::authz::Reach::All, _permission: std::marker::PhantomData,
/// };
/// # }
/// ```
pub async fn change_status(
    app: &App,
    granted: &Granted<ProcessRequests>,
    tenant: &TenantRecord,
    id: Uuid,
    wanted: Move,
) -> Result<Request, ProcessError> {
    let scope = granted.scope();
    if tenant.scope() != scope {
        return Err(ProcessError::NotFound);
    }
    let txn = store::begin_write(&app.db).await?;
    let request = reachable(&txn, granted, id).await?;
    let citizen = citizens::find(&txn, scope, request.citizen_id).await?.ok_or(ProcessError::NotFound)?;
    // Someone changed it since it was read: say who, before judging the move against a status
    // the officer never saw. Then a move the state machine refuses says so, whoever the citizen.
    if request.version != wanted.version {
        return Err(stale(&txn, scope, &request).await);
    }
    if let Some(from) = Status::parse(&request.status) {
        from.transition(wanted.to, wanted.note.as_deref())?;
    }
    if wanted.to == Status::Completed
        && citizen.identity_status != identity_status::VERIFIED
        && !tenant.settings.back_office.complete_unverified
    {
        return Err(ProcessError::IdentityNotVerified);
    }
    let staff_id = granted.acting().staff_id;
    let Changed { before, after } =
        match process::move_status(&txn, scope, id, wanted.version, wanted.to, wanted.note.as_deref(), staff_id).await {
            Ok(changed) => changed,
            Err(e) => return Err(from_move(&txn, scope, e).await),
        };
    audit::record(
        &txn,
        scope,
        &audit::actor(granted.acting()),
        "request.status",
        ("request", after.reference.clone()),
        Some(json!({ "status": before.status, "version": before.version })),
        Some(json!({ "status": after.status, "version": after.version, "note": wanted.note })),
    )
    .await?;
    if tenant.settings.notifications.emails_on(wanted.to) {
        let letter = app.letters.status_changed(tenant, &citizen, &after, wanted.to).map_err(ProcessError::Letter)?;
        store::outbox::enqueue_email(&txn, Some(scope.tenant_id()), &letter).await?;
    }
    txn.commit().await?;
    Ok(after)
}

/// Assigns the request to an active staff member of the tenant, or to nobody.
pub async fn assign(
    app: &App,
    granted: &Granted<ProcessRequests>,
    id: Uuid,
    version: Option<i32>,
    to: Option<Uuid>,
) -> Result<Request, ProcessError> {
    let scope = granted.scope();
    let txn = store::begin_write(&app.db).await?;
    reachable(&txn, granted, id).await?;
    if let Some(to) = to {
        let member = store::staff::find(&txn, scope, to).await?;
        if !member.is_some_and(|m| m.active) {
            return Err(ProcessError::NoSuchAssignee);
        }
    }
    let Changed { before, after } = match process::assign(&txn, scope, id, version, to, granted.acting().staff_id).await {
        Ok(changed) => changed,
        Err(e) => return Err(from_move(&txn, scope, e).await),
    };
    audit::record(
        &txn,
        scope,
        &audit::actor(granted.acting()),
        "request.assign",
        ("request", after.reference.clone()),
        Some(json!({ "assigned_to": before.assigned_to })),
        Some(json!({ "assigned_to": after.assigned_to })),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// What a bulk action did: the references changed, and those left alone with why.
#[derive(Clone, Debug, Default)]
pub struct Bulk {
    pub done: Vec<String>,
    pub skipped: Vec<(Uuid, String)>,
}

fn skip_reason(e: &ProcessError) -> String {
    match e {
        ProcessError::NotFound => "not_found".into(),
        ProcessError::OutOfReach => "out_of_reach".into(),
        ProcessError::Transition(_) => "transition_not_allowed".into(),
        ProcessError::Stale { .. } => "stale".into(),
        _ => "failed".into(),
    }
}

/// Receives every selected request that is still `submitted`; each is its own transaction.
pub async fn bulk_receive(app: &App, granted: &Granted<ProcessRequests>, tenant: &TenantRecord, ids: &[Uuid]) -> Result<Bulk, DbErr> {
    let mut bulk = Bulk::default();
    for &id in ids {
        let current = process::find_by_id(&app.db, granted.scope(), id).await?;
        let Some(current) = current else {
            bulk.skipped.push((id, "not_found".into()));
            continue;
        };
        let wanted = Move { to: Status::Received, version: current.version, note: None };
        match change_status(app, granted, tenant, id, wanted).await {
            Ok(done) => bulk.done.push(done.reference),
            Err(ProcessError::Db(e)) => return Err(e),
            Err(e) => bulk.skipped.push((id, skip_reason(&e))),
        }
    }
    Ok(bulk)
}

pub async fn bulk_assign(app: &App, granted: &Granted<ProcessRequests>, ids: &[Uuid], to: Option<Uuid>) -> Result<Bulk, ProcessError> {
    let mut bulk = Bulk::default();
    for &id in ids {
        match assign(app, granted, id, None, to).await {
            Ok(done) => bulk.done.push(done.reference),
            Err(e @ (ProcessError::Db(_) | ProcessError::NoSuchAssignee)) => return Err(e),
            Err(e) => bulk.skipped.push((id, skip_reason(&e))),
        }
    }
    Ok(bulk)
}

/// An internal note (staff only) or a public one (the citizen sees it on their request).
pub async fn add_note(
    app: &App,
    granted: &Granted<ProcessRequests>,
    id: Uuid,
    public: bool,
    body: &str,
) -> Result<RequestNote, ProcessError> {
    let body = body.trim();
    if body.is_empty() {
        return Err(ProcessError::NoteRequired);
    }
    if body.chars().count() > NOTE_MAX {
        return Err(ProcessError::NoteTooLong);
    }
    let scope = granted.scope();
    let txn = store::begin_write(&app.db).await?;
    let request = reachable(&txn, granted, id).await?;
    let note = process::add_note(&txn, scope, request.id, granted.acting().staff_id, public, body).await?;
    audit::record(
        &txn,
        scope,
        &audit::actor(granted.acting()),
        if public { "request.note.public" } else { "request.note.internal" },
        ("request", request.reference.clone()),
        None,
        Some(json!({ "note": body })),
    )
    .await?;
    txn.commit().await?;
    Ok(note)
}
