//! Forms being built in the browser: one draft per form of a tenant, until published or dropped.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::Scope;
use crate::entities::form_draft;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    pub form_key: String,
    pub schema: String,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
}

impl From<form_draft::Model> for Draft {
    fn from(m: form_draft::Model) -> Self {
        Self { form_key: m.form_key, schema: m.schema, updated_by: m.updated_by, updated_at: m.updated_at }
    }
}

pub async fn find<C: ConnectionTrait>(conn: &C, scope: Scope, form_key: &str) -> Result<Option<Draft>, DbErr> {
    Ok(form_draft::Entity::find_by_id((scope.tenant_id(), form_key.to_owned())).one(conn).await?.map(Into::into))
}

/// Every draft of the tenant, by form key.
pub async fn list<C: ConnectionTrait>(conn: &C, scope: Scope) -> Result<Vec<Draft>, DbErr> {
    Ok(form_draft::Entity::find()
        .filter(form_draft::Column::TenantId.eq(scope.tenant_id()))
        .order_by_asc(form_draft::Column::FormKey)
        .all(conn)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

pub async fn save<C: ConnectionTrait>(conn: &C, scope: Scope, form_key: &str, schema: &str, by: &str) -> Result<(), DbErr> {
    form_draft::Entity::insert(form_draft::ActiveModel {
        tenant_id: Set(scope.tenant_id()),
        form_key: Set(form_key.to_owned()),
        schema: Set(schema.to_owned()),
        updated_by: Set(by.chars().take(254).collect()),
        updated_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::columns([form_draft::Column::TenantId, form_draft::Column::FormKey])
            .update_columns([form_draft::Column::Schema, form_draft::Column::UpdatedBy, form_draft::Column::UpdatedAt])
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

pub async fn delete<C: ConnectionTrait>(conn: &C, scope: Scope, form_key: &str) -> Result<(), DbErr> {
    form_draft::Entity::delete_many()
        .filter(form_draft::Column::TenantId.eq(scope.tenant_id()))
        .filter(form_draft::Column::FormKey.eq(form_key))
        .exec(conn)
        .await?;
    Ok(())
}
