//! The figures, drawn with the crate's own SVG writer (see ARCHITECTURE.md for why): the flow diagram,
//! individual trajectories with the cohort median, the cumulative incidence of fever resolution with
//! its number-at-risk table, and the swimmer plot.
//!
//! Every series is a `<g class="series">` with `data-series` and `data-points`, and every axis a
//! `<g class="axis">` with its scale and range, so that tests can check a figure's structure.

mod fever_resolution;
mod flow;
mod km;
mod survival;
mod swimmer;
mod trajectories;

pub use fever_resolution::fever_resolution;
pub use flow::flow;
pub use survival::survival;
pub use swimmer::swimmer;
pub use trajectories::{trajectories, Axis};

pub(crate) const WIDTH: f64 = 680.0;
pub(crate) const LEFT: f64 = 86.0;
pub(crate) const RIGHT: f64 = 24.0;
