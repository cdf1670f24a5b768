//! Permissions as capabilities. casbin decides (RBAC with domains, the domain being the tenant,
//! policies in the database), and a yes comes back as a `Granted<P>` that only this module can
//! make: the use case that needs permission `P` takes one, so a route that skipped the check
//! does not compile.

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use casbin::{Adapter, CoreApi, DefaultModel, Enforcer, Filter, Model};
use moka::future::Cache;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};
use store::Scope;
use store::access_rules::{self, Line};
use uuid::Uuid;

use crate::operator::SignedInOperator;
use crate::staff::{SignedInStaff, Stage};

const MODEL: &str = include_str!("../rbac/model.conf");
const ROLES: &str = include_str!("../rbac/roles.csv");

mod sealed {
    pub trait Sealed {}
}

/// Something a staff member may be allowed to do: a casbin object and action.
pub trait Permission: sealed::Sealed + Send + Sync + 'static {
    const OBJECT: &'static str;
    const ACTION: &'static str;
}

macro_rules! permissions {
    ($($(#[$doc:meta])* $name:ident = $object:literal / $action:literal;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug)]
        pub struct $name;
        impl sealed::Sealed for $name {}
        impl Permission for $name {
            const OBJECT: &'static str = $object;
            const ACTION: &'static str = $action;
        }
    )*};
}

permissions! {
    /// See the identity and request queues, a request's page and the dashboard.
    ViewQueues = "queues" / "view";
    /// Approve or reject a citizen's identity.
    DecideIdentity = "identities" / "decide";
    /// Receive, assign, move, annotate requests.
    ProcessRequests = "requests" / "process";
    /// Download the filtered queue as CSV.
    ExportRequests = "requests" / "export";
    /// Attach and revoke receipts and licences.
    IssueDocuments = "documents" / "issue";
    /// Read the audit trail.
    ReadAudit = "audit" / "read";
    /// Invite, deactivate, change the role of staff.
    ManageStaff = "staff" / "manage";
    /// Branding, terms, identity rules, categories, forms.
    ConfigureTenant = "tenant" / "configure";
}

/// Something only a platform operator may do, in the platform domain (never a tenant's).
pub trait PlatformPermission: sealed::Sealed + Send + Sync + 'static {
    const OBJECT: &'static str;
    const ACTION: &'static str;
}

/// Onboard municipalities, see their usage, suspend and resume them.
#[derive(Clone, Copy, Debug)]
pub struct ManageTenants;
impl sealed::Sealed for ManageTenants {}
impl PlatformPermission for ManageTenants {
    const OBJECT: &'static str = "tenants";
    const ACTION: &'static str = "manage";
}

/// The casbin domain of platform-wide roles.
pub const PLATFORM: &str = "platform";

/// The platform role (`g, operator:<id>, operator, platform`).
pub const OPERATOR_ROLE: &str = "operator";

/// Which operator acts, as the audit trail records them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperatorActing {
    pub operator_id: Uuid,
    pub email: String,
    pub ip: String,
}

/// Proof that the enforcer allowed platform permission `P` to this operator.
#[derive(Clone, Debug)]
pub struct PlatformGranted<P: PlatformPermission> {
    acting: OperatorActing,
    _permission: PhantomData<P>,
}

impl<P: PlatformPermission> PlatformGranted<P> {
    pub fn acting(&self) -> &OperatorActing {
        &self.acting
    }
}

/// A tenant role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    Officer,
    Admin,
}

impl Role {
    pub const ALL: [Role; 2] = [Role::Officer, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Officer => "officer",
            Self::Admin => "admin",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == raw.trim())
    }
}

/// Which sub-menus' requests a staff member reaches: every one, or those of some categories.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reach {
    All,
    Categories(Arc<[Uuid]>),
}

impl Reach {
    pub fn includes(&self, category: Uuid) -> bool {
        match self {
            Self::All => true,
            Self::Categories(ids) => ids.contains(&category),
        }
    }
}

/// Who acts, as the audit trail records them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Acting {
    pub staff_id: Uuid,
    pub email: String,
    pub name: String,
    pub ip: String,
}

