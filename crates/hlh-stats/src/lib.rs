//! Statistics for case series, numbers only: this crate knows no patients, units or dates.
//!
//! Every convention is named and matches R (and, for the variants R lacks, scipy): quantiles are
//! Hyndman–Fan types, Wilcoxon follows `wilcox.test`, Fisher follows `fisher.test`, Kaplan–Meier and
//! log-rank follow the `survival` package. The reference values behind the tests come from
//! `tools/refgen/` and record the exact tool, version and call.
//!
//! Inputs are validated once, by the constructors of [`Sample`], [`Pairs`] and [`SurvivalData`]; after
//! that every estimator is infallible and never returns NaN: a quantity that does not exist for the data
//! (a t statistic when every difference is equal) is `None`.

pub mod competing;
mod error;
pub mod fisher;
pub mod groups;
pub mod hodges_lehmann;
pub mod paired;
pub mod proportion;
pub mod ranks;
pub mod summary;
pub mod survival;
pub mod tails;
pub mod two_groups;
pub mod wilcoxon;

pub use error::StatsError;
pub use paired::Pairs;
pub use summary::{QuantileType, Sample, Summary};
pub use survival::SurvivalData;

/// The two-sided 95 % level used throughout; every function also takes other levels.
pub const CONF_95: f64 = 0.95;
