//! Citizen sessions in the database: a random token for the client (an HttpOnly cookie on the
//! web, a bearer token in the API), stored only as its SHA-256, with idle and absolute expiry;
//! and device tokens, which mark a browser or app the citizen signed in from before.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, DbErr};
use store::Scope;
use store::sessions::Session;
use uuid::Uuid;

use crate::{App, Client};

pub const WEB: &str = "web";
pub const API: &str = "api";

/// How long sessions live.
#[derive(Clone, Copy, Debug)]
pub struct Lifetimes {
    pub idle: Duration,
    pub absolute: Duration,
}

pub fn lifetimes(kind: &str) -> Lifetimes {
    match kind {
        API => Lifetimes { idle: Duration::days(7), absolute: Duration::days(30) },
        _ => Lifetimes { idle: Duration::hours(2), absolute: Duration::hours(12) },
    }
}

/// A new session's secrets: the token for the client and the CSRF token for its forms.
pub struct Started {
    pub token: String,
    pub csrf: String,
    pub expires_at: DateTime<Utc>,
}

/// Opens a session of `client.kind` for the citizen.
pub async fn start(app: &App, scope: Scope, citizen_id: Uuid, client: &Client<'_>) -> Result<Started, DbErr> {
    let token = access::token::new_token();
    let csrf = access::token::new_token();
    let now = Utc::now();
    let life = lifetimes(client.kind);
    let expires_at = now + life.absolute;
    store::sessions::insert(
        &app.db,
        scope,
        Session {
            id_hash: access::token::hash_token(&token),
            tenant_id: scope.tenant_id(),
            citizen_id,
            kind: client.kind.to_owned(),
            csrf_token: csrf.clone(),
            created_at: now,
            last_seen_at: now,
            idle_expires_at: now + life.idle,
            expires_at,
            ip: client.ip.chars().take(45).collect(),
            user_agent: client.user_agent.chars().take(255).collect(),
        },
    )
    .await?;
    Ok(Started { token, csrf, expires_at })
}

/// Ends the session with this token (a cookie or a bearer token); unknown tokens are ignored.
pub async fn sign_out(app: &App, scope: Scope, token: &str) -> Result<(), DbErr> {
    end(app, scope, &access::token::hash_token(token)).await
}

/// Ends the session stored under this hash.
pub async fn end(app: &App, scope: Scope, id_hash: &str) -> Result<(), DbErr> {
    store::sessions::delete(&app.db, scope, id_hash).await
}

/// Issues a device token for this citizen and remembers its hash.
pub async fn remember_device<C: ConnectionTrait>(conn: &C, scope: Scope, citizen_id: Uuid) -> Result<String, DbErr> {
    let token = access::token::new_token();
    store::known_devices::remember(conn, scope, citizen_id, &access::token::hash_token(&token), Utc::now()).await?;
    Ok(token)
}
