//! Who an operator request comes from: the operator session behind a cookie or bearer token on
//! the platform's own host. Only [`authenticate`] makes a [`SignedInOperator`]; operators sign in
//! with password and TOTP code in one step, so every live session is a full one.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, DbErr};
use store::operators::sessions;
use store::operators::{Operator, OperatorSession};
use uuid::Uuid;

use crate::token::{hash_token, new_token};

/// An operator session ends after this long without use, and after `ABSOLUTE` in any case.
pub const IDLE: Duration = Duration::minutes(30);
pub const ABSOLUTE: Duration = Duration::hours(8);

pub const WEB: &str = "web";
pub const API: &str = "api";

/// An operator behind a live session.
#[derive(Clone, Debug)]
pub struct SignedInOperator {
    operator: Operator,
    session: OperatorSession,
    ip: String,
}

impl SignedInOperator {
    pub fn id(&self) -> Uuid {
        self.operator.id
    }

    pub fn operator(&self) -> &Operator {
        &self.operator
    }

    pub fn session(&self) -> &OperatorSession {
        &self.session
    }

    pub fn ip(&self) -> &str {
        &self.ip
    }
}

/// The operator session a presented token opens, if it is live and its operator active. Moves
/// the idle expiry forward at most once a minute.
pub async fn authenticate<C: ConnectionTrait>(
    conn: &C,
    token: &str,
    kind: &str,
    ip: &str,
    now: DateTime<Utc>,
) -> Result<Option<SignedInOperator>, DbErr> {
    let Some((session, operator)) = sessions::lookup(conn, &hash_token(token), kind, now).await? else {
        return Ok(None);
    };
    if now - session.last_seen_at > Duration::minutes(1) {
        sessions::touch(conn, &session.id_hash, now, (now + IDLE).min(session.expires_at)).await?;
    }
    Ok(Some(SignedInOperator { operator, session, ip: ip.to_owned() }))
}

/// A new session: the token for the cookie or bearer, and the session's CSRF token.
#[derive(Clone, Debug)]
pub struct Started {
    pub token: String,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

pub async fn start_session<C: ConnectionTrait>(conn: &C, operator_id: Uuid, kind: &str, ip: &str, user_agent: &str) -> Result<Started, DbErr> {
    let now = Utc::now();
    let token = new_token();
    let csrf_token = new_token();
    let expires_at = now + ABSOLUTE;
    sessions::insert(
        conn,
        OperatorSession {
            id_hash: hash_token(&token),
            operator_id,
            kind: kind.to_owned(),
            csrf_token: csrf_token.clone(),
            created_at: now,
            last_seen_at: now,
            idle_expires_at: now + IDLE,
            expires_at,
            ip: ip.chars().take(64).collect(),
            user_agent: user_agent.chars().take(255).collect(),
        },
    )
    .await?;
    Ok(Started { token, csrf_token, expires_at })
}
