//! Persistence: sea-orm entities and tenant-scoped repositories, on SQLite or PostgreSQL.
//! Every function on tenant-owned data takes the tenant scope first.

pub mod access_rules;
pub mod audit;
pub mod citizens;
pub mod documents;
pub mod entities;
pub mod known_devices;
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
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr};
use std::time::Duration;

pub use sea_orm::DatabaseConnection as Db;

/// Opens the pool. SQLite files get WAL so readers never wait on the writer.
pub async fn connect(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    let db = Database::connect(options).await?;
    if db.get_database_backend() == DbBackend::Sqlite {
        db.execute_unprepared("PRAGMA journal_mode = WAL").await?;
        db.execute_unprepared("PRAGMA synchronous = NORMAL").await?;
    }
    Ok(db)
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
