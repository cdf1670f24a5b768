//! What the admin screens need: a category or sub-menu can be hidden from citizens without being
//! removed (`hidden`), and a tenant remembers which parts an admin changed in the browser since
//! the folder was last applied (`local_changes`, a JSON array of part names), so that
//! `tenant apply` can refuse to overwrite them.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one column at a time.
        manager
            .alter_table(Table::alter().table(Tenants::Table).add_column(text(Tenants::LocalChanges).default("[]")).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter().table(ServiceCategories::Table).add_column(boolean(ServiceCategories::Hidden).default(false)).to_owned(),
            )
            .await?;
        manager
            .alter_table(Table::alter().table(ServiceItems::Table).add_column(boolean(ServiceItems::Hidden).default(false)).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(ServiceItems::Table).drop_column(ServiceItems::Hidden).to_owned()).await?;
        manager
            .alter_table(Table::alter().table(ServiceCategories::Table).drop_column(ServiceCategories::Hidden).to_owned())
            .await?;
        manager.alter_table(Table::alter().table(Tenants::Table).drop_column(Tenants::LocalChanges).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    LocalChanges,
}

#[derive(DeriveIden)]
enum ServiceCategories {
    Table,
    Hidden,
}

#[derive(DeriveIden)]
enum ServiceItems {
    Table,
    Hidden,
}
