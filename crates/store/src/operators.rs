//! Platform operators, their sessions and recovery codes. Operators belong to no tenant, so these
//! functions take no scope; only the operator console and the `operator` command use them.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use crate::entities::{operator, operator_recovery_code, operator_session};

pub use operator::Model as Operator;
pub use operator_session::Model as OperatorSession;

/// The lower-cased form an e-mail is unique by.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

#[derive(Clone, Debug)]
pub struct NewOperator {
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub totp_secret: String,
    /// SHA-256 of each recovery code.
    pub recovery_hashes: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error("an operator with this e-mail already exists")]
    DuplicateEmail,
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Creates the operator with their recovery codes (in the caller's transaction).
pub async fn create<C: ConnectionTrait>(conn: &C, new: NewOperator) -> Result<Operator, CreateError> {
    if find_by_email(conn, &new.email).await?.is_some() {
        return Err(CreateError::DuplicateEmail);
    }
    let row = Operator {
        id: Uuid::new_v4(),
        email: new.email.trim().to_owned(),
        email_key: email_key(&new.email),
        name: new.name,
        password_hash: new.password_hash,
        totp_secret: new.totp_secret,
        totp_last_step: None,
        active: true,
        last_login_at: None,
        created_at: Utc::now(),
    };
    operator::Entity::insert(operator::ActiveModel {
        id: Set(row.id),
        email: Set(row.email.clone()),
        email_key: Set(row.email_key.clone()),
        name: Set(row.name.clone()),
        password_hash: Set(row.password_hash.clone()),
        totp_secret: Set(row.totp_secret.clone()),
        totp_last_step: Set(None),
        active: Set(true),
        last_login_at: Set(None),
        created_at: Set(row.created_at),
    })
    .exec_without_returning(conn)
    .await
    .map_err(|e| if crate::is_unique_violation(&e) { CreateError::DuplicateEmail } else { CreateError::Db(e) })?;
    if !new.recovery_hashes.is_empty() {
        operator_recovery_code::Entity::insert_many(new.recovery_hashes.into_iter().map(|hash| operator_recovery_code::ActiveModel {
            operator_id: Set(row.id),
            code_hash: Set(hash),
            used_at: Set(None),
        }))
        .exec_without_returning(conn)
        .await?;
    }
    Ok(row)
}

pub async fn find_by_email<C: ConnectionTrait>(conn: &C, email: &str) -> Result<Option<Operator>, DbErr> {
    operator::Entity::find().filter(operator::Column::EmailKey.eq(email_key(email))).one(conn).await
}

pub async fn list<C: ConnectionTrait>(conn: &C) -> Result<Vec<Operator>, DbErr> {
    operator::Entity::find().order_by_asc(operator::Column::EmailKey).all(conn).await
}

pub async fn set_active<C: ConnectionTrait>(conn: &C, id: Uuid, active: bool) -> Result<bool, DbErr> {
    let result = operator::Entity::update_many()
        .col_expr(operator::Column::Active, Expr::value(active))
        .filter(operator::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}

pub async fn touch_login<C: ConnectionTrait>(conn: &C, id: Uuid, at: DateTime<Utc>) -> Result<(), DbErr> {
    operator::Entity::update_many()
        .col_expr(operator::Column::LastLoginAt, Expr::value(at))
        .filter(operator::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Records that a code of time step `step` was used, only if no code of that step or a later
/// one was used before: false means the code was a replay.
pub async fn accept_totp_step<C: ConnectionTrait>(conn: &C, id: Uuid, step: i64) -> Result<bool, DbErr> {
    let result = operator::Entity::update_many()
        .col_expr(operator::Column::TotpLastStep, Expr::value(step))
        .filter(operator::Column::Id.eq(id))
        .filter(Condition::any().add(operator::Column::TotpLastStep.is_null()).add(operator::Column::TotpLastStep.lt(step)))
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Uses up the unused recovery code with this hash; false when there is none (wrong or reused).
pub async fn use_recovery_code<C: ConnectionTrait>(conn: &C, id: Uuid, hash: &str) -> Result<bool, DbErr> {
    let result = operator_recovery_code::Entity::update_many()
        .col_expr(operator_recovery_code::Column::UsedAt, Expr::value(Utc::now()))
        .filter(operator_recovery_code::Column::OperatorId.eq(id))
        .filter(operator_recovery_code::Column::CodeHash.eq(hash))
        .filter(operator_recovery_code::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}

pub mod sessions {
    //! Operator sessions by the SHA-256 of their random id; one query finds the session and its
    //! operator, and only while both are live (a deactivated operator's sessions stop at once).

    use super::*;

    pub async fn insert<C: ConnectionTrait>(conn: &C, row: OperatorSession) -> Result<(), DbErr> {
        operator_session::Entity::insert(operator_session::ActiveModel {
            id_hash: Set(row.id_hash),
            operator_id: Set(row.operator_id),
            kind: Set(row.kind),
            csrf_token: Set(row.csrf_token),
            created_at: Set(row.created_at),
            last_seen_at: Set(row.last_seen_at),
            idle_expires_at: Set(row.idle_expires_at),
            expires_at: Set(row.expires_at),
            ip: Set(row.ip),
            user_agent: Set(row.user_agent),
        })
        .exec_without_returning(conn)
        .await?;
        Ok(())
    }

    /// The live session of `kind` with this id hash and its active operator.
    pub async fn lookup<C: ConnectionTrait>(
        conn: &C,
        id_hash: &str,
        kind: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(OperatorSession, Operator)>, DbErr> {
        let found = operator_session::Entity::find()
            .find_also_related(operator::Entity)
            .filter(operator_session::Column::IdHash.eq(id_hash))
            .filter(operator_session::Column::Kind.eq(kind))
            .filter(operator_session::Column::ExpiresAt.gt(now))
            .filter(operator_session::Column::IdleExpiresAt.gt(now))
            .filter(operator::Column::Active.eq(true))
            .one(conn)
            .await?;
        Ok(found.and_then(|(session, operator)| operator.map(|o| (session, o))))
    }

    pub async fn touch<C: ConnectionTrait>(conn: &C, id_hash: &str, now: DateTime<Utc>, idle_expires_at: DateTime<Utc>) -> Result<(), DbErr> {
        operator_session::Entity::update_many()
            .col_expr(operator_session::Column::LastSeenAt, Expr::value(now))
            .col_expr(operator_session::Column::IdleExpiresAt, Expr::value(idle_expires_at))
            .filter(operator_session::Column::IdHash.eq(id_hash))
            .exec(conn)
            .await?;
        Ok(())
    }

    pub async fn delete<C: ConnectionTrait>(conn: &C, id_hash: &str) -> Result<(), DbErr> {
        operator_session::Entity::delete_many().filter(operator_session::Column::IdHash.eq(id_hash)).exec(conn).await?;
        Ok(())
    }

    /// Ends every session of the operator (deactivation).
    pub async fn delete_for_operator<C: ConnectionTrait>(conn: &C, operator_id: Uuid) -> Result<u64, DbErr> {
        Ok(operator_session::Entity::delete_many().filter(operator_session::Column::OperatorId.eq(operator_id)).exec(conn).await?.rows_affected)
    }

    pub async fn unscoped_purge_expired<C: ConnectionTrait>(conn: &C, now: DateTime<Utc>) -> Result<u64, DbErr> {
        Ok(operator_session::Entity::delete_many()
            .filter(Condition::any().add(operator_session::Column::ExpiresAt.lte(now)).add(operator_session::Column::IdleExpiresAt.lte(now)))
            .exec(conn)
            .await?
            .rows_affected)
    }
}
