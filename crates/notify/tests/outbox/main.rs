//! Outbox tests against a fresh database each (SQLite, or PostgreSQL with `TEST_DATABASE_URL`).

mod delivery;
mod helpers;
mod queue;
