//! The warehouse path: finding the sHLH cohort in an OMOP CDM (Parquet or CSV) with Apache DataFusion
//! and writing it as a study folder, and a synthetic CDM with planted cases to test it against.
//!
//! Invariants:
//! - The heavy part (scans, filters, joins, aggregates over the warehouse tables) is DataFusion SQL with
//!   built-in functions only, and concept sets enter it as VALUES lists: the same plan can run on a
//!   Ballista cluster, and does with the feature `cluster` (docs/cluster.md). Rust logic (unit
//!   conversion, scoring) runs after the cohort's rows are collected.
//! - This is the only crate that uses Arrow or DataFusion.

pub mod cdm;
#[cfg(feature = "cluster")]
pub mod cluster;
mod columns;
pub mod concept_check;
pub mod concepts;
pub mod error;
pub mod find;
pub mod ohdsi;
pub mod synth;
pub mod units;
pub mod write;

pub use cdm::Cdm;
pub use error::OmopError;
pub use find::{find, Cohort, FindOptions};
