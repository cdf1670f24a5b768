//! The embedded demo's staff: on start, every tenant without staff gets an officer and an admin
//! with a random password and TOTP already on. Their sign-in details are printed once and
//! written to `<data dir>/demo-staff.txt`; `eservice staff totp-code` gives the current code, so
//! a newcomer reaches the back office without a phone.

use std::fmt::Write as _;

use access::authz::Role;

use crate::state::AppState;

pub const FILE: &str = "demo-staff.txt";

/// `officer@<slug>.demo` and `admin@<slug>.demo`.
pub fn email(role: Role, slug: &str) -> String {
    format!("{}@{slug}.demo", role.as_str())
}

pub async fn ensure(state: &AppState) -> anyhow::Result<()> {
    if !state.config.demo_staff || state.config.sqlite_path().is_none() {
        return Ok(());
    }
    let mut written = String::new();
    for tenant in store::tenants::list(&state.db).await? {
        if !store::staff::list(&state.db, tenant.scope()).await?.is_empty() {
            continue;
        }
        for (role, name) in [(Role::Officer, "เจ้าหน้าที่ทดลอง (demo officer)"), (Role::Admin, "ผู้ดูแลทดลอง (demo admin)")] {
            let email = email(role, &tenant.slug);
            let password = access::token::new_token().chars().filter(char::is_ascii_alphanumeric).take(16).collect::<String>();
            let (_, secret) = app::staff::manage::create_demo(&state.app, &tenant, &email, name, role, &password)
                .await
                .map_err(|e| anyhow::anyhow!("creating demo staff {email}: {e}"))?;
            let _ = writeln!(
                written,
                "{origin}/staff/login  {role:<7}  e-mail {email}  password {password}  TOTP secret {secret}",
                origin = state.tenant_origin(&tenant),
                role = role.as_str(),
            );
        }
    }
    if written.is_empty() {
        return Ok(());
    }
    let path = state.config.data_dir.join(FILE);
    let mut text = String::from(
        "# Demo staff of the embedded mode (shown once). The current TOTP code:\n#   eservice staff totp-code --tenant <slug> --email <e-mail>\n",
    );
    text.push_str(&written);
    std::fs::create_dir_all(&state.config.data_dir)?;
    std::fs::write(&path, &text)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
    }
    eprintln!("\n{text}(also written to {})\n", path.display());
    Ok(())
}
