use sea_orm::entity::prelude::*;

/// A municipal staff member (officer or admin) of one tenant. Their role lives in the access
/// rules; the password hash is empty until an invitation is accepted.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "staff")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub email: String,
    /// Lower-cased e-mail, unique per tenant.
    pub email_key: String,
    pub name: String,
    pub password_hash: Option<String>,
    /// Base32 TOTP secret; set at enrolment, `totp_enabled` once a code confirmed it.
    pub totp_secret: Option<String>,
    pub totp_enabled: bool,
    /// The last 30-second step a code was accepted for: a code is never accepted twice.
    pub totp_last_step: Option<i64>,
    pub active: bool,
    /// SHA-256 of the single-use set-password link's token.
    pub invite_hash: Option<String>,
    pub invite_expires_at: Option<DateTimeUtc>,
    pub last_login_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
