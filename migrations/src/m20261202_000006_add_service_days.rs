//! A sub-menu's service time in working days (ระยะเวลาให้บริการ), from `services.toml`
//! (`service_days`); none means the service has no deadline and is never overdue.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(ServiceItems::Table).add_column(integer_null(ServiceItems::ServiceDays)).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(ServiceItems::Table).drop_column(ServiceItems::ServiceDays).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ServiceItems {
    Table,
    ServiceDays,
}
