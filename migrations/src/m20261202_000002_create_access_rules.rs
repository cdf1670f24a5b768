//! casbin policy lines: `p` lines (what a role may do) and `g` lines (who has a role in which
//! tenant). A row without a tenant is platform-wide (the role permissions, operators).
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AccessRules::Table)
                    .col(pk_uuid(AccessRules::Id))
                    .col(uuid_null(AccessRules::TenantId))
                    .col(string_len(AccessRules::Ptype, 4))
                    .col(string_len(AccessRules::V0, 128))
                    .col(string_len(AccessRules::V1, 128))
                    .col(string_len(AccessRules::V2, 128))
                    .col(timestamp_with_time_zone(AccessRules::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_access_rules_line")
                    .table(AccessRules::Table)
                    .col(AccessRules::TenantId)
                    .col(AccessRules::Ptype)
                    .col(AccessRules::V0)
                    .col(AccessRules::V1)
                    .col(AccessRules::V2)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(AccessRules::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum AccessRules {
    Table,
    Id,
    TenantId,
    Ptype,
    V0,
    V1,
    V2,
    CreatedAt,
}
