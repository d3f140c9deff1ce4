//! Why data cannot be analysed.

use std::fmt;

/// Bad input to a statistic, named precisely enough to find it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum StatsError {
    /// No value at all.
    Empty { what: &'static str },
    /// A value is NaN or infinite.
    NotFinite {
        what: &'static str,
        index: usize,
        value: f64,
    },
    /// Two inputs that go together have different lengths.
    LengthMismatch {
        first: &'static str,
        first_len: usize,
        second: &'static str,
        second_len: usize,
    },
    /// A survival time is negative.
    NegativeTime { index: usize, value: f64 },
    /// An event indicator is not 0 or 1.
    InvalidEvent { index: usize, value: f64 },
    /// A count or parameter is out of its domain.
    OutOfRange {
        what: &'static str,
        value: f64,
        expected: &'static str,
    },
}

impl fmt::Display for StatsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatsError::Empty { what } => write!(f, "{what} is empty"),
            StatsError::NotFinite { what, index, value } => {
                write!(f, "{what}[{index}] is {value}; expected a finite number")
            }
            StatsError::LengthMismatch { first, first_len, second, second_len } => write!(
                f,
                "{first} has {first_len} values but {second} has {second_len}; expected the same number"
            ),
            StatsError::NegativeTime { index, value } => {
                write!(f, "time[{index}] is {value}; expected a time ≥ 0")
            }
            StatsError::InvalidEvent { index, value } => {
                write!(f, "event[{index}] is {value}; expected 1 (event) or 0 (censored)")
            }
            StatsError::OutOfRange { what, value, expected } => {
                write!(f, "{what} is {value}; expected {expected}")
            }
        }
    }
}

impl std::error::Error for StatsError {}

/// Checks that every value is finite.
pub(crate) fn check_finite(what: &'static str, values: &[f64]) -> Result<(), StatsError> {
    match values.iter().position(|value| !value.is_finite()) {
        Some(index) => Err(StatsError::NotFinite {
            what,
            index,
            value: values[index],
        }),
        None => Ok(()),
    }
}
