//! Temporary passwords (USNTools C.1, C.2.5): random, shown once, changed at first login.

use crate::domain::{Holder, Login, Password};
use crate::secret::random_bytes;

/// Letters and digits that cannot be mistaken for one another when read aloud or copied.
const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
const LENGTH: usize = 16;

/// A random password of 16 characters that keeps annex 2.3 for this account.
pub fn temporary_password(login: &Login, holder: &Holder) -> Password {
    loop {
        // 64 random bytes, each taken only below the largest multiple of the alphabet's size,
        // so that every character is equally likely.
        let limit = u8::try_from(256 / ALPHABET.len() * ALPHABET.len()).unwrap_or(u8::MAX);
        let text: String = random_bytes::<64>()
            .into_iter()
            .filter(|b| *b < limit)
            .take(LENGTH)
            .map(|b| char::from(ALPHABET[usize::from(b) % ALPHABET.len()]))
            .collect();
        if text.len() == LENGTH
            && let Ok(password) = Password::check(&text, login, holder)
        {
            return password;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_passwords_keep_the_rules_and_differ() {
        let login = Login::parse("mrossi").unwrap();
        let holder = Holder::parse("Rossi", "Maria", "m@c.ch", "1980-04-02").unwrap();
        let a = temporary_password(&login, &holder);
        let b = temporary_password(&login, &holder);
        assert_eq!(a.expose().len(), LENGTH);
        assert_ne!(a, b);
        assert!(Password::check(a.expose(), &login, &holder).is_ok());
    }
}
