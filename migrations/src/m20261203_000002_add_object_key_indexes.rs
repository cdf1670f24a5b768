//! Indexes on every column that names a stored object, so the worker's sweep can ask "does any row
//! still point at these objects?" for a batch of keys without scanning the tables.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: [(&str, &str, &str); 4] = [
    ("idx_identity_photos_object_key", "identity_photos", "object_key"),
    ("idx_request_files_object_key", "request_files", "object_key"),
    ("idx_documents_object_key", "documents", "object_key"),
    ("idx_citizens_avatar_key", "citizens", "avatar_key"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, column) in INDEXES {
            manager
                .create_index(Index::create().name(name).table(Alias::new(table)).col(Alias::new(column)).to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, _) in INDEXES {
            manager.drop_index(Index::drop().name(name).table(Alias::new(table)).to_owned()).await?;
        }
        Ok(())
    }
}