/// Proof that the enforcer allowed permission `P` to this staff member in this tenant.
#[derive(Clone, Debug)]
pub struct Granted<P: Permission> {
    scope: Scope,
    acting: Acting,
    reach: Reach,
    _permission: PhantomData<P>,
}

impl<P: Permission> Granted<P> {
    pub fn scope(&self) -> Scope {
        self.scope
    }

    pub fn acting(&self) -> &Acting {
        &self.acting
    }

    pub fn reach(&self) -> &Reach {
        &self.reach
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AuthzError {
    #[error("not allowed")]
    Denied,
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error("access policy: {0}")]
    Policy(String),
}

fn subject(staff_id: Uuid) -> String {
    format!("staff:{staff_id}")
}

fn operator_subject(operator_id: Uuid) -> String {
    format!("operator:{operator_id}")
}

/// Decides with one casbin enforcer per tenant, loaded from the database and kept for `ttl`, so
/// a change made on one replica holds on every replica within that time.
#[derive(Clone)]
pub struct Authorizer {
    db: DatabaseConnection,
    enforcers: Cache<Scope, Arc<Enforcer>>,
    /// The platform domain's enforcer (operators), under the one key `()`.
    platform: Cache<(), Arc<Enforcer>>,
}

impl std::fmt::Debug for Authorizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authorizer").field("tenants_cached", &self.enforcers.entry_count()).finish()
    }
}

impl Authorizer {
    pub fn new(db: DatabaseConnection, ttl: Duration) -> Self {
        Self {
            db,
            enforcers: Cache::builder().max_capacity(10_000).time_to_live(ttl).build(),
            platform: Cache::builder().max_capacity(1).time_to_live(ttl).build(),
        }
    }

    async fn enforcer(&self, scope: Scope) -> Result<Arc<Enforcer>, AuthzError> {
        let adapter = RuleAdapter { db: self.db.clone(), scope: Some(scope) };
        self.enforcers.try_get_with(scope, load(adapter)).await.map_err(|e: Arc<String>| AuthzError::Policy(e.to_string()))
    }

    async fn platform_enforcer(&self) -> Result<Arc<Enforcer>, AuthzError> {
        let adapter = RuleAdapter { db: self.db.clone(), scope: None };
        self.platform.try_get_with((), load(adapter)).await.map_err(|e: Arc<String>| AuthzError::Policy(e.to_string()))
    }

    /// Asks the platform enforcer; a yes is the capability an operator's use case needs.
    pub async fn grant_platform<P: PlatformPermission>(&self, who: &SignedInOperator) -> Result<PlatformGranted<P>, AuthzError> {
        let ask = |enforcer: Arc<Enforcer>| {
            enforcer.enforce((operator_subject(who.id()), PLATFORM, P::OBJECT, P::ACTION)).map_err(|e| AuthzError::Policy(e.to_string()))
        };
        let mut allowed = ask(self.platform_enforcer().await?)?;
        if !allowed {
            // An operator added since this replica loaded the platform lines (by the command on
            // another process) holds a live session already: look once more before refusing.
            self.invalidate_platform().await;
            allowed = ask(self.platform_enforcer().await?)?;
        }
        if !allowed {
            return Err(AuthzError::Denied);
        }
        let acting = OperatorActing { operator_id: who.id(), email: who.operator().email.clone(), ip: who.ip().to_owned() };
        Ok(PlatformGranted { acting, _permission: PhantomData })
    }

    /// Gives the operator the platform role (inside the caller's transaction).
    pub async fn make_operator<C: ConnectionTrait>(conn: &C, operator_id: Uuid) -> Result<(), DbErr> {
        let line = Line { ptype: "g".into(), values: [operator_subject(operator_id), OPERATOR_ROLE.into(), PLATFORM.into()] };
        access_rules::unscoped_add_platform(conn, &line).await.map(drop)
    }

    /// Forgets the platform enforcer here after a change (other replicas reload within the TTL).
    pub async fn invalidate_platform(&self) {
        self.platform.invalidate(&()).await;
    }

