//! Every schema change, forward-only, one change per file, run at start-up and by `eservice migrate`.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_create_tenants;
mod m20261125_000002_create_outbox;
mod m20261125_000003_create_citizens;
mod m20261125_000004_create_services;
mod m20261125_000005_create_requests;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_create_tenants::Migration),
            Box::new(m20261125_000002_create_outbox::Migration),
            Box::new(m20261125_000003_create_citizens::Migration),
            Box::new(m20261125_000004_create_services::Migration),
            Box::new(m20261125_000005_create_requests::Migration),
        ]
    }
}
