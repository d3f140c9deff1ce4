//! The warehouse path: finding the sHLH cohort in an OMOP CDM (Parquet or CSV) with Apache DataFusion
//! and writing it as a study folder, and a synthetic CDM with planted cases to test it against.
//!
//! Invariants:
//! - The heavy part (scans, filters, joins, aggregates over the warehouse tables) is DataFusion SQL with
//!   built-in functions only, and concept sets enter it as VALUES lists: the same plan can run on a
//!   Ballista cluster, and does with the feature `cluster` (docs/cluster.md). The one exception is the
//!   test of a row's person against a set, embedded only ([`Cdm::person_filter`]; on a cluster it is
//!   an `IN` list). Rust logic (unit conversion, scoring) runs after the cohort's rows are collected.
//! - This crate and hlh-person-set are the only ones that use Arrow or DataFusion.

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
