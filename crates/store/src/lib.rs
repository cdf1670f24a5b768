//! Persistence: sea-orm entities and tenant-scoped repositories, on SQLite or PostgreSQL.
//! Every function on tenant-owned data takes the tenant scope first.

pub mod access_rules;
pub mod audit;
pub mod citizens;
pub mod documents;
pub mod entities;
pub mod form_drafts;
pub mod known_devices;
pub mod operators;
pub mod outbox;
pub mod password_resets;
pub mod requests;
pub mod services;
pub mod sessions;
pub mod staff;
pub mod stored_objects;
pub mod tenant_dir;
pub mod tenants;
pub mod test_support;

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use std::time::Duration;

pub use sea_orm::DatabaseConnection as Db;

/// Opens the pool, set up for a web server: every SQLite connection (not only the first) in WAL
/// mode with `synchronous = NORMAL` and a busy timeout, and no ping before each checkout, only
/// for a connection idle long enough that a proxy or the server may have dropped it.
pub async fn connect(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbErr> {
    use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        .test_before_acquire_if_idle_for(Duration::from_secs(30))
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5))
                .statement_cache_capacity(256)
        })
        .sqlx_logging(false);
    Database::connect(options).await
}

#[cfg(test)]
mod connect_tests {
    use super::*;

    /// Each pooled SQLite connection carries the settings, not just the one that ran a PRAGMA.
    #[tokio::test]
    async fn every_sqlite_connection_is_in_wal_mode_with_synchronous_normal() {
        let dir = tempfile::tempdir().expect("dir");
        let url = format!("sqlite://{}/t.db?mode=rwc", dir.path().display());
        let db = connect(&url, 4).await.expect("connect");
        let pool = db.get_sqlite_connection_pool();
        let mut held = Vec::new();
        for _ in 0..4 {
            let mut conn = pool.acquire().await.expect("a connection");
            let synchronous: i64 = sea_orm::sqlx::query_scalar("PRAGMA synchronous").fetch_one(&mut *conn).await.expect("pragma");
            let journal: String = sea_orm::sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&mut *conn).await.expect("pragma");
            let busy: i64 = sea_orm::sqlx::query_scalar("PRAGMA busy_timeout").fetch_one(&mut *conn).await.expect("pragma");
            assert_eq!((synchronous, journal.as_str(), busy), (1, "wal", 5000), "synchronous NORMAL is 1");
            held.push(conn);
        }
    }
}

/// A transaction for a use case that reads and then writes: SQLite takes its write lock up front
/// (`BEGIN IMMEDIATE`) so that two at once wait for each other instead of one failing with
/// "database is locked" when it upgrades; PostgreSQL begins as usual (its row locks and version
/// checks decide).
pub async fn begin_write(db: &DatabaseConnection) -> Result<sea_orm::DatabaseTransaction, DbErr> {
    use sea_orm::{SqliteTransactionMode, TransactionOptions, TransactionTrait};
    db.begin_with_options(TransactionOptions { sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate), ..Default::default() })
        .await
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// `SELECT 1`, for the readiness probe.
pub async fn ping(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.ping().await
}

/// True when a database error is a unique-constraint violation (PostgreSQL or SQLite).
pub fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_)))
}

/// The tenant every repository call on tenant-owned data is scoped to. Only this crate builds one
/// (from a tenant row it has read, or a row that belongs to a tenant), so code above the store
/// cannot make up a scope from an id it was given.
///
/// ```compile_fail
/// // Not from an id a request carried:
/// let scope = store::Scope::of(uuid::Uuid::nil());
/// ```
///
/// ```compile_fail
/// let scope = store::Scope(uuid::Uuid::nil());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Scope(uuid::Uuid);

impl Scope {
    pub(crate) fn of(tenant_id: uuid::Uuid) -> Self {
        Self(tenant_id)
    }

    pub fn tenant_id(self) -> uuid::Uuid {
        self.0
    }
}

impl tenants::TenantRecord {
    pub fn scope(&self) -> Scope {
        Scope(self.id)
    }
}

impl entities::citizen::Model {
    pub fn scope(&self) -> Scope {
        Scope(self.tenant_id)
    }
}

impl entities::request::Model {
    pub fn scope(&self) -> Scope {
        Scope(self.tenant_id)
    }
}
