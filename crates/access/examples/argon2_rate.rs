//! The ceiling of logins for bench/speed.py: bare argon2id verifies with the product's own
//! parameters (OWASP: 19 MiB, 2 passes, 1 lane), one thread per core, for a few seconds.
//! Prints `verifies_per_sec <n>`. `cargo run --release -p access --example argon2_rate -- 5`
use argon2::{Argon2, PasswordHash, PasswordVerifier as _};
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let seconds: f64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(5.0);
    let phc = access::password::PasswordHasher::new().hash("Kh0nKaen-rice-field-2569".into()).await?;
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let until = Instant::now() + Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let counts: Vec<u64> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let phc = phc.clone();
                scope.spawn(move || {
                    let hash = PasswordHash::new(&phc).expect("a PHC string");
                    let mut n = 0;
                    while Instant::now() < until {
                        let ok = Argon2::default().verify_password(b"Kh0nKaen-rice-field-2569", &hash).is_ok();
                        assert!(ok);
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or(0)).collect()
    });
    let total: u64 = counts.iter().sum();
    println!("verifies_per_sec {:.1} threads {threads}", total as f64 / started.elapsed().as_secs_f64());
    Ok(())
}
