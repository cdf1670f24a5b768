//! Every schema change, forward-only, one change per file, run at start-up and by `eservice migrate`.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_create_tenants;
mod m20261125_000002_create_outbox;
mod m20261125_000003_create_citizens;
mod m20261125_000004_create_services;
mod m20261125_000005_create_requests;
mod m20261202_000001_create_staff;
mod m20261202_000002_create_access_rules;
mod m20261202_000003_create_audit_log;
mod m20261202_000004_add_request_processing;
mod m20261202_000005_add_identity_review;
mod m20261202_000006_add_service_days;
mod m20261203_000001_create_known_devices;
mod m20261203_000002_add_object_key_indexes;
mod m20261204_000001_add_tenant_admin;
mod m20261204_000002_create_terms_acceptances;
mod m20261204_000003_create_form_drafts;
mod m20261204_000004_create_tenant_assets;
mod m20261206_000001_create_operators;

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
            Box::new(m20261202_000001_create_staff::Migration),
            Box::new(m20261202_000002_create_access_rules::Migration),
            Box::new(m20261202_000003_create_audit_log::Migration),
            Box::new(m20261202_000004_add_request_processing::Migration),
            Box::new(m20261202_000005_add_identity_review::Migration),
            Box::new(m20261202_000006_add_service_days::Migration),
            Box::new(m20261203_000001_create_known_devices::Migration),
            Box::new(m20261203_000002_add_object_key_indexes::Migration),
            Box::new(m20261204_000001_add_tenant_admin::Migration),
            Box::new(m20261204_000002_create_terms_acceptances::Migration),
            Box::new(m20261204_000003_create_form_drafts::Migration),
            Box::new(m20261204_000004_create_tenant_assets::Migration),
            Box::new(m20261206_000001_create_operators::Migration),
        ]
    }
}
