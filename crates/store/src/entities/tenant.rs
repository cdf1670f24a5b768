use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tenants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub slug: String,
    pub name_th: String,
    pub name_en: String,
    pub status: String,
    /// The applied definition as JSON (`domain::tenant::TenantSettings`).
    pub definition: String,
    pub definition_hash: String,
    pub logo: Option<Vec<u8>>,
    pub logo_mime: Option<String>,
    /// The parts an admin changed in the browser since the folder was last applied (JSON array).
    pub local_changes: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
