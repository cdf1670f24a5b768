//! casbin policy lines as rows (see `entities::access_rule`). The role permissions are
//! platform-wide rows; who holds which role is a row of the tenant.

use chrono::Utc;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use crate::Scope;
use crate::entities::access_rule;

pub use access_rule::Model as AccessRule;

/// One policy line: `ptype` (`p` or `g`) and its three values.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Line {
    pub ptype: String,
    pub values: [String; 3],
}

impl From<AccessRule> for Line {
    fn from(row: AccessRule) -> Self {
        Self { ptype: row.ptype, values: [row.v0, row.v1, row.v2] }
    }
}

/// The lines casbin needs for one tenant: the tenant's own and the platform-wide ones.
pub async fn for_tenant<C: ConnectionTrait>(conn: &C, scope: Scope) -> Result<Vec<Line>, DbErr> {
    Ok(access_rule::Entity::find()
        .filter(
            Condition::any()
                .add(access_rule::Column::TenantId.eq(scope.tenant_id()))
                .add(access_rule::Column::TenantId.is_null()),
        )
        .order_by_asc(access_rule::Column::Ptype)
        .order_by_asc(access_rule::Column::V0)
        .all(conn)
        .await?
        .into_iter()
        .map(Line::from)
        .collect())
}

/// The platform-wide lines only (the role permissions and operators).
pub async fn unscoped_platform<C: ConnectionTrait>(conn: &C) -> Result<Vec<Line>, DbErr> {
    Ok(access_rule::Entity::find()
        .filter(access_rule::Column::TenantId.is_null())
        .all(conn)
        .await?
        .into_iter()
        .map(Line::from)
        .collect())
}

fn row(tenant: Option<Uuid>, line: &Line) -> access_rule::ActiveModel {
    let [v0, v1, v2] = line.values.clone();
    access_rule::ActiveModel {
        id: Set(Uuid::new_v4()),
        tenant_id: Set(tenant),
        ptype: Set(line.ptype.clone()),
        v0: Set(v0),
        v1: Set(v1),
        v2: Set(v2),
        created_at: Set(Utc::now()),
    }
}

/// Adds a line of the tenant; an existing identical line is left as it is.
pub async fn add<C: ConnectionTrait>(conn: &C, scope: Scope, line: &Line) -> Result<(), DbErr> {
    match access_rule::Entity::insert(row(Some(scope.tenant_id()), line)).exec_without_returning(conn).await {
        Err(e) if crate::is_unique_violation(&e) => Ok(()),
        other => other.map(|_| ()),
    }
}

/// Adds a platform-wide line (the role permissions, installed at start-up); idempotent.
/// The unique index cannot see two NULL tenants as equal, so this looks first.
pub async fn unscoped_add_platform<C: ConnectionTrait>(conn: &C, line: &Line) -> Result<bool, DbErr> {
    let [v0, v1, v2] = &line.values;
    let exists = access_rule::Entity::find()
        .filter(access_rule::Column::TenantId.is_null())
        .filter(access_rule::Column::Ptype.eq(&line.ptype))
        .filter(access_rule::Column::V0.eq(v0))
        .filter(access_rule::Column::V1.eq(v1))
        .filter(access_rule::Column::V2.eq(v2))
        .one(conn)
        .await?
        .is_some();
    if !exists {
        access_rule::Entity::insert(row(None, line)).exec_without_returning(conn).await?;
    }
    Ok(!exists)
}

/// Removes the tenant's `g` lines of a subject (before giving it another role).
pub async fn remove_for_subject<C: ConnectionTrait>(conn: &C, scope: Scope, subject: &str) -> Result<u64, DbErr> {
    Ok(access_rule::Entity::delete_many()
        .filter(access_rule::Column::TenantId.eq(scope.tenant_id()))
        .filter(access_rule::Column::Ptype.eq("g"))
        .filter(access_rule::Column::V0.eq(subject))
        .exec(conn)
        .await?
        .rows_affected)
}

/// Removes a platform-wide line that the role file no longer has.
pub async fn unscoped_remove_platform<C: ConnectionTrait>(conn: &C, line: &Line) -> Result<u64, DbErr> {
    let [v0, v1, v2] = &line.values;
    Ok(access_rule::Entity::delete_many()
        .filter(access_rule::Column::TenantId.is_null())
        .filter(access_rule::Column::Ptype.eq(&line.ptype))
        .filter(access_rule::Column::V0.eq(v0))
        .filter(access_rule::Column::V1.eq(v1))
        .filter(access_rule::Column::V2.eq(v2))
        .exec(conn)
        .await?
        .rows_affected)
}
