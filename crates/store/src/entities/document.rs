use sea_orm::entity::prelude::*;

/// A receipt or licence issued on a request; `verification_code` is what `/verify/<code>` checks.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "documents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub request_id: Uuid,
    pub citizen_id: Uuid,
    /// `receipt` (ใบเสร็จรับเงิน) or `licence` (ใบอนุญาต).
    pub kind: String,
    /// The issuer's document number, e.g. a receipt book/number or licence number.
    pub number: String,
    pub title_th: String,
    pub title_en: String,
    pub verification_code: String,
    pub object_key: String,
    pub filename: String,
    pub mime: String,
    pub bytes: i64,
    pub sha256: String,
    pub issued_at: DateTimeUtc,
    pub valid_until: Option<Date>,
    pub revoked_at: Option<DateTimeUtc>,
    pub revoked_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
