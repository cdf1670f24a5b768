//! Slows guessing at login, registration and password reset: a few free failures per window, then a
//! lockout that doubles with each further failure. Per process: each web replica counts separately.

use moka::sync::Cache;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Keys remembered at once; beyond this the least useful are dropped, so memory stays bounded.
const MAX_KEYS: u64 = 100_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Failures allowed within one window before the first lockout.
    pub free_attempts: u32,
    pub window: Duration,
    /// Doubled with each failure after it, up to `max_lockout`.
    pub first_lockout: Duration,
    pub max_lockout: Duration,
}

impl Default for Policy {
    /// Five failures in 15 minutes, then 1 minute, 2, 4, … up to an hour.
    fn default() -> Self {
        Self {
            free_attempts: 5,
            window: Duration::from_secs(15 * 60),
            first_lockout: Duration::from_secs(60),
            max_lockout: Duration::from_secs(60 * 60),
        }
    }
}

impl Policy {
    fn lockout(&self, strikes: u32) -> Duration {
        let factor = 1u32.checked_shl(strikes).unwrap_or(u32::MAX);
        self.first_lockout.saturating_mul(factor).min(self.max_lockout)
    }
}

/// How long the caller must wait; the web layer turns it into `429` with `Retry-After`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("too many attempts; try again in {} seconds", self.seconds())]
pub struct RetryAfter(pub Duration);

impl RetryAfter {
    /// Whole seconds, rounded up so a client that waits this long is let in.
    pub fn seconds(&self) -> u64 {
        self.0.as_secs() + u64::from(self.0.subsec_nanos() > 0)
    }
}

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Instant;
}

#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// A clock that moves only when told to, for tests.
#[derive(Clone, Debug)]
pub struct ManualClock(Arc<Mutex<Instant>>);

impl Default for ManualClock {
    fn default() -> Self {
        Self(Arc::new(Mutex::new(Instant::now())))
    }
}

impl ManualClock {
    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[derive(Clone, Copy, Debug)]
struct Record {
    window_start: Instant,
    failures: u32,
    /// Lockouts so far; once there is one, every further failure locks again, for longer.
    strikes: u32,
    locked_until: Option<Instant>,
}

impl Record {
    fn fresh(now: Instant) -> Self {
        Self { window_start: now, failures: 0, strikes: 0, locked_until: None }
    }

    /// A quiet window after the window opened, or after the last lockout ended, wipes the slate.
    fn is_stale(&self, now: Instant, policy: &Policy) -> bool {
        let quiet_since = self.locked_until.unwrap_or(self.window_start);
        now.saturating_duration_since(quiet_since) >= policy.window
    }

    fn locked_at(&self, now: Instant) -> Option<Duration> {
        self.locked_until.filter(|until| *until > now).map(|until| until - now)
    }

    fn fail(mut self, now: Instant, policy: &Policy) -> Self {
        if self.locked_at(now).is_some() {
            return self;
        }
        self.failures = self.failures.saturating_add(1);
        if self.strikes > 0 || self.failures >= policy.free_attempts {
            self.locked_until = Some(now + policy.lockout(self.strikes));
            self.strikes = self.strikes.saturating_add(1);
        }
        self
    }
}

/// Cheap to clone; clones share their counts.
#[derive(Clone)]
pub struct RateLimiter {
    policy: Policy,
    records: Cache<String, Record>,
    clock: Arc<dyn Clock>,
}

impl RateLimiter {
    pub fn new(policy: Policy) -> Self {
        Self::with_clock(policy, Arc::new(SystemClock))
    }

    pub fn with_clock(policy: Policy, clock: Arc<dyn Clock>) -> Self {
        let records = Cache::builder()
            .max_capacity(MAX_KEYS)
            .time_to_idle(policy.window.saturating_add(policy.max_lockout))
            .build();
        Self { policy, records, clock }
    }

    /// Call before the attempt: `Err` while `key` is locked out.
    pub fn check(&self, key: &str) -> Result<(), RetryAfter> {
        let now = self.clock.now();
        match self.records.get(key).and_then(|record| record.locked_at(now)) {
            Some(wait) => Err(RetryAfter(wait)),
            None => Ok(()),
        }
    }

    /// Call after a failed attempt (wrong password, refused registration).
    pub fn record_failure(&self, key: &str) {
        let now = self.clock.now();
        let policy = self.policy;
        self.records.entry_by_ref(key).and_upsert_with(|existing| {
            existing
                .map(|entry| entry.into_value())
                .filter(|record| !record.is_stale(now, &policy))
                .unwrap_or_else(|| Record::fresh(now))
                .fail(now, &policy)
        });
    }

