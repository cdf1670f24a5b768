//! Who a staff request comes from: the staff session behind a cookie or bearer token, and how far
//! through signing in it is. Only [`authenticate`] makes a [`SignedInStaff`], and only a
//! `SignedInStaff` at [`Stage::Full`] can be granted a permission.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, DbErr};
use store::Scope;
use store::staff::sessions::{self, StaffSession};
use store::staff::{self as staff_store, Staff};
use uuid::Uuid;

use crate::authz::Acting;
use crate::token::{hash_token, new_token};

/// A staff session ends after this long without use.
pub const IDLE: Duration = Duration::minutes(30);
/// And after this long in any case: a working day.
pub const ABSOLUTE: Duration = Duration::hours(12);
/// A session stuck between password and code ends sooner.
pub const HALF_SIGNED_IN: Duration = Duration::minutes(10);

pub const WEB: &str = "web";
pub const API: &str = "api";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// The password was right; the TOTP code (or a recovery code) is awaited.
    Totp,
    /// The password was right and TOTP is required, but the account has none yet.
    Enrol,
    Full,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Totp => "totp",
            Self::Enrol => "enrol",
            Self::Full => "full",
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        [Self::Totp, Self::Enrol, Self::Full].into_iter().find(|s| s.as_str() == raw)
    }
}

/// A staff member behind a live session of this tenant.
#[derive(Clone, Debug)]
pub struct SignedInStaff {
    scope: Scope,
    staff: Staff,
    session: StaffSession,
    stage: Stage,
    categories: Vec<Uuid>,
    ip: String,
}

impl SignedInStaff {
    pub fn scope(&self) -> Scope {
        self.scope
    }

    pub fn id(&self) -> Uuid {
        self.staff.id
    }

    pub fn staff(&self) -> &Staff {
        &self.staff
    }

    pub fn session(&self) -> &StaffSession {
        &self.session
    }

    pub fn stage(&self) -> Stage {
        self.stage
    }

    /// The categories the member is narrowed to (empty: all).
    pub fn categories(&self) -> &[Uuid] {
        &self.categories
    }

    pub fn acting(&self) -> Acting {
        Acting { staff_id: self.staff.id, email: self.staff.email.clone(), name: self.staff.name.clone(), ip: self.ip.clone() }
    }
}

/// The staff session a presented token opens, if it is live and its member is active. Moves the
/// idle expiry forward at most once a minute.
pub async fn authenticate<C: ConnectionTrait>(
    conn: &C,
    scope: Scope,
    token: &str,
    kind: &str,
    ip: &str,
    now: DateTime<Utc>,
) -> Result<Option<SignedInStaff>, DbErr> {
    let Some((session, staff)) = sessions::lookup(conn, scope, &hash_token(token), kind, now).await? else {
        return Ok(None);
    };
    let Some(stage) = Stage::parse(&session.stage) else { return Ok(None) };
    if now - session.last_seen_at > Duration::minutes(1) {
        let idle = if stage == Stage::Full { IDLE } else { HALF_SIGNED_IN };
        sessions::touch(conn, scope, &session.id_hash, now, (now + idle).min(session.expires_at)).await?;
    }
    let categories = staff_store::categories(conn, scope, staff.id).await?;
    Ok(Some(SignedInStaff { scope, staff, session, stage, categories, ip: ip.to_owned() }))
}

/// A new session: the token for the cookie or bearer, and the session's CSRF token.
#[derive(Clone, Debug)]
pub struct Started {
    pub token: String,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

pub async fn start_session<C: ConnectionTrait>(
    conn: &C,
    scope: Scope,
    staff_id: Uuid,
    kind: &str,
    stage: Stage,
    ip: &str,
    user_agent: &str,
) -> Result<Started, DbErr> {
    let now = Utc::now();
    let token = new_token();
    let csrf_token = new_token();
    let idle = if stage == Stage::Full { IDLE } else { HALF_SIGNED_IN };
    let expires_at = if stage == Stage::Full { now + ABSOLUTE } else { now + HALF_SIGNED_IN };
    sessions::insert(
        conn,
        scope,
        StaffSession {
            id_hash: hash_token(&token),
            tenant_id: scope.tenant_id(),
            staff_id,
            kind: kind.to_owned(),
            stage: stage.as_str().to_owned(),
            csrf_token: csrf_token.clone(),
            created_at: now,
            last_seen_at: now,
            idle_expires_at: now + idle,
            expires_at,
            ip: ip.chars().take(64).collect(),
            user_agent: user_agent.chars().take(255).collect(),
        },
    )
    .await?;
    Ok(Started { token, csrf_token, expires_at })
}
