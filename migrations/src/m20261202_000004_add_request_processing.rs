//! What staff need to work a request: a version for optimistic locking, the assigned officer,
//! who changed it last, internal and public notes, and indexes behind every queue filter.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite takes one column per ALTER TABLE.
        for column in [
            integer(Requests::Version).default(1).to_owned(),
            uuid_null(Requests::AssignedTo).to_owned(),
            uuid_null(Requests::UpdatedBy).to_owned(),
        ] {
            manager
                .alter_table(Table::alter().table(Requests::Table).add_column(column).to_owned())
                .await?;
        }
        for (name, cols) in [
            ("idx_requests_tenant_submitted", vec![Requests::TenantId, Requests::SubmittedAt]),
            ("idx_requests_assigned", vec![Requests::TenantId, Requests::AssignedTo, Requests::SubmittedAt]),
            ("idx_requests_item", vec![Requests::TenantId, Requests::ItemId, Requests::SubmittedAt]),
        ] {
            let mut index = Index::create();
            index.name(name).table(Requests::Table);
            for col in cols {
                index.col(col);
            }
            manager.create_index(index.to_owned()).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(RequestNotes::Table)
                    .col(pk_uuid(RequestNotes::Id))
                    .col(uuid(RequestNotes::TenantId))
                    .col(uuid(RequestNotes::RequestId))
                    .col(uuid(RequestNotes::StaffId))
                    .col(boolean(RequestNotes::Public))
                    .col(text(RequestNotes::Body))
                    .col(timestamp_with_time_zone(RequestNotes::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RequestNotes::Table, RequestNotes::RequestId)
                            .to(Requests::Table, Requests::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_request_notes_request")
                    .table(RequestNotes::Table)
                    .col(RequestNotes::TenantId)
                    .col(RequestNotes::RequestId)
                    .col(RequestNotes::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(RequestNotes::Table).to_owned()).await?;
        for name in ["idx_requests_tenant_submitted", "idx_requests_assigned", "idx_requests_item"] {
            manager.drop_index(Index::drop().name(name).table(Requests::Table).to_owned()).await?;
        }
        for column in [Requests::Version, Requests::AssignedTo, Requests::UpdatedBy] {
            manager
                .alter_table(Table::alter().table(Requests::Table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Requests {
    Table,
    Id,
    TenantId,
    ItemId,
    SubmittedAt,
    Version,
    AssignedTo,
    UpdatedBy,
}

#[derive(DeriveIden)]
enum RequestNotes {
    Table,
    Id,
    TenantId,
    RequestId,
    StaffId,
    Public,
    Body,
    CreatedAt,
}
