//! Staff accounts: signing in with password and TOTP, enrolment, recovery codes, and managing
//! the municipality's staff (command line, demo accounts, invitations, roles, narrowing).

pub mod manage;
pub mod sign_in;

use access::authz::Role;
use store::tenants::TenantRecord;

/// Whether this role must give a TOTP code in this tenant: admins always, officers unless the
/// tenant turned it off.
pub fn totp_required(tenant: &TenantRecord, roles: &[Role]) -> bool {
    roles.contains(&Role::Admin) || tenant.settings.back_office.officer_totp
}
