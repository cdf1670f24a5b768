use sea_orm::entity::prelude::*;

/// An evidence file attached to a request, stored in the object store under a server-made key.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "request_files")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub request_id: Uuid,
    pub field_key: String,
    pub position: i16,
    pub object_key: String,
    /// The name the citizen's file had, for display and download only.
    pub filename: String,
    /// Sniffed from the content.
    pub mime: String,
    pub bytes: i64,
    pub sha256: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
