use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ReferenceCounters::Table)
                    .col(uuid(ReferenceCounters::TenantId))
                    .col(integer(ReferenceCounters::Year))
                    .col(big_integer(ReferenceCounters::LastValue))
                    .primary_key(Index::create().col(ReferenceCounters::TenantId).col(ReferenceCounters::Year))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Requests::Table)
                    .col(pk_uuid(Requests::Id))
                    .col(uuid(Requests::TenantId))
                    .col(uuid(Requests::CitizenId))
                    .col(string_len(Requests::Reference, 40))
                    .col(uuid(Requests::ItemId))
                    .col(string_len(Requests::FormKey, 64))
                    .col(integer(Requests::FormVersion))
                    .col(text(Requests::Data))
                    .col(string_len(Requests::Status, 20))
                    .col(text_null(Requests::RejectionReason))
                    .col(string_len(Requests::IdempotencyKey, 64))
                    .col(timestamp_with_time_zone(Requests::SubmittedAt))
                    .col(timestamp_with_time_zone(Requests::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Requests::Table, Requests::CitizenId)
                            .to(Citizens::Table, Citizens::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols, unique) in [
            ("ux_requests_tenant_reference", vec![Requests::TenantId, Requests::Reference], true),
            ("ux_requests_idempotency", vec![Requests::TenantId, Requests::CitizenId, Requests::IdempotencyKey], true),
            ("idx_requests_citizen", vec![Requests::TenantId, Requests::CitizenId, Requests::SubmittedAt], false),
            ("idx_requests_status", vec![Requests::TenantId, Requests::Status, Requests::SubmittedAt], false),
        ] {
            let mut index = Index::create();
            index.name(name).table(Requests::Table);
            for col in cols {
                index.col(col);
            }
            if unique {
                index.unique();
            }
            manager.create_index(index.to_owned()).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(RequestFiles::Table)
                    .col(pk_uuid(RequestFiles::Id))
                    .col(uuid(RequestFiles::TenantId))
                    .col(uuid(RequestFiles::RequestId))
                    .col(string_len(RequestFiles::FieldKey, 64))
                    .col(small_integer(RequestFiles::Position))
                    .col(string(RequestFiles::ObjectKey))
                    .col(string_len(RequestFiles::Filename, 255))
                    .col(string_len(RequestFiles::Mime, 100))
                    .col(big_integer(RequestFiles::Bytes))
                    .col(string_len(RequestFiles::Sha256, 64))
                    .col(timestamp_with_time_zone(RequestFiles::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RequestFiles::Table, RequestFiles::RequestId)
                            .to(Requests::Table, Requests::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_request_files_request")
                    .table(RequestFiles::Table)
                    .col(RequestFiles::TenantId)
                    .col(RequestFiles::RequestId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RequestEvents::Table)
                    .col(pk_uuid(RequestEvents::Id))
                    .col(uuid(RequestEvents::TenantId))
                    .col(uuid(RequestEvents::RequestId))
                    .col(string_len_null(RequestEvents::FromStatus, 20))
                    .col(string_len(RequestEvents::ToStatus, 20))
                    .col(text_null(RequestEvents::Note))
                    .col(string_len(RequestEvents::ActorKind, 16))
                    .col(uuid_null(RequestEvents::ActorId))
                    .col(timestamp_with_time_zone(RequestEvents::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RequestEvents::Table, RequestEvents::RequestId)
                            .to(Requests::Table, Requests::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_request_events_request")
                    .table(RequestEvents::Table)
                    .col(RequestEvents::TenantId)
                    .col(RequestEvents::RequestId)
                    .col(RequestEvents::CreatedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Documents::Table)
                    .col(pk_uuid(Documents::Id))
                    .col(uuid(Documents::TenantId))
                    .col(uuid(Documents::RequestId))
                    .col(uuid(Documents::CitizenId))
                    .col(string_len(Documents::Kind, 16))
                    .col(string_len(Documents::Number, 64))
                    .col(string(Documents::TitleTh))
                    .col(string(Documents::TitleEn))
                    .col(string_len(Documents::VerificationCode, 32))
                    .col(string(Documents::ObjectKey))
                    .col(string_len(Documents::Filename, 255))
                    .col(string_len(Documents::Mime, 100))
                    .col(big_integer(Documents::Bytes))
                    .col(string_len(Documents::Sha256, 64))
                    .col(timestamp_with_time_zone(Documents::IssuedAt))
                    .col(date_null(Documents::ValidUntil))
                    .col(timestamp_with_time_zone_null(Documents::RevokedAt))
                    .col(text_null(Documents::RevokedReason))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Documents::Table, Documents::RequestId)
                            .to(Requests::Table, Requests::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols, unique) in [
            ("ux_documents_verification", vec![Documents::TenantId, Documents::VerificationCode], true),
            ("idx_documents_citizen", vec![Documents::TenantId, Documents::CitizenId, Documents::IssuedAt], false),
            ("idx_documents_request", vec![Documents::TenantId, Documents::RequestId], false),
        ] {
            let mut index = Index::create();
            index.name(name).table(Documents::Table);
            for col in cols {
                index.col(col);
            }
            if unique {
                index.unique();
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Documents::Table.into_iden(),
            RequestEvents::Table.into_iden(),
            RequestFiles::Table.into_iden(),
            Requests::Table.into_iden(),
            ReferenceCounters::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Citizens {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ReferenceCounters {
    Table,
    TenantId,
    Year,
    LastValue,
}

#[derive(DeriveIden)]
enum Requests {
    Table,
    Id,
    TenantId,
    CitizenId,
    Reference,
    ItemId,
    FormKey,
    FormVersion,
    Data,
    Status,
    RejectionReason,
    IdempotencyKey,
    SubmittedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RequestFiles {
    Table,
    Id,
    TenantId,
    RequestId,
    FieldKey,
    Position,
    ObjectKey,
    Filename,
    Mime,
    Bytes,
    Sha256,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RequestEvents {
    Table,
    Id,
    TenantId,
    RequestId,
    FromStatus,
    ToStatus,
    Note,
    ActorKind,
    ActorId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Documents {
    Table,
    Id,
    TenantId,
    RequestId,
    CitizenId,
    Kind,
    Number,
    TitleTh,
    TitleEn,
    VerificationCode,
    ObjectKey,
    Filename,
    Mime,
    Bytes,
    Sha256,
    IssuedAt,
    ValidUntil,
    RevokedAt,
    RevokedReason,
}
