//! Writing a submission: the next reference of the tenant's year, the request, its files, the
//! first timeline event and the acknowledgement e-mail, all in one transaction.

use crate::Scope;
use crate::entities::{reference_counter, request, request_event, request_file};
use crate::outbox::{EmailMessage, enqueue_email};
use chrono::{DateTime, Duration, DurationRound, Utc};
use domain::request::{Status, reference};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, Set,
};
use uuid::Uuid;

use super::Request;

/// An evidence file already in the object store under `object_key`.
#[derive(Clone, Debug)]
pub struct NewRequestFile {
    pub field_key: String,
    pub position: i16,
    pub object_key: String,
    pub filename: String,
    pub mime: String,
    pub bytes: i64,
    pub sha256: String,
}

#[derive(Clone, Debug)]
pub struct NewRequest {
    pub citizen_id: Uuid,
    pub item_id: Uuid,
    pub form_key: String,
    pub form_version: i32,
    /// The validated answers (`CleanSubmission::to_json`).
    pub data_json: String,
    /// The client's key; the same citizen sending the same key again gets the first request back.
    pub idempotency_key: String,
    pub files: Vec<NewRequestFile>,
}

#[derive(Clone, Debug)]
pub struct Created {
    pub request: Request,
    /// True when the key had been used: nothing was written and `request` is the earlier one.
    pub existing: bool,
}

/// Increments and returns the tenant's counter for the year, creating it at 1; one upsert with
/// `RETURNING`, so two concurrent submissions never get the same number (the row lock on
/// PostgreSQL, the single writer on SQLite). Pass the open transaction.
pub async fn next_reference<C: ConnectionTrait>(txn: &C, scope: Scope, buddhist_year: i32) -> Result<i64, DbErr> {
    let counter = reference_counter::ActiveModel {
        tenant_id: Set(scope.tenant_id()),
        year: Set(buddhist_year),
        last_value: Set(1),
    };
    let last = (reference_counter::Entity, reference_counter::Column::LastValue);
    let row = reference_counter::Entity::insert(counter)
        .on_conflict(
            OnConflict::columns([reference_counter::Column::TenantId, reference_counter::Column::Year])
                .value(reference_counter::Column::LastValue, Expr::col(last).add(1))
                .to_owned(),
        )
        .exec_with_returning(txn)
        .await?;
    Ok(row.last_value)
}

/// Creates the request with its files and first event (`submitted`, by the citizen), and queues
/// the acknowledgement that `acknowledgement` renders from the stored request; or, when the
/// citizen already used `idempotency_key` (the unique index says so), returns that request and
/// writes nothing. Callers look the key up first ([`by_idempotency_key`]) to answer a plain repeat
/// before storing its files again.
pub async fn create(
    db: &DatabaseConnection,
    scope: Scope,
    reference_prefix: &str,
    new: NewRequest,
    acknowledgement: impl FnOnce(&Request) -> Result<Option<EmailMessage>, DbErr>,
) -> Result<Created, DbErr> {
    // The caller looked the key up before storing any file; a twin that slipped in since is caught
    // by the unique index below, so the key is not read a second time here.
    let txn = crate::begin_write(db).await?;
    let now = db_time(Utc::now());
    // The year of the date in Thailand (UTC+7), as the citizen reads it on the reference.
    let year = domain::locale::buddhist_year((now + Duration::hours(7)).date_naive());
    let sequence = next_reference(&txn, scope, year).await?;
    let id = Uuid::new_v4();
    let row = request::ActiveModel {
        id: Set(id),
        tenant_id: Set(scope.tenant_id()),
        citizen_id: Set(new.citizen_id),
        reference: Set(reference(reference_prefix, year, sequence)),
        item_id: Set(new.item_id),
        form_key: Set(new.form_key),
        form_version: Set(new.form_version),
        data: Set(new.data_json),
        status: Set(Status::Submitted.as_str().to_owned()),
        rejection_reason: Set(None),
        idempotency_key: Set(new.idempotency_key.clone()),
        submitted_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        assigned_to: Set(None),
        updated_by: Set(None),
    };
    let request = match request::Entity::insert(row).exec_with_returning(&txn).await {
        Ok(request) => request,
        // A concurrent twin won the idempotency index: this one becomes the repeat.
        Err(e) if crate::is_unique_violation(&e) => {
            txn.rollback().await?;
            return match by_idempotency_key(db, scope, new.citizen_id, &new.idempotency_key).await? {
                Some(request) => Ok(Created { request, existing: true }),
                None => Err(e),
            };
        }
        Err(e) => return Err(e),
    };
    if !new.files.is_empty() {
        request_file::Entity::insert_many(new.files.into_iter().map(|f| request_file::ActiveModel {
            id: Set(Uuid::new_v4()),
            tenant_id: Set(scope.tenant_id()),
            request_id: Set(id),
            field_key: Set(f.field_key),
            position: Set(f.position),
            object_key: Set(f.object_key),
            filename: Set(f.filename),
            mime: Set(f.mime),
            bytes: Set(f.bytes),
            sha256: Set(f.sha256),
            created_at: Set(now),
        }))
        .exec(&txn)
        .await?;
    }
    request_event::Entity::insert(request_event::ActiveModel {
        id: Set(Uuid::new_v4()),
        tenant_id: Set(scope.tenant_id()),
        request_id: Set(id),
        from_status: Set(None),
        to_status: Set(Status::Submitted.as_str().to_owned()),
        note: Set(None),
        actor_kind: Set("citizen".to_owned()),
        actor_id: Set(Some(new.citizen_id)),
        created_at: Set(now),
    })
    .exec(&txn)
    .await?;
    if let Some(message) = acknowledgement(&request)? {
        enqueue_email(&txn, Some(scope.tenant_id()), &message).await?;
    }
    txn.commit().await?;
    Ok(Created { request, existing: false })
}

/// The citizen's request made with this idempotency key, if any.
pub async fn by_idempotency_key<C: ConnectionTrait>(
    db: &C,
    scope: Scope,
    citizen_id: Uuid,
    key: &str,
) -> Result<Option<Request>, DbErr> {
    request::Entity::find()
        .filter(request::Column::TenantId.eq(scope.tenant_id()))
        .filter(request::Column::CitizenId.eq(citizen_id))
        .filter(request::Column::IdempotencyKey.eq(key))
        .one(db)
        .await
}

/// The citizen's request by reference (for the "สำเร็จ" page); another citizen's is `None`.
pub async fn of_citizen<C: ConnectionTrait>(
    db: &C,
    scope: Scope,
    citizen_id: Uuid,
    reference: &str,
) -> Result<Option<Request>, DbErr> {
    request::Entity::find()
        .filter(request::Column::TenantId.eq(scope.tenant_id()))
        .filter(request::Column::CitizenId.eq(citizen_id))
        .filter(request::Column::Reference.eq(reference))
        .one(db)
        .await
}

fn db_time(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(Duration::microseconds(1)).unwrap_or(at)
}
