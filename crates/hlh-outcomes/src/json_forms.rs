//! The JSON forms of the statistics that both `hlh analyze` (docs/analysis-schema.md) and `hlh stats`
//! (docs/cli.md) write, declared once.
//!
//! One convention for numbers that are not finite, in every JSON hlhkit writes: a statistic that does
//! not exist (`None`, or NaN) is `null`; an infinite value (a Fisher odds ratio with a zero cell) is the
//! string `"Infinity"` or `"-Infinity"`, the one exception to numbers-only. JSON has no NaN, and a reader
//! must never mistake an undefined statistic for a number. The cohort of the analysis holds finite
//! values only ([`finite`]), since every estimator it runs is finite on validated data.

use hlh_stats::paired::PairedT;
use hlh_stats::survival::KmRow;
use hlh_stats::wilcoxon::SignedRankTest;
use serde::{Serialize, Serializer};

/// A finite number, or `None` (written `null`) for NaN and infinities.
pub fn finite(value: f64) -> Option<f64> {
    value.is_finite().then_some(value)
}

/// A number as JSON under the convention above.
pub fn number_value(value: f64) -> serde_json::Value {
    if value.is_finite() {
        serde_json::json!(value)
    } else if value.is_nan() {
        serde_json::Value::Null
    } else if value > 0.0 {
        serde_json::json!("Infinity")
    } else {
        serde_json::json!("-Infinity")
    }
}

/// An optional number as JSON: `None` is `null`.
pub fn optional_value(value: Option<f64>) -> serde_json::Value {
    value.map_or(serde_json::Value::Null, number_value)
}

/// Serialises an optional number under the convention above.
pub fn real<S: Serializer>(value: &Option<f64>, serializer: S) -> Result<S::Ok, S::Error> {
    optional_value(*value).serialize(serializer)
}

/// `[lower, upper]`, each bound `null` where it is not finite.
pub fn interval((lower, upper): (f64, f64)) -> [Option<f64>; 2] {
    [finite(lower), finite(upper)]
}

/// A Wilcoxon signed-rank test: `{statistic, p_value, method, zero_method, correction, n_used}`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WilcoxonForm {
    #[serde(serialize_with = "real")]
    pub statistic: Option<f64>,
    #[serde(serialize_with = "real")]
    pub p_value: Option<f64>,
    pub method: Option<&'static str>,
    pub zero_method: Option<&'static str>,
    /// Left out of the form of a test that was not run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correction: Option<bool>,
    pub n_used: Option<usize>,
}

impl WilcoxonForm {
    pub fn of(test: &SignedRankTest) -> WilcoxonForm {
        WilcoxonForm {
            statistic: Some(test.statistic),
            p_value: Some(test.p_value),
            method: Some(test.method.name()),
            zero_method: Some(test.zero_method.name()),
            correction: Some(test.correction),
            n_used: Some(test.n_used),
        }
    }

    /// The analysis writes a test that could not run (every difference zero, no pairs) with every
    /// field null, so that a reader finds the same keys in every analyte.
    pub const NOT_RUN: WilcoxonForm = WilcoxonForm {
        statistic: None,
        p_value: None,
        method: None,
        zero_method: None,
        correction: None,
        n_used: None,
    };
}

/// A paired t-test: `{statistic, df, p_value}`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PairedTForm {
    #[serde(serialize_with = "real")]
    pub statistic: Option<f64>,
    #[serde(serialize_with = "real")]
    pub df: Option<f64>,
    #[serde(serialize_with = "real")]
    pub p_value: Option<f64>,
}

impl PairedTForm {
    pub fn of(test: &PairedT) -> PairedTForm {
        PairedTForm {
            statistic: test.statistic,
            df: Some(test.df),
            p_value: test.p_value,
        }
    }

    /// As [`WilcoxonForm::NOT_RUN`].
    pub const NOT_RUN: PairedTForm = PairedTForm {
        statistic: None,
        df: None,
        p_value: None,
    };
}

/// One row of a Kaplan–Meier table:
/// `{time, n_risk, n_event, n_censor, survival, std_err, lower, upper}`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct KmRowForm {
    #[serde(serialize_with = "real")]
    pub time: Option<f64>,
    pub n_risk: u64,
    pub n_event: u64,
    pub n_censor: u64,
    #[serde(serialize_with = "real")]
    pub survival: Option<f64>,
    #[serde(serialize_with = "real")]
    pub std_err: Option<f64>,
    #[serde(serialize_with = "real")]
    pub lower: Option<f64>,
    #[serde(serialize_with = "real")]
    pub upper: Option<f64>,
}

impl KmRowForm {
    pub fn of(row: &KmRow) -> KmRowForm {
        KmRowForm {
            time: Some(row.time),
            n_risk: row.n_risk,
            n_event: row.n_event,
            n_censor: row.n_censor,
            survival: Some(row.survival),
            std_err: row.std_err,
            lower: row.lower,
            upper: row.upper,
        }
    }
}

/// Serialises a Kaplan–Meier table as its rows' forms.
pub fn km_table<S: Serializer>(table: &[KmRow], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(table.iter().map(KmRowForm::of))
}
