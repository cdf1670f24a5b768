//! The outbox: messages written in the same transaction as the change that causes them, and
//! leased, marked sent or retried by the delivery worker (`notify`).

use chrono::{DateTime, Duration, DurationRound, Utc};
use sea_orm::sea_query::{LockBehavior, LockType};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Select,
    sea_query::{Expr, ExprTrait},
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::entities::outbox::{self, Column, Entity as Outbox, Model};

/// Longest `last_error` kept; longer texts are cut on a character boundary.
const MAX_ERROR_CHARS: usize = 500;
const FIRST_RETRY: Duration = Duration::seconds(30);
const LONGEST_RETRY: Duration = Duration::hours(1);

/// An e-mail as the worker will send it: already rendered (subject, both bodies) by the caller.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailMessage {
    pub to: String,
    pub subject: String,
    pub html: String,
    pub text: String,
    /// Display name for `From` (the tenant's name); the address is the platform's.
    pub from_name: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    Email,
    Line,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Line => "line",
        }
    }
}

pub mod status {
    pub const PENDING: &str = "pending";
    pub const SENT: &str = "sent";
    pub const DEAD: &str = "dead";
}

/// What `mark_failed` decided for the row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retry {
    At(DateTime<Utc>),
    GaveUp,
}

/// Queues an e-mail. Pass the open transaction of the change that causes it.
pub async fn enqueue_email<C: ConnectionTrait>(
    conn: &C,
    tenant_id: Option<Uuid>,
    msg: &EmailMessage,
) -> Result<Uuid, DbErr> {
    let payload = serde_json::to_string(msg).map_err(|e| DbErr::Json(e.to_string()))?;
    enqueue(conn, tenant_id, Channel::Email, payload).await
}

/// Queues a LINE push (the payload is the LINE message JSON). Pass the open transaction.
pub async fn enqueue_line<C: ConnectionTrait>(
    conn: &C,
    tenant_id: Option<Uuid>,
    payload: &serde_json::Value,
) -> Result<Uuid, DbErr> {
    enqueue(conn, tenant_id, Channel::Line, payload.to_string()).await
}

