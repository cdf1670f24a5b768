use sea_orm::entity::prelude::*;

/// A citizen's acceptance of one version of their tenant's terms of service.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "terms_acceptances")]
pub struct Model {
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub citizen_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub version: String,
    pub accepted_at: DateTimeUtc,
    pub ip: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
