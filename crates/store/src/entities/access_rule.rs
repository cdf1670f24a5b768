use sea_orm::entity::prelude::*;

/// One casbin policy line. `p`: role, object, action (platform-wide, no tenant).
/// `g`: subject, role, domain (the tenant id; no tenant for platform roles).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "access_rules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Option<Uuid>,
    pub ptype: String,
    pub v0: String,
    pub v1: String,
    pub v2: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
