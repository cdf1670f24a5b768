use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Tenants::Table)
                    .col(pk_uuid(Tenants::Id))
                    .col(string_len_uniq(Tenants::Slug, 63))
                    .col(string(Tenants::NameTh))
                    .col(string(Tenants::NameEn))
                    .col(string_len(Tenants::Status, 16))
                    .col(text(Tenants::Definition))
                    .col(string_len(Tenants::DefinitionHash, 64))
                    .col(binary_null(Tenants::Logo))
                    .col(string_len_null(Tenants::LogoMime, 64))
                    .col(timestamp_with_time_zone(Tenants::CreatedAt))
                    .col(timestamp_with_time_zone(Tenants::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TenantDomains::Table)
                    .col(string_len(TenantDomains::Domain, 253).primary_key())
                    .col(uuid(TenantDomains::TenantId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(TenantDomains::Table, TenantDomains::TenantId)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_tenant_domains_tenant")
                    .table(TenantDomains::Table)
                    .col(TenantDomains::TenantId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TenantTerms::Table)
                    .col(uuid(TenantTerms::TenantId))
                    .col(string_len(TenantTerms::Version, 32))
                    .col(text(TenantTerms::BodyTh))
                    .col(text(TenantTerms::BodyEn))
                    .col(timestamp_with_time_zone(TenantTerms::PublishedAt))
                    .primary_key(Index::create().col(TenantTerms::TenantId).col(TenantTerms::Version))
                    .foreign_key(
                        ForeignKey::create()
                            .from(TenantTerms::Table, TenantTerms::TenantId)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(TenantTerms::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(TenantDomains::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Tenants::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
    Slug,
    NameTh,
    NameEn,
    Status,
    Definition,
    DefinitionHash,
    Logo,
    LogoMime,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum TenantDomains {
    Table,
    Domain,
    TenantId,
}

#[derive(DeriveIden)]
enum TenantTerms {
    Table,
    TenantId,
    Version,
    BodyTh,
    BodyEn,
    PublishedAt,
}
