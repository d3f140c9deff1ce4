//! The secret key of a pseudonymisation, and what it derives: HMAC-SHA256 (RustCrypto `hmac` and
//! `sha2`) of the patient identifier, one message for the pseudonym and another for the date offset.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Bytes of a key made by [`Key::random`]: 256 bits, the size of HMAC-SHA256's output.
const KEY_BYTES: usize = 32;

/// Bytes of the HMAC kept in a pseudonym: 80 bits, 20 hexadecimal digits. Two of ten million patients
/// share a pseudonym with a probability below 10⁻¹⁰.
const PSEUDONYM_BYTES: usize = 10;

/// A secret key; its bytes are never printed (`Debug` shows none of them).
#[derive(Clone, PartialEq, Eq)]
pub struct Key(Vec<u8>);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(secret)")
    }
}

/// Why a key could not be made or read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyError {
    /// The operating system gave no random numbers.
    NoRandomness(String),
    /// The key file does not hold a key: what is wrong (never its content).
    NotAKey(String),
}

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyError::NoRandomness(error) => write!(f, "no random numbers for a key: {error}"),
            KeyError::NotAKey(problem) => f.write_str(problem),
        }
    }
}

impl std::error::Error for KeyError {}

impl Key {
    /// A fresh key of 256 random bits from the operating system.
    pub fn random() -> Result<Key, KeyError> {
        let mut bytes = vec![0u8; KEY_BYTES];
        getrandom::fill(&mut bytes).map_err(|error| KeyError::NoRandomness(error.to_string()))?;
        Ok(Key(bytes))
    }

    /// The key file's text: the key as 64 hexadecimal digits and a line end.
    pub fn to_file_text(&self) -> String {
        let mut text: String = self.0.iter().map(|byte| format!("{byte:02x}")).collect();
        text.push('\n');
        text
    }

    /// Reads a key file: at least 64 hexadecimal digits (256 bits), surrounding blanks ignored.
    pub fn from_file_text(text: &str) -> Result<Key, KeyError> {
        let digits = text.trim();
        let whole_bytes = digits.as_bytes().chunks_exact(2).remainder().is_empty();
        if !whole_bytes || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(KeyError::NotAKey(
                "the key file must hold the key as hexadecimal digits (as `hlh pseudonymize --new-key` writes it)".into(),
            ));
        }
        if digits.len() < 2 * KEY_BYTES {
            return Err(KeyError::NotAKey(format!(
                "the key is {} bits; at least {} are needed (write one with `hlh pseudonymize --new-key`)",
                digits.len() * 4,
                KEY_BYTES * 8
            )));
        }
        let bytes = (0..digits.len())
            .step_by(2)
            .map(|at| u8::from_str_radix(&digits[at..at + 2], 16))
            .collect::<Result<Vec<u8>, _>>()
            .map_err(|_| {
                KeyError::NotAKey("the key file holds a character that is not hexadecimal".into())
            })?;
        Ok(Key(bytes))
    }

    /// HMAC-SHA256 of `purpose`, a zero byte and `id`: one key, independent values for each purpose.
    fn mac(&self, purpose: &str, id: &str) -> [u8; 32] {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(id.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// The pseudonym of a patient identifier: `P` and 20 hexadecimal digits of HMAC-SHA256("patient_id",
    /// id). The same key gives the same pseudonym in every run and every centre.
    pub fn pseudonym(&self, patient_id: &str) -> String {
        let mac = self.mac("patient_id", patient_id);
        let mut pseudonym = String::from("P");
        for byte in &mac[..PSEUDONYM_BYTES] {
            pseudonym.push_str(&format!("{byte:02x}"));
        }
        pseudonym
    }

    /// The days every date of a patient moves by, from −`max_days` to +`max_days`: the first 8 bytes of
    /// HMAC-SHA256("date_shift", id) as an unsigned number, modulo 2 × max_days + 1 (a bias below 10⁻¹⁴
    /// for any offset range a study uses), minus max_days.
    pub fn date_shift_days(&self, patient_id: &str, max_days: u16) -> i32 {
        let mac = self.mac("date_shift", patient_id);
        let number = u64::from_be_bytes(mac[..8].try_into().expect("8 bytes"));
        let span = 2 * u64::from(max_days) + 1;
        i32::try_from(number % span).expect("below 2^17") - i32::from(max_days)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> Key {
        Key(vec![byte; KEY_BYTES])
    }

    #[test]
    fn the_pseudonym_is_hmac_sha256_of_the_identifier() {
        // RFC 4231, test case 2: HMAC-SHA256 with key "Jefe" of "what do ya want for nothing?".
        let jefe = Key(b"Jefe".to_vec());
        let mac = {
            let mut mac = Hmac::<Sha256>::new_from_slice(&jefe.0).unwrap();
            mac.update(b"what do ya want for nothing?");
            mac.finalize().into_bytes()
        };
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Ours is the same HMAC of "patient_id", a zero byte and the identifier.
        let ours = jefe.mac("patient_id", "P01");
        let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"patient_id\0P01");
        assert_eq!(ours.as_slice(), mac.finalize().into_bytes().as_slice());
        let pseudonym = jefe.pseudonym("P01");
        assert_eq!(pseudonym.len(), 21);
        let digits: String = ours[..10].iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(pseudonym, format!("P{digits}"));
    }

    #[test]
    fn one_key_one_pseudonym_another_key_another() {
        assert_eq!(key(1).pseudonym("SYN-01"), key(1).pseudonym("SYN-01"));
        assert_ne!(key(1).pseudonym("SYN-01"), key(2).pseudonym("SYN-01"));
        assert_ne!(key(1).pseudonym("SYN-01"), key(1).pseudonym("SYN-02"));
        assert_ne!(
            key(1).pseudonym("SYN-01")[1..9],
            format!("{:08x}", key(1).date_shift_days("SYN-01", 180)),
            "the two purposes give independent values"
        );
    }

    #[test]
    fn offsets_stay_within_their_bound_and_use_all_of_it() {
        let key = key(7);
        let offsets: Vec<i32> = (0..5000)
            .map(|i| key.date_shift_days(&format!("id{i}"), 30))
            .collect();
        assert!(offsets.iter().all(|d| (-30..=30).contains(d)));
        assert!(offsets.contains(&-30) && offsets.contains(&30) && offsets.contains(&0));
        assert_eq!(key.date_shift_days("x", 0), 0);
    }

    #[test]
    fn a_key_file_reads_back_and_a_bad_one_is_refused_without_its_content() {
        let made = Key::random().unwrap();
        let text = made.to_file_text();
        assert_eq!(text.len(), 65);
        assert_eq!(Key::from_file_text(&format!("  {text}\n")).unwrap(), made);
        assert_ne!(Key::random().unwrap(), made);
        for bad in [
            "",
            "abc",
            &"0".repeat(62),
            "zz".repeat(32).as_str(),
            "secret words not hex",
        ] {
            let error = Key::from_file_text(bad).unwrap_err().to_string();
            assert!(
                bad.is_empty() || bad.len() < 4 || !error.contains(bad),
                "{error}"
            );
        }
        assert_eq!(format!("{made:?}"), "Key(secret)");
    }
}
