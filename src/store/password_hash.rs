//! Password hashes: argon2id with the crate's default parameters and a random salt, as a PHC
//! string. Hashing is slow on purpose (and takes 19 MiB each), so it runs on threads of its own,
//! [`hashes_at_once`] of them, one hash each at a time: the others wait their turn for a bounded
//! time, then fail with [`StoreError::Busy`] (answered 503 with `Retry-After`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use tokio::sync::Semaphore;

use super::error::StoreError;

/// How long a hash waits for its turn before the request is refused as busy.
pub const LONGEST_WAIT: Duration = Duration::from_secs(10);

/// One hash at a time per core but one (unbounded hashing took the process
/// past 6 GiB under a flood of logins, and the fund API waited behind it).
static HASHING: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(hashes_at_once()));

/// How many hashes may run at once: the number of cores less one, which stays for the API
/// (one at least).
pub fn hashes_at_once() -> usize {
    std::thread::available_parallelism()
        .map_or(1, usize::from)
        .saturating_sub(1)
        .max(1)
}

/// The hashes running now, and the most that ever ran at once (for the tests).
static RUNNING: AtomicUsize = AtomicUsize::new(0);
static MOST_AT_ONCE: AtomicUsize = AtomicUsize::new(0);

/// The most hashes that ran at the same time since the process started.
#[cfg(test)]
fn most_hashes_at_once() -> usize {
    MOST_AT_ONCE.load(Ordering::SeqCst)
}

/// A hash to run, with the turn it holds.
type Job = Box<dyn FnOnce() + Send>;

/// The threads that hash: [`hashes_at_once`] of them, started on first use, each taking the
/// next job. Threads of their own rather than tokio's blocking pool: the allocator keeps the
/// 19 MiB a hash freed for the next allocation of the thread that freed it (glibc: in that
/// thread's arena), and the blocking pool hands the hashes to as many threads as requests
/// waited for them. 1 000 parallel login attempts, one hash at a time on
/// blocking threads, still took the process from 50 MiB to 1.2 GiB.
static HASHERS: LazyLock<Sender<Job>> = LazyLock::new(|| {
    let (jobs, queue) = channel::<Job>();
    let queue = Arc::new(Mutex::new(queue));
    for n in 0..hashes_at_once() {
        let queue = queue.clone();
        let started = std::thread::Builder::new()
            .name(format!("arcgw-hash-{n}"))
            .spawn(move || hash_jobs(&queue));
        if let Err(e) = started {
            // With no thread at all, the queue is gone and every hash fails (`Hashing`).
            tracing::error!(error = %e, "a password-hashing thread did not start");
        }
    }
    jobs
});

/// A hashing thread: runs the jobs of `queue` one after the other until the queue is gone.
fn hash_jobs(queue: &Mutex<Receiver<Job>>) {
    loop {
        // The lock is held only while waiting for the next job, not while it runs.
        let next = queue.lock().unwrap_or_else(|p| p.into_inner()).recv();
        match next {
            Ok(job) => job(),
            Err(_) => return,
        }
    }
}

/// Runs `work` on a hashing thread once a turn is free.
async fn in_turn<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, StoreError> {
    let turn = tokio::time::timeout(LONGEST_WAIT, HASHING.acquire())
        .await
        .map_err(|_| StoreError::Busy)?
        .map_err(|_| StoreError::Hashing)?;
    let (answer, result) = tokio::sync::oneshot::channel();
    // The turn goes with the work: a request given up while hashing keeps its turn until the
    // hash is done. A hash that panics answers nothing (`Hashing`) and keeps its thread.
    let job: Job = Box::new(move || {
        let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
        MOST_AT_ONCE.fetch_max(now, Ordering::SeqCst);
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
        RUNNING.fetch_sub(1, Ordering::SeqCst);
        drop(turn);
        if let Ok(value) = outcome {
            let _ = answer.send(value);
        }
    });
    HASHERS.send(job).map_err(|_| StoreError::Hashing)?;
    result.await.map_err(|_| StoreError::Hashing)
}

/// The PHC string (`$argon2id$v=19$…`) of `password`.
pub(crate) async fn hash(password: &str) -> Result<String, StoreError> {
    let password = password.to_string();
    in_turn(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|_| StoreError::Hashing)
    })
    .await?
}

/// Whether `password` is the one `stored` is the hash of. A hash that cannot be read matches
/// nothing.
pub(crate) async fn verify(stored: &str, password: &str) -> Result<bool, StoreError> {
    let (stored, password) = (stored.to_string(), password.to_string());
    in_turn(move || {
        PasswordHash::new(&stored)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
}

/// A hash of no one's password, made once: a login for an unknown user is checked against it,
/// so that it costs as long as one for a known user and timing tells nobody which logins exist.
static DUMMY: LazyLock<String> = LazyLock::new(|| {
    Argon2::default()
        .hash_password(crate::secret::random_hex32().as_bytes())
        .map(|h| h.to_string())
        .unwrap_or_default()
});

/// Compares `password` with the dummy hash: as long as [`verify`], and never a match.
pub(crate) async fn verify_dummy(password: &str) -> Result<(), StoreError> {
    let dummy = tokio::task::spawn_blocking(|| DUMMY.clone())
        .await
        .map_err(|_| StoreError::Hashing)?;
    verify(&dummy, password).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let h = hash("Correct-horse-1").await.unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify(&h, "Correct-horse-1").await.unwrap());
        assert!(!verify(&h, "correct-horse-1").await.unwrap());
        assert!(!verify("not a hash", "x").await.unwrap());
        assert_ne!(hash("Correct-horse-1").await.unwrap(), h, "salted");
        verify_dummy("anything").await.unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn no_more_hashes_run_at_once_than_allowed() {
        // 48 attempts at once; each would take a blocking thread and 19 MiB.
        let h = hash("Correct-horse-1").await.unwrap();
        let attempts: Vec<_> = (0..48)
            .map(|i| {
                let h = h.clone();
                tokio::spawn(async move { verify(&h, &format!("guess-{i}")).await })
            })
            .collect();
        for attempt in attempts {
            match attempt.await.unwrap() {
                Ok(matched) => assert!(!matched),
                // On a busy machine a turn may not come within LONGEST_WAIT: the limit at
                // work too.
                Err(StoreError::Busy) => {}
                Err(e) => panic!("{e}"),
            }
        }
        let most = most_hashes_at_once();
        assert!(most >= 1);
        assert!(
            most <= hashes_at_once(),
            "{most} hashes ran at once, more than {}",
            hashes_at_once()
        );
    }
}
