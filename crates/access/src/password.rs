//! Password hashing with argon2id at OWASP's parameters, run on the blocking pool behind a semaphore
//! sized to the cores, so a burst of logins neither stalls the async runtime nor exhausts memory.
//! Each hash works in one of a few reused 19 MiB buffers, so a login flood costs no page faults
//! for fresh memory and resident memory stays at (cores x 19 MiB) however long it lasts.

use anyhow::{Context, anyhow};
use argon2::password_hash::phc::{Output, Salt};
use argon2::{Algorithm, Argon2, Block, Params, PasswordHash, Version};
use std::num::NonZero;
use std::sync::{Arc, Mutex, PoisonError};
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
    memory: Arc<MemoryPool>,
}

/// Argon2 working memory for the current parameters, one buffer per hashing slot, kept between
/// hashes. A stored hash made with other parameters gets a buffer of its own, dropped after use.
#[derive(Debug, Default)]
struct MemoryPool {
    free: Mutex<Vec<Vec<Block>>>,
}

impl MemoryPool {
    fn take(&self, blocks: usize) -> Vec<Block> {
        let reused = self.free.lock().unwrap_or_else(PoisonError::into_inner).pop();
        match reused {
            Some(buffer) if buffer.len() == blocks => buffer,
            _ => vec![Block::default(); blocks],
        }
    }

    fn give_back(&self, buffer: Vec<Block>, blocks: usize) {
        if buffer.len() == blocks {
            self.free.lock().unwrap_or_else(PoisonError::into_inner).push(buffer);
        }
    }
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
            memory: Arc::new(MemoryPool::default()),
        }
    }

    /// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) with a fresh random salt.
    pub async fn hash(&self, password: String) -> anyhow::Result<String> {
        let (argon2, memory) = (self.argon2.clone(), self.memory.clone());
        self.run_blocking(move || {
            let mut salt = [0u8; 16];
            rand::fill(&mut salt);
            let output = compute(&argon2, &memory, password.as_bytes(), &salt)?;
            let hash = PasswordHash {
                algorithm: Algorithm::Argon2id.ident(),
                version: Some(Version::V0x13.into()),
                params: argon2.params().try_into().map_err(|e| anyhow!("encoding argon2 parameters: {e}"))?,
                salt: Some(Salt::new(&salt).map_err(|e| anyhow!("encoding a salt: {e}"))?),
                hash: Some(output),
            };
            Ok(hash.to_string())
        })
        .await?
    }

    /// `Ok(false)` for a wrong password; `Err` only when the stored hash is unusable.
    pub async fn verify(&self, password: String, phc: String) -> anyhow::Result<bool> {
        let memory = self.memory.clone();
        self.run_blocking(move || verify_blocking(&memory, &password, &phc)).await?
    }

    /// Verifies against the account's hash, or, when there is no such account, spends the same
    /// work on a throwaway hash and answers `false`, so response times do not reveal which
    /// usernames exist.
    pub async fn verify_or_dummy(&self, password: String, phc: Option<String>) -> anyhow::Result<bool> {
        match phc {
            Some(phc) => self.verify(password, phc).await,
            None => {
                let (argon2, memory) = (self.argon2.clone(), self.memory.clone());
                self.run_blocking(move || {
                    let _ = compute(&argon2, &memory, password.as_bytes(), DUMMY_SALT);
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

/// The argon2 output for `password` and `salt`, computed in a pooled buffer.
fn compute(argon2: &Argon2<'_>, memory: &MemoryPool, password: &[u8], salt: &[u8]) -> anyhow::Result<Output> {
    let params = argon2.params();
    let blocks = params.block_count();
    let mut buffer = memory.take(blocks);
    let mut out = vec![0u8; params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN)];
    let computed = argon2.hash_password_into_with_memory(password, salt, &mut out, &mut buffer);
    memory.give_back(buffer, blocks);
    computed.map_err(|e| anyhow!("running argon2: {e}"))?;
    Output::new(&out).map_err(|e| anyhow!("encoding an argon2 output: {e}"))
}

/// Recomputes the stored hash with its own algorithm, version, parameters and salt, and compares
/// the outputs in constant time (`Output`'s equality).
fn verify_blocking(memory: &MemoryPool, password: &str, phc: &str) -> anyhow::Result<bool> {
    let stored = PasswordHash::new(phc).context("parsing a stored password hash")?;
    let (Some(salt), Some(expected)) = (&stored.salt, &stored.hash) else {
        return Err(anyhow!("a stored password hash without salt or output"));
    };
    let algorithm = Algorithm::try_from(stored.algorithm.as_str()).map_err(|e| anyhow!("stored hash algorithm: {e}"))?;
    let version = stored.version.map(Version::try_from).transpose().map_err(|e| anyhow!("stored hash version: {e}"))?.unwrap_or_default();
    let params = Params::try_from(&stored).map_err(|e| anyhow!("stored hash parameters: {e}"))?;
    let params = argon2::ParamsBuilder::new()
        .m_cost(params.m_cost())
        .t_cost(params.t_cost())
        .p_cost(params.p_cost())
        .output_len(expected.len())
        .build()
        .map_err(|e| anyhow!("stored hash output length: {e}"))?;
    let argon2 = Argon2::new(algorithm, version, params);
    let computed = compute(&argon2, memory, password.as_bytes(), salt)?;
    Ok(&computed == expected)
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
    async fn hashes_agree_with_the_argon2_crates_own_hashing_and_verifying() {
        use argon2::{PasswordHasher as _, PasswordVerifier as _};
        let hasher = fast();
        let reference = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(8, 1, 1, None).unwrap());
        let theirs = reference.hash_password("สวัสดี-2569".as_bytes()).unwrap().to_string();
        assert!(hasher.verify("สวัสดี-2569".into(), theirs.clone()).await.unwrap(), "a stored hash still verifies");
        assert!(!hasher.verify("สวัสดี-2568".into(), theirs).await.unwrap());
        let ours = hasher.hash("สวัสดี-2569".into()).await.unwrap();
        assert!(reference.verify_password("สวัสดี-2569".as_bytes(), &PasswordHash::new(&ours).unwrap()).is_ok());
        // A hash made with other parameters (an older setting) verifies in a buffer of its own size.
        let older = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(16, 2, 1, None).unwrap());
        let old = older.hash_password(b"old-password").unwrap().to_string();
        assert!(hasher.verify("old-password".into(), old.clone()).await.unwrap());
        assert!(hasher.needs_rehash(&old));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_working_memory_is_reused_not_allocated_per_hash() {
        let hasher = fast();
        let phc = hasher.hash("pw-1234567890".into()).await.unwrap();
        let checks: Vec<_> = (0..32)
            .map(|_| {
                let (hasher, phc) = (hasher.clone(), phc.clone());
                tokio::spawn(async move { hasher.verify("pw-1234567890".into(), phc).await })
            })
            .collect();
        for check in checks {
            assert!(check.await.unwrap().unwrap());
        }
        let kept = hasher.memory.free.lock().unwrap().len();
        let slots = std::thread::available_parallelism().map_or(1, NonZero::get);
        assert!((1..=slots).contains(&kept), "{kept} buffers kept for {slots} hashing slots");
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