    /// Whether the staff member may do `P` in the tenant.
    pub async fn allows<P: Permission>(&self, scope: Scope, staff_id: Uuid) -> Result<bool, AuthzError> {
        let enforcer = self.enforcer(scope).await?;
        let tenant = scope.tenant_id().to_string();
        enforcer
            .enforce((subject(staff_id), tenant, P::OBJECT, P::ACTION))
            .map_err(|e| AuthzError::Policy(e.to_string()))
    }

    /// Asks the enforcer; a yes is the capability the use case needs. Only a fully signed-in
    /// staff member (password and, where required, TOTP) can be granted anything.
    pub async fn grant<P: Permission>(&self, who: &SignedInStaff) -> Result<Granted<P>, AuthzError> {
        if who.stage() != Stage::Full || !self.allows::<P>(who.scope(), who.id()).await? {
            return Err(AuthzError::Denied);
        }
        let roles = self.roles(who.scope(), who.id()).await?;
        // Narrowing holds for officers; an admin reaches every category.
        let reach = if roles.contains(&Role::Admin) || who.categories().is_empty() {
            Reach::All
        } else {
            Reach::Categories(who.categories().into())
        };
        Ok(Granted { scope: who.scope(), acting: who.acting(), reach, _permission: PhantomData })
    }

    /// The staff member's roles in the tenant.
    pub async fn roles(&self, scope: Scope, staff_id: Uuid) -> Result<Vec<Role>, AuthzError> {
        let enforcer = self.enforcer(scope).await?;
        let tenant = scope.tenant_id().to_string();
        let sub = subject(staff_id);
        Ok(enforcer
            .get_model()
            .get_policy("g", "g")
            .into_iter()
            .filter(|rule| rule.len() >= 3 && rule[0] == sub && rule[2] == tenant)
            .filter_map(|rule| Role::parse(&rule[1]))
            .collect())
    }

    /// Forgets the tenant's enforcer here after a change (other replicas reload within the TTL).
    pub async fn invalidate(&self, scope: Scope) {
        self.enforcers.invalidate(&scope).await;
    }

    /// Makes `role` the staff member's only role in the tenant (inside the caller's transaction).
    pub async fn assign_role<C: ConnectionTrait>(conn: &C, scope: Scope, staff_id: Uuid, role: Role) -> Result<(), DbErr> {
        let sub = subject(staff_id);
        access_rules::remove_for_subject(conn, scope, &sub).await?;
        let line = Line { ptype: "g".into(), values: [sub, role.as_str().into(), scope.tenant_id().to_string()] };
        access_rules::add(conn, scope, &line).await
    }

    /// Removes every role of the staff member in the tenant.
    pub async fn revoke_roles<C: ConnectionTrait>(conn: &C, scope: Scope, staff_id: Uuid) -> Result<(), DbErr> {
        access_rules::remove_for_subject(conn, scope, &subject(staff_id)).await.map(|_| ())
    }

    /// Makes the platform-wide permission lines match `rbac/roles.csv` (run at start-up).
    pub async fn install_roles<C: ConnectionTrait>(conn: &C) -> Result<(), DbErr> {
        let wanted = role_lines();
        for line in &wanted {
            access_rules::unscoped_add_platform(conn, line).await?;
        }
        for line in access_rules::unscoped_platform(conn).await? {
            if line.ptype == "p" && !wanted.contains(&line) {
                access_rules::unscoped_remove_platform(conn, &line).await?;
            }
        }
        Ok(())
    }
}

async fn load(adapter: RuleAdapter) -> Result<Arc<Enforcer>, String> {
    let model = DefaultModel::from_str(MODEL).await.map_err(|e| e.to_string())?;
    Enforcer::new(model, adapter).await.map(Arc::new).map_err(|e| e.to_string())
}

/// The `p` lines of `rbac/roles.csv`.
fn role_lines() -> Vec<Line> {
    ROLES
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let parts: Vec<&str> = l.split(',').map(str::trim).collect();
            match parts.as_slice() {
                ["p", role, object, action] => Some(Line {
                    ptype: "p".into(),
                    values: [(*role).into(), (*object).into(), (*action).into()],
                }),
                _ => None,
            }
        })
        .collect()
}