    /// Call after a success: the key starts again with its free attempts.
    pub fn reset(&self, key: &str) {
        self.records.invalidate(key);
    }

    /// For actions where every attempt counts, successful or not (sending reset e-mails): checks,
    /// then counts this attempt.
    pub fn attempt(&self, key: &str) -> Result<(), RetryAfter> {
        self.check(key)?;
        self.record_failure(key);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    fn limiter() -> (RateLimiter, ManualClock) {
        let clock = ManualClock::default();
        (RateLimiter::with_clock(Policy::default(), Arc::new(clock.clone())), clock)
    }

    fn fail(limiter: &RateLimiter, key: &str, times: u32) {
        for _ in 0..times {
            limiter.record_failure(key);
        }
    }

    #[test]
    fn five_failures_lock_the_key_for_a_minute() {
        let (limiter, clock) = limiter();
        fail(&limiter, "login:ip:192.0.2.1", 4);
        assert_eq!(limiter.check("login:ip:192.0.2.1"), Ok(()));
        limiter.record_failure("login:ip:192.0.2.1");
        assert_eq!(limiter.check("login:ip:192.0.2.1"), Err(RetryAfter(MINUTE)));
        clock.advance(Duration::from_secs(59));
        assert_eq!(limiter.check("login:ip:192.0.2.1"), Err(RetryAfter(Duration::from_secs(1))));
        clock.advance(Duration::from_secs(1));
        assert_eq!(limiter.check("login:ip:192.0.2.1"), Ok(()));
    }

    #[test]
    fn each_further_failure_doubles_the_lockout_up_to_an_hour() {
        let (limiter, clock) = limiter();
        fail(&limiter, "k", 5);
        for minutes in [2, 4, 8, 16, 32, 60, 60] {
            let Err(RetryAfter(wait)) = limiter.check("k") else { panic!("expected a lockout") };
            clock.advance(wait);
            limiter.record_failure("k");
            assert_eq!(limiter.check("k"), Err(RetryAfter(MINUTE * minutes)));
        }
    }

    #[test]
    fn failures_while_locked_do_not_extend_the_lockout() {
        let (limiter, clock) = limiter();
        fail(&limiter, "k", 5);
        clock.advance(Duration::from_secs(30));
        fail(&limiter, "k", 10);
        assert_eq!(limiter.check("k"), Err(RetryAfter(Duration::from_secs(30))));
    }

    #[test]
    fn failures_spread_over_more_than_a_window_do_not_add_up() {
        let (limiter, clock) = limiter();
        fail(&limiter, "k", 4);
        clock.advance(MINUTE * 15);
        fail(&limiter, "k", 4);
        assert_eq!(limiter.check("k"), Ok(()));
    }

    #[test]
    fn a_quiet_window_after_a_lockout_forgives_it() {
        let (limiter, clock) = limiter();
        fail(&limiter, "k", 5);
        clock.advance(MINUTE + MINUTE * 15);
        fail(&limiter, "k", 4);
        assert_eq!(limiter.check("k"), Ok(()));
        limiter.record_failure("k");
        assert_eq!(limiter.check("k"), Err(RetryAfter(MINUTE)));
    }

    #[test]
    fn success_resets_and_keys_are_independent() {
        let (limiter, _clock) = limiter();
        fail(&limiter, "login:acct:demo:1", 5);
        assert!(limiter.check("login:acct:demo:1").is_err());
        assert_eq!(limiter.check("login:acct:demo:2"), Ok(()));
        limiter.reset("login:acct:demo:1");
        assert_eq!(limiter.check("login:acct:demo:1"), Ok(()));
    }

    #[test]
    fn attempt_counts_every_call() {
        let (limiter, _clock) = limiter();
        for _ in 0..5 {
            assert_eq!(limiter.attempt("forgot:ip:192.0.2.1"), Ok(()));
        }
        assert_eq!(limiter.attempt("forgot:ip:192.0.2.1"), Err(RetryAfter(MINUTE)));
    }

    #[test]
    fn clones_share_counts() {
        let (limiter, _clock) = limiter();
        let other = limiter.clone();
        fail(&other, "k", 5);
        assert!(limiter.check("k").is_err());
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(RetryAfter(Duration::from_millis(1500)).seconds(), 2);
        assert_eq!(RetryAfter(Duration::from_secs(60)).seconds(), 60);
    }
}
