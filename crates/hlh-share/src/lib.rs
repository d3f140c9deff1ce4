//! A study prepared to leave its centre (docs/sharing.md): each patient identifier replaced by a keyed
//! pseudonym, every date of a patient moved by the same keyed offset, free text left out.
//!
//! Invariant: every interval within a patient is unchanged (one offset per patient), so every study day,
//! and hence every outcome, is the original's; the key is never written anywhere but its own file.

mod key;
mod pseudonymize;

pub use key::{Key, KeyError};
pub use pseudonymize::{
    pseudonymize, Pseudonymized, Reidentification, Settings, FREE_TEXT_COLUMNS,
};
