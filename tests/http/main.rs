//! The HTTP suite: every test boots the real app on its own database (SQLite by default,
//! PostgreSQL when `TEST_DATABASE_URL` is set).

mod admin;
mod auth;
mod backoffice;
mod english;
mod foundation;
mod openapi;
mod operator;
mod registration;
mod server;
mod services;
mod requests;
mod tenancy;
