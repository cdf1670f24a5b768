//! Browsers a citizen signed in from before (OWASP's device cookies): a stranger's failed guesses
//! never lock out the owner on a device the owner used. Only the SHA-256 of the cookie is stored.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(KnownDevices::Table)
                    .col(string_len(KnownDevices::TokenHash, 64).primary_key())
                    .col(uuid(KnownDevices::TenantId))
                    .col(uuid(KnownDevices::CitizenId))
                    .col(timestamp_with_time_zone(KnownDevices::CreatedAt))
                    .col(timestamp_with_time_zone(KnownDevices::LastUsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(KnownDevices::Table, KnownDevices::CitizenId)
                            .to(Citizens::Table, Citizens::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_known_devices_citizen")
                    .table(KnownDevices::Table)
                    .col(KnownDevices::TenantId)
                    .col(KnownDevices::CitizenId)
                    .col(KnownDevices::LastUsedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(KnownDevices::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum KnownDevices {
    Table,
    TokenHash,
    TenantId,
    CitizenId,
    CreatedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum Citizens {
    Table,
    Id,
}
