//! The diagnosis scores of sHLH as pure functions over findings in canonical units: the HScore with its
//! probability, the HLH-2004 criteria, the OHI index, the MAS-2016 classification and the MS score.
//!
//! Every item is Met, NotMet or Unknown; every score returns its value on the data given (unknown items
//! scored 0) together with the minimum and maximum attainable over the unknown items. Nothing here ever
//! refuses to score, and nothing reads unknown as "no". Sources, tables and the reading of every
//! boundary: `docs/criteria/`.
//!
//! Invariant: criteria take [`Findings`], whose values are [`hlh_model::Quantity`] — already converted,
//! so no threshold can be compared with a number in the unit it was typed in (except in the explicit
//! typed-unit mode of the HScore, which reads the unit as written on purpose).

pub mod every_score;
mod findings;
pub mod findings_json;
pub mod hlh2004;
pub mod hscore;
pub mod mas2016;
pub mod ms_score;
pub mod ohi;
mod status;

pub use findings::{Findings, LabValue, Labs};
pub use status::Status;
