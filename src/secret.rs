//! Random secrets from the operating system's source: session ids, anti-CSRF tokens and
//! temporary passwords.

/// `N` random bytes. The operating system's random source failing is not something to go on
/// from: no secret would be safe.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the operating system's random source is available");
    bytes
}

/// 32 random bytes as 64 hexadecimal digits.
pub fn random_hex32() -> String {
    crate::digest::hex(&random_bytes::<32>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_secrets_differ() {
        let (a, b) = (random_hex32(), random_hex32());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
    }
}
