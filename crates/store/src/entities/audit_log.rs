use sea_orm::entity::prelude::*;

/// One staff or admin action; the table is append-only (the database refuses UPDATE and DELETE).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Option<Uuid>,
    /// `staff`, `operator` or `system` (a command-line action).
    pub actor_kind: String,
    pub actor_id: Option<Uuid>,
    /// The actor's e-mail at the time, kept so the record reads on its own.
    pub actor_label: String,
    pub action: String,
    pub subject_kind: String,
    pub subject_id: String,
    pub ip: String,
    /// JSON of what changed, before and after.
    pub before: Option<String>,
    pub after: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