/// casbin's adapter on sea-orm: loads a tenant's policy lines and the platform-wide ones, or (no
/// scope) the platform-wide ones only.
/// Policies change through [`Authorizer::assign_role`] in the use case's own transaction, never
/// through the enforcer, so the write half refuses.
struct RuleAdapter {
    db: DatabaseConnection,
    scope: Option<Scope>,
}

fn adapter_error(message: String) -> casbin::Error {
    casbin::error::AdapterError(message.into()).into()
}

const READ_ONLY: &str = "policies change through access::Authorizer, not through the enforcer";

#[async_trait]
impl Adapter for RuleAdapter {
    async fn load_policy(&mut self, m: &mut dyn Model) -> casbin::Result<()> {
        let lines = match self.scope {
            Some(scope) => access_rules::for_tenant(&self.db, scope).await,
            None => access_rules::unscoped_platform(&self.db).await,
        }
        .map_err(|e| adapter_error(e.to_string()))?;
        for line in lines {
            let sec = if line.ptype == "p" { "p" } else { "g" };
            if let Some(assertion) = m.get_mut_model().get_mut(sec).and_then(|map| map.get_mut(&line.ptype)) {
                assertion.get_mut_policy().insert(line.values.to_vec());
            }
        }
        Ok(())
    }

    async fn load_filtered_policy<'a>(&mut self, m: &mut dyn Model, _f: Filter<'a>) -> casbin::Result<()> {
        self.load_policy(m).await
    }

    async fn save_policy(&mut self, _m: &mut dyn Model) -> casbin::Result<()> {
        Err(adapter_error(READ_ONLY.into()))
    }

    async fn clear_policy(&mut self) -> casbin::Result<()> {
        Err(adapter_error(READ_ONLY.into()))
    }

    fn is_filtered(&self) -> bool {
        false
    }

    async fn add_policy(&mut self, _sec: &str, _ptype: &str, _rule: Vec<String>) -> casbin::Result<bool> {
        Err(adapter_error(READ_ONLY.into()))
    }

    async fn add_policies(&mut self, _sec: &str, _ptype: &str, _rules: Vec<Vec<String>>) -> casbin::Result<bool> {
        Err(adapter_error(READ_ONLY.into()))
    }

    async fn remove_policy(&mut self, _sec: &str, _ptype: &str, _rule: Vec<String>) -> casbin::Result<bool> {
        Err(adapter_error(READ_ONLY.into()))
    }

    async fn remove_policies(&mut self, _sec: &str, _ptype: &str, _rules: Vec<Vec<String>>) -> casbin::Result<bool> {
        Err(adapter_error(READ_ONLY.into()))
    }

    async fn remove_filtered_policy(
        &mut self,
        _sec: &str,
        _ptype: &str,
        _field_index: usize,
        _field_values: Vec<String>,
    ) -> casbin::Result<bool> {
        Err(adapter_error(READ_ONLY.into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_line_names_a_known_role() {
        let lines = role_lines();
        assert!(lines.len() >= 13, "{lines:?}");
        assert!(lines.iter().all(|l| Role::parse(&l.values[0]).is_some() || l.values[0] == OPERATOR_ROLE), "{lines:?}");
        // The platform role is for platform objects only, and no tenant role reaches them.
        let objects_of = |role: &str| lines.iter().filter(|l| l.values[0] == role).map(|l| l.values[1].clone()).collect::<Vec<_>>();
        assert_eq!(objects_of(OPERATOR_ROLE), vec![ManageTenants::OBJECT.to_owned()]);
        assert!(Role::ALL.iter().all(|r| !objects_of(r.as_str()).contains(&ManageTenants::OBJECT.to_owned())));
        let admin_only = |object: &str| {
            lines.iter().any(|l| l.values[0] == "admin" && l.values[1] == object)
                && !lines.iter().any(|l| l.values[0] == "officer" && l.values[1] == object)
        };
        assert!(admin_only("staff") && admin_only("audit") && admin_only("tenant"));
    }
}
