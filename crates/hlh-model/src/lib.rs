//! The vocabulary of an sHLH study: patients, their timelines (observations, treatments, events) and
//! quantities held in the canonical unit of their analyte.
//!
//! This crate does no IO. Every other crate of hlhkit builds on it: ingest and omop produce a
//! [`Study`], criteria and outcomes read one.
//!
//! Invariant: a [`Quantity`] can only be built through [`units::convert`], so every number downstream of
//! this crate is in the canonical unit of its analyte.

mod analyte;
mod clinical_time;
mod labels;
pub mod parallel;
pub mod ranges;
mod shown;
mod spelled_enum;
mod study;
pub mod units;

pub use shown::shown_value;
pub use spelled_enum::join_alternatives;

pub use analyte::{Analyte, DailyWorst};
pub use clinical_time::{ClinicalTime, StudyDay};
pub use study::{
    Comparator, DoseUnit, Drug, Event, EventKind, Frequency, Observation, Origins, Patient,
    PatientIndex, RecordedResponse, Route, RowsByPatient, Sex, SourceRow, StopReason, Study,
    StudyFile, Treatment, Trigger, PATIENT_FINDINGS,
};
pub use units::{Quantity, UnitError};
