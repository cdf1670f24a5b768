use sea_orm::entity::prelude::*;

/// A sub-menu of a category: one service a citizen requests with the form named by `form_key`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "service_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub category_id: Uuid,
    pub key: String,
    pub position: i32,
    pub title_th: String,
    pub title_en: String,
    pub description_th: Option<String>,
    pub description_en: Option<String>,
    pub form_key: String,
    pub active: bool,
    /// Service time in working days; none: no deadline.
    pub service_days: Option<i32>,
    /// Kept but not offered to citizens (an admin's choice; the folder's `hidden = true`).
    pub hidden: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
