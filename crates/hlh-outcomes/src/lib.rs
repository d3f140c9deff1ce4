//! From a validated study to every number the paper reports: per-patient endpoints under a protocol,
//! and the cohort analysis (schema `hlhkit.analysis/1`, docs/analysis-schema.md).
//!
//! Invariant: the analysis is a pure function of the study and the protocol — no clock, no randomness,
//! patients in file order, analytes in table order — so the same inputs give byte-identical JSON.

mod analysis;
pub mod cohort;
pub mod compare;
mod dose;
mod endpoints;
mod fever;
pub mod json_forms;
pub mod protocol;
pub mod summary_text;
pub mod suppression;

pub use analysis::{analyze, Analysis, AnalysisError, SCHEMA};
pub use cohort::Cohort;
pub use dose::DailyDose;
pub use endpoints::{
    derived_response_with, DailyValue, IndexCourse, Judgement, LabFalls, LabPair, PatientEndpoints,
    ResponseItems, TimelineEvent, TimelineTreatment, TRAJECTORY_ANALYTES, TRAJECTORY_DAYS,
};
pub use protocol::Protocol;
