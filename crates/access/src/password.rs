//! Password hashing with argon2id at OWASP's parameters, run on the blocking pool behind a semaphore
//! sized to the cores, so a burst of logins neither stalls the async runtime nor exhausts memory.

use anyhow::{Context, anyhow};
use argon2::password_hash::Error as HashError;
use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher as _, PasswordVerifier, Version};
use std::num::NonZero;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// OWASP Password Storage Cheat Sheet: argon2id, 19 MiB, 2 iterations, 1 lane.
const OWASP_PARAMS: Params = match Params::new(19 * 1024, 2, 1, None) {
    Ok(params) => params,
    Err(_) => panic!("OWASP argon2 parameters are valid"),
};

/// Salt for the throwaway hash that stands in for a missing account; its output is never stored.
const DUMMY_SALT: &[u8] = b"eservice-no-such-account";

#[derive(Clone, Debug)]
pub struct PasswordHasher {
    argon2: Argon2<'static>,
    permits: Arc<Semaphore>,
}

impl Default for PasswordHasher {
    fn default() -> Self {
        Self::new()
    }
}

impl PasswordHasher {
    pub fn new() -> Self {
        Self::build(OWASP_PARAMS)
    }

    /// Cheaper parameters for tests; production code uses [`PasswordHasher::new`].
    pub fn with_params(m_cost_kib: u32, t_cost: u32, p_cost: u32) -> anyhow::Result<Self> {
        let params = Params::new(m_cost_kib, t_cost, p_cost, None)
            .map_err(|e| anyhow!("invalid argon2 parameters: {e}"))?;
        Ok(Self::build(params))
    }

    fn build(params: Params) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, NonZero::get);
        Self {
            argon2: Argon2::new(Algorithm::Argon2id, Version::V0x13, params),
            permits: Arc::new(Semaphore::new(cores)),
        }
    }

    /// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) with a fresh random salt.
    pub async fn hash(&self, password: String) -> anyhow::Result<String> {
        let argon2 = self.argon2.clone();
        self.run_blocking(move || {
            argon2
                .hash_password(password.as_bytes())
                .map(|hash| hash.to_string())
                .map_err(|e| anyhow!("hashing a password: {e}"))
        })
        .await?
    }

    /// `Ok(false)` for a wrong password; `Err` only when the stored hash is unusable.
    pub async fn verify(&self, password: String, phc: String) -> anyhow::Result<bool> {
        let argon2 = self.argon2.clone();
        self.run_blocking(move || verify_blocking(&argon2, &password, &phc)).await?
    }

    /// Verifies against the account's hash, or, when there is no such account, spends the same
    /// work on a throwaway hash and answers `false`, so response times do not reveal which
    /// usernames exist.
    pub async fn verify_or_dummy(&self, password: String, phc: Option<String>) -> anyhow::Result<bool> {
        match phc {
            Some(phc) => self.verify(password, phc).await,
            None => {
                let argon2 = self.argon2.clone();
                self.run_blocking(move || {
                    let _ = argon2.hash_password_with_salt(password.as_bytes(), DUMMY_SALT);
                })
                .await?;
                Ok(false)
            }
        }
    }

    /// Whether a stored hash was made with other settings than today's and should be replaced
    /// (after a successful login, while the plain password is at hand).
    pub fn needs_rehash(&self, phc: &str) -> bool {
        let Ok(stored) = PasswordHash::new(phc) else {
            return true;
        };
        let Ok(stored_params) = Params::try_from(&stored) else {
            return true;
        };
        let current = self.argon2.params();
        stored.algorithm != Algorithm::Argon2id.ident()
            || stored.version != Some(Version::V0x13.into())
            || stored_params.m_cost() != current.m_cost()
            || stored_params.t_cost() != current.t_cost()
            || stored_params.p_cost() != current.p_cost()
    }

    async fn run_blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> anyhow::Result<T> {
        let queued = std::time::Instant::now();
        let permit =
            Arc::clone(&self.permits).acquire_owned().await.context("waiting for a password hashing slot")?;
        metrics::histogram!("argon2_queue_wait_seconds").record(queued.elapsed().as_secs_f64());
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            span.in_scope(work)
        })
        .await
        .context("running password hashing on the blocking pool")
    }
}

fn verify_blocking(argon2: &Argon2<'_>, password: &str, phc: &str) -> anyhow::Result<bool> {
    let stored = PasswordHash::new(phc).context("parsing a stored password hash")?;
    match argon2.verify_password(password.as_bytes(), &stored) {
        Ok(()) => Ok(true),
        Err(HashError::PasswordInvalid) => Ok(false),
        Err(e) => Err(anyhow!("verifying a password against its stored hash: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast() -> PasswordHasher {
        PasswordHasher::with_params(8, 1, 1).unwrap()
    }

    #[tokio::test]
    async fn a_hash_verifies_only_its_own_password() {
        let hasher = fast();
        let phc = hasher.hash("ม้าลายกินหญ้า 2567".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=8,t=1,p=1$"), "{phc}");
        assert!(hasher.verify("ม้าลายกินหญ้า 2567".into(), phc.clone()).await.unwrap());
        assert!(!hasher.verify("ม้าลายกินหญ้า 2568".into(), phc).await.unwrap());
    }

    #[tokio::test]
    async fn the_same_password_gets_a_different_salt_each_time() {
        let hasher = fast();
        let first = hasher.hash("correct horse".into()).await.unwrap();
        let second = hasher.hash("correct horse".into()).await.unwrap();
        assert_ne!(first, second);
    }

    #[tokio::test]
    async fn a_corrupt_stored_hash_is_an_error_not_a_wrong_password() {
        assert!(fast().verify("pw".into(), "not a phc string".into()).await.is_err());
    }

    #[tokio::test]
    async fn a_missing_account_never_verifies() {
        let hasher = fast();
        assert!(!hasher.verify_or_dummy("anything".into(), None).await.unwrap());
        let phc = hasher.hash("anything".into()).await.unwrap();
        assert!(hasher.verify_or_dummy("anything".into(), Some(phc)).await.unwrap());
    }

    #[tokio::test]
    async fn production_hashes_carry_the_owasp_parameters() {
        let hasher = PasswordHasher::new();
        let phc = hasher.hash("correct horse".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(!hasher.needs_rehash(&phc));
    }

    #[tokio::test]
    async fn hashes_made_with_other_settings_need_rehashing() {
        let phc = fast().hash("pw".into()).await.unwrap();
        assert!(!fast().needs_rehash(&phc));
        assert!(PasswordHasher::new().needs_rehash(&phc));
        assert!(PasswordHasher::new().needs_rehash("garbage"));
        let argon2i = phc.replacen("$argon2id$", "$argon2i$", 1);
        assert!(fast().needs_rehash(&argon2i));
    }

    #[test]
    fn impossible_parameters_are_refused() {
        assert!(PasswordHasher::with_params(8, 0, 1).is_err());
        assert!(PasswordHasher::with_params(1, 1, 1).is_err());
    }
}
