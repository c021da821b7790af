//! Password hashes: argon2id with the crate's default parameters and a random salt, as a PHC
//! string. Hashing is slow on purpose, so it runs on tokio's blocking threads.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use super::error::StoreError;

/// The PHC string (`$argon2id$v=19$…`) of `password`.
pub(crate) async fn hash(password: &str) -> Result<String, StoreError> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|_| StoreError::Hashing)
    })
    .await
    .map_err(|_| StoreError::Hashing)?
}

/// Whether `password` is the one `stored` is the hash of. A hash that cannot be read matches
/// nothing.
pub(crate) async fn verify(stored: &str, password: &str) -> Result<bool, StoreError> {
    let (stored, password) = (stored.to_string(), password.to_string());
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .map_err(|_| StoreError::Hashing)
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
    }
}
