//! Small pictures a tenant shows besides its logo: the example of each ID-photo slot
//! (`identity.slots[].example`), stored by file name, replaced whole at every apply or change.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TenantAssets::Table)
                    .col(uuid(TenantAssets::TenantId))
                    .col(string_len(TenantAssets::Name, 100))
                    .col(string_len(TenantAssets::Mime, 32))
                    .col(binary(TenantAssets::Bytes))
                    .primary_key(Index::create().col(TenantAssets::TenantId).col(TenantAssets::Name))
                    .foreign_key(
                        ForeignKey::create().from(TenantAssets::Table, TenantAssets::TenantId).to(Tenants::Table, Tenants::Id).on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(TenantAssets::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum TenantAssets {
    Table,
    TenantId,
    Name,
    Mime,
    Bytes,
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
}
