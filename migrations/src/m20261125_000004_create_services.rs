use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ServiceCategories::Table)
                    .col(pk_uuid(ServiceCategories::Id))
                    .col(uuid(ServiceCategories::TenantId))
                    .col(string_len(ServiceCategories::Key, 64))
                    .col(integer(ServiceCategories::Position))
                    .col(string_len(ServiceCategories::Icon, 32))
                    .col(string_len(ServiceCategories::TitleTh, 200))
                    .col(string_len(ServiceCategories::TitleEn, 200))
                    .col(text_null(ServiceCategories::DescriptionTh))
                    .col(text_null(ServiceCategories::DescriptionEn))
                    .col(boolean(ServiceCategories::Active))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ServiceCategories::Table, ServiceCategories::TenantId)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_service_categories_tenant_key")
                    .table(ServiceCategories::Table)
                    .col(ServiceCategories::TenantId)
                    .col(ServiceCategories::Key)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ServiceItems::Table)
                    .col(pk_uuid(ServiceItems::Id))
                    .col(uuid(ServiceItems::TenantId))
                    .col(uuid(ServiceItems::CategoryId))
                    .col(string_len(ServiceItems::Key, 64))
                    .col(integer(ServiceItems::Position))
                    .col(string_len(ServiceItems::TitleTh, 200))
                    .col(string_len(ServiceItems::TitleEn, 200))
                    .col(text_null(ServiceItems::DescriptionTh))
                    .col(text_null(ServiceItems::DescriptionEn))
                    .col(string_len(ServiceItems::FormKey, 64))
                    .col(boolean(ServiceItems::Active))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ServiceItems::Table, ServiceItems::TenantId)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ServiceItems::Table, ServiceItems::CategoryId)
                            .to(ServiceCategories::Table, ServiceCategories::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_service_items_tenant_key")
                    .table(ServiceItems::Table)
                    .col(ServiceItems::TenantId)
                    .col(ServiceItems::Key)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_service_items_tenant_category")
                    .table(ServiceItems::Table)
                    .col(ServiceItems::TenantId)
                    .col(ServiceItems::CategoryId)
                    .col(ServiceItems::Position)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(FormVersions::Table)
                    .col(pk_uuid(FormVersions::Id))
                    .col(uuid(FormVersions::TenantId))
                    .col(string_len(FormVersions::FormKey, 64))
                    .col(integer(FormVersions::Version))
                    .col(text(FormVersions::Schema))
                    .col(string_len(FormVersions::Digest, 64))
                    .col(timestamp_with_time_zone(FormVersions::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(FormVersions::Table, FormVersions::TenantId)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_form_versions_tenant_form_version")
                    .table(FormVersions::Table)
                    .col(FormVersions::TenantId)
                    .col(FormVersions::FormKey)
                    .col(FormVersions::Version)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in
            [FormVersions::Table.into_iden(), ServiceItems::Table.into_iden(), ServiceCategories::Table.into_iden()]
        {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ServiceCategories {
    Table,
    Id,
    TenantId,
    Key,
    Position,
    Icon,
    TitleTh,
    TitleEn,
    DescriptionTh,
    DescriptionEn,
    Active,
}

#[derive(DeriveIden)]
enum ServiceItems {
    Table,
    Id,
    TenantId,
    CategoryId,
    Key,
    Position,
    TitleTh,
    TitleEn,
    DescriptionTh,
    DescriptionEn,
    FormKey,
    Active,
}

#[derive(DeriveIden)]
enum FormVersions {
    Table,
    Id,
    TenantId,
    FormKey,
    Version,
    Schema,
    Digest,
    CreatedAt,
}
