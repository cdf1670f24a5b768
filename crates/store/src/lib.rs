//! Persistence: sea-orm entities and tenant-scoped repositories, on SQLite or PostgreSQL.
//! Every function on tenant-owned data takes the tenant scope first.

pub mod citizens;
pub mod documents;
pub mod entities;
pub mod outbox;
pub mod password_resets;
pub mod requests;
pub mod services;
pub mod sessions;
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

/// The tenant every repository call on tenant-owned data is scoped to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Scope(pub uuid::Uuid);

impl Scope {
    pub fn tenant_id(self) -> uuid::Uuid {
        self.0
    }
}