async fn enqueue<C: ConnectionTrait>(
    conn: &C,
    tenant_id: Option<Uuid>,
    channel: Channel,
    payload: String,
) -> Result<Uuid, DbErr> {
    let id = Uuid::new_v4();
    let now = db_time(Utc::now());
    Outbox::insert(outbox::ActiveModel {
        id: Set(id),
        tenant_id: Set(tenant_id),
        channel: Set(channel.as_str().to_owned()),
        payload: Set(payload),
        status: Set(status::PENDING.to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        locked_until: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(id)
}

/// Leases up to `batch` due rows of `channel` until `now + lease`; a row leased by another worker
/// is never returned. PostgreSQL skips rows locked by a concurrent claim (`FOR UPDATE SKIP
/// LOCKED`); SQLite takes the write lock up front (`BEGIN IMMEDIATE`), so claims run one by one.
pub async fn claim_due(
    db: &DatabaseConnection,
    channel: Channel,
    now: DateTime<Utc>,
    batch: u64,
    lease: std::time::Duration,
) -> Result<Vec<Model>, DbErr> {
    let now = db_time(now);
    let lease = Duration::from_std(lease).map_err(|e| DbErr::Custom(e.to_string()))?;
    let locked_until = now + lease;
    let txn = crate::begin_write(db).await?;
    let mut due = due_rows(channel, now, batch).all(&txn).await?;
    if due.is_empty() {
        txn.commit().await?;
        return Ok(due);
    }
    Outbox::update_many()
        .col_expr(Column::LockedUntil, Expr::value(locked_until))
        .filter(Column::Id.is_in(due.iter().map(|row| row.id)))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    for row in &mut due {
        row.locked_until = Some(locked_until);
    }
    Ok(due)
}

/// Pending rows of `channel` due by `now` and not leased, oldest first, locked for the claim.
fn due_rows(channel: Channel, now: DateTime<Utc>, batch: u64) -> Select<Outbox> {
    Outbox::find()
        .filter(Column::Status.eq(status::PENDING))
        .filter(Column::Channel.eq(channel.as_str()))
        .filter(Column::NextAttemptAt.lte(now))
        .filter(
            Column::LockedUntil
                .is_null()
                .or(Column::LockedUntil.lte(now)),
        )
        .order_by_asc(Column::NextAttemptAt)
        .limit(batch)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
}

/// Records a delivery and releases the lease.
pub async fn mark_sent(db: &DatabaseConnection, id: Uuid, now: DateTime<Utc>) -> Result<(), DbErr> {
    let updated = Outbox::update_many()
        .col_expr(Column::Status, Expr::value(status::SENT))
        .col_expr(Column::SentAt, Expr::value(db_time(now)))
        .col_expr(
            Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(Column::LastError, Expr::value(Option::<String>::None))
        .filter(Column::Id.eq(id))
        .filter(Column::Status.eq(status::PENDING))
        .exec(db)
        .await?;
    expect_one(updated.rows_affected, id)
}

/// Records a failed attempt: the row is retried after an exponential back-off (30 s doubling, at
/// most an hour, less up to a quarter of jitter), or marked dead once it has had `max_attempts`.
/// `error` must not carry secrets; it is cut to a bounded length here.
pub async fn mark_failed(
    db: &DatabaseConnection,
    id: Uuid,
    now: DateTime<Utc>,
    error: &str,
    max_attempts: u32,
) -> Result<Retry, DbErr> {
    let row = Outbox::find_by_id(id)
        .filter(Column::Status.eq(status::PENDING))
        .one(db)
        .await?
        .ok_or_else(|| not_pending(id))?;
    let attempts = row.attempts.saturating_add(1);
    let now = db_time(now);
    let retry = if i64::from(attempts) >= i64::from(max_attempts) {
        Retry::GaveUp
    } else {
        Retry::At(db_time(now + retry_delay(attempts, jitter(id, attempts))))
    };
    let (new_status, next_attempt_at) = match retry {
        Retry::At(at) => (status::PENDING, at),
        Retry::GaveUp => (status::DEAD, row.next_attempt_at),
    };
    let updated = Outbox::update_many()
        .col_expr(Column::Status, Expr::value(new_status))
        .col_expr(Column::Attempts, Expr::value(attempts))
        .col_expr(Column::NextAttemptAt, Expr::value(next_attempt_at))
        .col_expr(
            Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            Column::LastError,
            Expr::value(truncate(error, MAX_ERROR_CHARS)),
        )
        .filter(Column::Id.eq(id))
        .filter(Column::Status.eq(status::PENDING))
        .filter(Column::Attempts.eq(row.attempts))
        .exec(db)
        .await?;
    expect_one(updated.rows_affected, id)?;
    Ok(retry)
}

/// Gives up on a row that can never be delivered (e.g. an unparsable address), without retries.
pub async fn mark_dead(db: &DatabaseConnection, id: Uuid, error: &str) -> Result<(), DbErr> {
    let updated = Outbox::update_many()
        .col_expr(Column::Status, Expr::value(status::DEAD))
        .col_expr(Column::Attempts, Expr::col(Column::Attempts).add(1))
        .col_expr(
            Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            Column::LastError,
            Expr::value(truncate(error, MAX_ERROR_CHARS)),
        )
        .filter(Column::Id.eq(id))
        .filter(Column::Status.eq(status::PENDING))
        .exec(db)
        .await?;
    expect_one(updated.rows_affected, id)
}

/// Rows still waiting to leave, across channels and tenants.
pub async fn pending_count(db: &DatabaseConnection) -> Result<u64, DbErr> {
    Outbox::find()
        .filter(Column::Status.eq(status::PENDING))
        .count(db)
        .await
}

/// How many rows wait to leave and when the oldest of them was queued (for the metrics).
pub async fn pending_summary(db: &DatabaseConnection) -> Result<(u64, Option<DateTime<Utc>>), DbErr> {
    let oldest = Outbox::find()
        .select_only()
        .column(Column::CreatedAt)
        .filter(Column::Status.eq(status::PENDING))
        .order_by_asc(Column::CreatedAt)
        .into_tuple::<DateTime<Utc>>()
        .one(db)
        .await?;
    Ok((pending_count(db).await?, oldest))
}

/// Back-off before the next try after `attempts` failures; `jitter` in [0, 1) shortens it by up
/// to a quarter so that a burst of failures does not retry in lock-step.
pub fn retry_delay(attempts: i32, jitter: f64) -> Duration {
    let doublings = attempts.saturating_sub(1).clamp(0, 20) as u32;
    let full = (FIRST_RETRY * 2_i32.pow(doublings)).min(LONGEST_RETRY);
    let cut = full.num_milliseconds() as f64 * jitter.clamp(0.0, 1.0) / 4.0;
    full - Duration::milliseconds(cut as i64)
}

/// Jitter drawn from the row's random id, so it needs no RNG and differs between rows.
fn jitter(id: Uuid, attempts: i32) -> f64 {
    let spread = id
        .as_u128()
        .rotate_left(attempts.unsigned_abs().wrapping_mul(13) % 128);
    f64::from(spread as u16) / 65536.0
}

/// Both backends keep microseconds; SQLite compares the text, so keep one precision everywhere.
fn db_time(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(Duration::microseconds(1)).unwrap_or(at)
}

fn truncate(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

fn expect_one(rows_affected: u64, id: Uuid) -> Result<(), DbErr> {
    if rows_affected == 1 {
        Ok(())
    } else {
        Err(not_pending(id))
    }
}

fn not_pending(id: Uuid) -> DbErr {
    DbErr::RecordNotFound(format!("pending outbox row {id}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::QueryTrait;

    #[test]
    fn retry_delay_doubles_from_thirty_seconds_up_to_an_hour() {
        assert_eq!(retry_delay(1, 0.0), Duration::seconds(30));
        assert_eq!(retry_delay(2, 0.0), Duration::seconds(60));
        assert_eq!(retry_delay(5, 0.0), Duration::seconds(480));
        assert_eq!(retry_delay(8, 0.0), Duration::hours(1));
        assert_eq!(retry_delay(i32::MAX, 0.0), Duration::hours(1));
        assert_eq!(retry_delay(0, 0.0), Duration::seconds(30));
    }

    #[test]
    fn jitter_shortens_by_at_most_a_quarter() {
        for attempts in 1..12 {
            let j = jitter(Uuid::new_v4(), attempts);
            assert!((0.0..1.0).contains(&j));
            let full = retry_delay(attempts, 0.0);
            let delay = retry_delay(attempts, j);
            assert!(delay <= full && delay >= full * 3 / 4, "{delay} vs {full}");
        }
    }

    #[test]
    fn claims_skip_rows_locked_by_another_claim_on_postgres() {
        let sql = due_rows(Channel::Email, Utc::now(), 5)
            .build(sea_orm::DbBackend::Postgres)
            .to_string();
        assert!(sql.ends_with("FOR UPDATE SKIP LOCKED"), "{sql}");
        let sql = due_rows(Channel::Email, Utc::now(), 5)
            .build(sea_orm::DbBackend::Sqlite)
            .to_string();
        assert!(!sql.contains("FOR UPDATE"), "{sql}");
    }

    #[test]
    fn truncate_cuts_on_character_boundaries() {
        assert_eq!(truncate("สวัสดี", 3), "สวั…");
        assert_eq!(truncate("short", 10), "short");
    }
}
