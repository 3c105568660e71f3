//! Card numbers: generated Luhn-valid in a test range and kept only encrypted.
//!
//! The card network is simulated: numbers come from the `400000` test range, which no real
//! issuer uses, and nothing leaves this server. A real deployment would call its processor
//! here instead; the rest of the server only sees [`CardVault::issue_number`].

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use kycard_core::card::{last4, luhn_check_digit};
use std::path::Path;
use uuid::Uuid;

/// Test range prefix (no real issuer uses it).
const TEST_RANGE: &str = "400000";
/// Card numbers are 16 digits.
const NUMBER_LENGTH: usize = 16;
const NONCE_LEN: usize = 12;

/// Why the vault could not start or work.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// The key file cannot be read or made.
    #[error("card key file {path}: {source}")]
    KeyFile {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The key file does not hold 32 bytes (raw or 64 hex digits).
    #[error("card key file {0} must hold exactly 32 bytes (raw, or 64 hexadecimal digits)")]
    BadKey(String),
    /// Encryption failed.
    #[error("card number encryption failed")]
    Crypto,
}

/// Encrypts card numbers with AES-256-GCM under a key kept in a file.
pub struct CardVault {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for CardVault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CardVault { .. }")
    }
}

/// A fresh number: what the API may show, and what is stored.
#[derive(Debug, Clone)]
pub struct IssuedNumber {
    /// Last four digits.
    pub last4: String,
    /// Nonce followed by ciphertext.
    pub encrypted: Vec<u8>,
}

impl CardVault {
    /// Loads the key from `path`, creating a new random one (mode 0600) when `create` is set
    /// and the file does not exist.
    pub fn open(path: &Path, create: bool) -> Result<Self, VaultError> {
        let shown = path.display().to_string();
        let key_error = |source| VaultError::KeyFile { path: shown.clone(), source };
        if create && !path.exists() {
            let mut key = [0u8; 32];
            getrandom::fill(&mut key).map_err(|_| VaultError::Crypto)?;
            write_private(path, hex::encode(key).as_bytes()).map_err(key_error)?;
        }
        let raw = std::fs::read(path).map_err(key_error)?;
        let text = String::from_utf8_lossy(&raw);
        let key: Vec<u8> = match hex::decode(text.trim()) {
            Ok(bytes) if bytes.len() == 32 => bytes,
            _ if raw.len() == 32 => raw,
            _ => return Err(VaultError::BadKey(shown)),
        };
        Ok(Self { cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key)) })
    }

    /// A new Luhn-valid number for card `card_id`, encrypted and bound to that card.
    pub fn issue_number(&self, card_id: Uuid) -> Result<IssuedNumber, VaultError> {
        let mut digits = [0u8; NUMBER_LENGTH - TEST_RANGE.len() - 1];
        getrandom::fill(&mut digits).map_err(|_| VaultError::Crypto)?;
        let mut number = String::with_capacity(NUMBER_LENGTH);
        number.push_str(TEST_RANGE);
        number.extend(digits.iter().map(|d| char::from(b'0' + d % 10)));
        let check = luhn_check_digit(&number).ok_or(VaultError::Crypto)?;
        number.push(char::from(b'0' + check));
        let encrypted = self.seal(number.as_bytes(), card_id)?;
        Ok(IssuedNumber { last4: last4(&number).to_owned(), encrypted })
    }

    /// Decrypts a stored number (for the card network interface; never for the API).
    pub fn reveal(&self, card_id: Uuid, encrypted: &[u8]) -> Result<String, VaultError> {
        let plain = self.unseal(encrypted, card_id)?;
        String::from_utf8(plain).map_err(|_| VaultError::Crypto)
    }

    /// Encrypts `plain` so that only this key can read it, and only for `bound_to` (the id of
    /// the row that stores it): ciphertext copied to another row does not decrypt. Also seals
    /// webhook signing secrets.
    pub fn seal(&self, plain: &[u8], bound_to: Uuid) -> Result<Vec<u8>, VaultError> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|_| VaultError::Crypto)?;
        let ciphertext = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: plain, aad: bound_to.as_bytes() })
            .map_err(|_| VaultError::Crypto)?;
        let mut sealed = nonce.to_vec();
        sealed.extend(ciphertext);
        Ok(sealed)
    }

    /// Decrypts what [`CardVault::seal`] made for `bound_to`.
    pub fn unseal(&self, sealed: &[u8], bound_to: Uuid) -> Result<Vec<u8>, VaultError> {
        if sealed.len() <= NONCE_LEN {
            return Err(VaultError::Crypto);
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        self.cipher
            .decrypt(Nonce::from_slice(nonce), Payload { msg: ciphertext, aad: bound_to.as_bytes() })
            .map_err(|_| VaultError::Crypto)
    }
}

/// Writes a file readable by its owner only, atomically (temp file, fsync, rename).
fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp)?;
    file.write_all(contents)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kycard_core::card::luhn_valid;

    #[test]
    fn numbers_are_luhn_valid_in_the_test_range_and_bound_to_their_card() {
        let dir = tempfile::tempdir().unwrap();
        let vault = CardVault::open(&dir.path().join("card.key"), true).unwrap();
        let id = Uuid::now_v7();
        let issued = vault.issue_number(id).unwrap();
        let number = vault.reveal(id, &issued.encrypted).unwrap();
        assert!(number.starts_with(TEST_RANGE) && number.len() == 16 && luhn_valid(&number));
        assert!(number.ends_with(&issued.last4));
        assert!(!issued.encrypted.windows(16).any(|w| w == number.as_bytes()), "stored in clear");
        assert!(vault.reveal(Uuid::now_v7(), &issued.encrypted).is_err(), "ciphertext moved to another card");
    }

    #[cfg(unix)]
    #[test]
    fn a_new_key_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("card.key");
        CardVault::open(&path, true).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert!(CardVault::open(&dir.path().join("missing.key"), false).is_err());
    }
}
