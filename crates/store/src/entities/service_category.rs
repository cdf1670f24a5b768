use sea_orm::entity::prelude::*;

/// A category (หมวด) of a tenant's services; `active = false` once removed from `services.toml`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "service_categories")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub key: String,
    pub position: i32,
    pub icon: String,
    pub title_th: String,
    pub title_en: String,
    pub description_th: Option<String>,
    pub description_en: Option<String>,
    pub active: bool,
    /// Kept but not shown to citizens (an admin's choice; the folder's `hidden = true`).
    pub hidden: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
