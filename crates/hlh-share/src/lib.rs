//! Studies shared between centres (docs/sharing.md): a study prepared to leave its centre (each patient
//! identifier replaced by a keyed pseudonym, every date of a patient moved by the same keyed offset, free
//! text left out), and the studies of several centres pooled into one.
//!
//! Invariant: every interval within a patient is unchanged (one offset per patient), so every study day,
//! and hence every outcome, is the original's; the key is never written anywhere but its own file.

mod key;
mod pool;
mod pseudonymize;

pub use key::{Key, KeyError};
pub use pool::{pool, CentreStudy, Pooled};
pub use pseudonymize::{
    pseudonymize, Pseudonymized, Reidentification, Settings, FREE_TEXT_COLUMNS,
};
