use sea_orm::entity::prelude::*;

/// A staff member's session; separate from citizens' sessions. Only the SHA-256 of its id is kept.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "staff_sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id_hash: String,
    pub tenant_id: Uuid,
    pub staff_id: Uuid,
    /// `web` (cookie) or `api` (bearer token).
    pub kind: String,
    /// `totp` (password given, code awaited), `enrol` (TOTP must be set up) or `full`.
    pub stage: String,
    pub csrf_token: String,
    pub created_at: DateTimeUtc,
    pub last_seen_at: DateTimeUtc,
    pub idle_expires_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub ip: String,
    pub user_agent: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::staff::Entity", from = "Column::StaffId", to = "super::staff::Column::Id")]
    Staff,
}

impl Related<super::staff::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Staff.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
