//! Refusals that many operations share, each status described once, for their `responses(...)`:
//! every body is the shared `Error` schema.

#![allow(dead_code)] // never built: they only describe the answers `AppError` renders

use utoipa::IntoResponses;

use crate::ErrorBody;

/// A body that is not JSON
#[derive(IntoResponses)]
#[response(status = 400)]
pub struct NotJson(ErrorBody<'static>);

/// A body that is not multipart form data
#[derive(IntoResponses)]
#[response(status = 400)]
pub struct NotMultipart(ErrorBody<'static>);

/// No live staff session of this tenant
#[derive(IntoResponses)]
#[response(status = 401)]
pub struct NoStaffSession(ErrorBody<'static>);

/// Without the permission, or outside the officer's categories
#[derive(IntoResponses)]
#[response(status = 403)]
pub struct NoPermission(ErrorBody<'static>);

/// Without the permission `tenant/configure` (admins only)
#[derive(IntoResponses)]
#[response(status = 403)]
pub struct NotAdmin(ErrorBody<'static>);

/// No such record in this tenant (or no municipality at this host)
#[derive(IntoResponses)]
#[response(status = 404)]
pub struct NotInTenant(ErrorBody<'static>);

/// `stale`: the settings changed since `revision` (the message names who saved first and when);
/// nothing is saved
#[derive(IntoResponses)]
#[response(status = 409)]
pub struct StaleSettings(ErrorBody<'static>);

/// A query parameter of the wrong kind; `fields` names it
#[derive(IntoResponses)]
#[response(status = 422)]
pub struct InvalidQuery(ErrorBody<'static>);

/// A wrong field; `fields` names each with a translated message
#[derive(IntoResponses)]
#[response(status = 422)]
pub struct InvalidField(ErrorBody<'static>);
