use sea_orm::entity::prelude::*;

/// A platform operator: onboards municipalities, suspends and resumes them. Belongs to no tenant.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "operators")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub email: String,
    /// The lower-cased e-mail, unique.
    pub email_key: String,
    pub name: String,
    pub password_hash: String,
    /// Base32 TOTP secret; operators always sign in with a code.
    pub totp_secret: String,
    /// The time step of the last accepted code, so a code is never accepted twice.
    pub totp_last_step: Option<i64>,
    pub active: bool,
    pub last_login_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
