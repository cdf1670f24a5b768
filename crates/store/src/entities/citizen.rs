use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "citizens")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub national_id: String,
    pub email: String,
    /// Lower-cased e-mail, unique per tenant.
    pub email_key: String,
    pub title: String,
    pub first_name: String,
    pub last_name: String,
    pub birth_date: Date,
    pub phone: String,
    pub house_no: String,
    pub village: String,
    pub road: String,
    pub sub_district_code: i32,
    pub district_code: i32,
    pub province_code: i32,
    pub postcode: String,
    pub password_hash: String,
    /// `photos_required`, `pending`, `verified` or `rejected`.
    pub identity_status: String,
    pub identity_note: Option<String>,
    pub avatar_key: Option<String>,
    pub terms_version: String,
    pub terms_accepted_at: DateTimeUtc,
    pub terms_accepted_ip: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// When the current ID photos went to staff; orders the identity queue.
    pub identity_submitted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
