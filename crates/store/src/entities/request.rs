use sea_orm::entity::prelude::*;

/// A citizen's submission of one service form; `data` is the validated answers as JSON.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "requests")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub citizen_id: Uuid,
    /// Human reference, per tenant and Buddhist year: `DEMO-2569-000123`.
    pub reference: String,
    pub item_id: Uuid,
    pub form_key: String,
    pub form_version: i32,
    pub data: String,
    /// `submitted`, `received`, `in_progress`, `completed` or `rejected` (see `domain::request`).
    pub status: String,
    pub rejection_reason: Option<String>,
    /// The client's key for this submission; a repeat with the same key returns the same request.
    pub idempotency_key: String,
    pub submitted_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Bumped by every staff change; a change made against an older version is refused.
    pub version: i32,
    pub assigned_to: Option<Uuid>,
    /// The staff member who changed it last.
    pub updated_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::citizen::Entity", from = "Column::CitizenId", to = "super::citizen::Column::Id")]
    Citizen,
    /// The sub-menu the request was made under (its titles for lists).
    #[sea_orm(belongs_to = "super::service_item::Entity", from = "Column::ItemId", to = "super::service_item::Column::Id")]
    ServiceItem,
}

impl Related<super::citizen::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Citizen.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
