//! A form being built in the browser before it is published: one draft per form of a tenant,
//! kept across visits until it is published or discarded. A draft is never shown to citizens.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(FormDrafts::Table)
                    .col(uuid(FormDrafts::TenantId))
                    .col(string_len(FormDrafts::FormKey, 64))
                    .col(text(FormDrafts::Schema))
                    .col(string_len(FormDrafts::UpdatedBy, 254))
                    .col(timestamp_with_time_zone(FormDrafts::UpdatedAt))
                    .primary_key(Index::create().col(FormDrafts::TenantId).col(FormDrafts::FormKey))
                    .foreign_key(
                        ForeignKey::create().from(FormDrafts::Table, FormDrafts::TenantId).to(Tenants::Table, Tenants::Id).on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(FormDrafts::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum FormDrafts {
    Table,
    TenantId,
    FormKey,
    Schema,
    UpdatedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
}
