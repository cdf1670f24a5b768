//! When a citizen's ID photos went to staff, so the identity queue is oldest first on an index.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Citizens::Table)
                    .add_column(timestamp_with_time_zone_null(Citizens::IdentitySubmittedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_citizens_identity_queue")
                    .table(Citizens::Table)
                    .col(Citizens::TenantId)
                    .col(Citizens::IdentityStatus)
                    .col(Citizens::IdentitySubmittedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("idx_citizens_identity_queue").table(Citizens::Table).to_owned())
            .await?;
        manager
            .alter_table(Table::alter().table(Citizens::Table).drop_column(Citizens::IdentitySubmittedAt).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Citizens {
    Table,
    TenantId,
    IdentityStatus,
    IdentitySubmittedAt,
}
