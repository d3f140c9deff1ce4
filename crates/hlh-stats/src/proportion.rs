//! A proportion with its confidence interval.

use crate::error::StatsError;
use crate::tails::{beta_quantile, normal_quantile};

/// How the confidence interval of a proportion is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProportionMethod {
    /// Wilson score interval without continuity correction (R's `prop.test(x, n, correct = FALSE)`).
    /// Wilson EB. J Am Stat Assoc 1927;22:209–12, doi:10.1080/01621459.1927.10502953.
    Wilson,
    /// Exact interval from beta quantiles (R's `binom.test(x, n)`).
    /// Clopper CJ, Pearson ES. Biometrika 1934;26:404–13, doi:10.1093/biomet/26.4.404.
    ClopperPearson,
}

impl ProportionMethod {
    pub fn name(self) -> &'static str {
        match self {
            ProportionMethod::Wilson => "wilson",
            ProportionMethod::ClopperPearson => "clopper-pearson",
        }
    }
}

/// count / n with its two-sided confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Proportion {
    pub count: u64,
    pub n: u64,
    pub proportion: f64,
    pub method: ProportionMethod,
    pub ci: (f64, f64),
}

/// The proportion `count / n` with a two-sided interval at `confidence` (0.95 for 95 %).
///
/// # Errors
///
/// [`StatsError`] for n = 0, a count above n, or a confidence outside (0, 1).
///
/// # Examples
///
/// ```
/// use hlh_stats::proportion::{proportion, ProportionMethod};
///
/// // R: prop.test(19, 21, correct = FALSE)$conf.int gives 0.7109 to 0.9735.
/// let p = proportion(19, 21, ProportionMethod::Wilson, 0.95)?;
/// assert!((p.ci.0 - 0.7109).abs() < 1e-4 && (p.ci.1 - 0.9735).abs() < 1e-4);
/// assert!(proportion(3, 0, ProportionMethod::Wilson, 0.95).is_err());
/// # Ok::<(), hlh_stats::StatsError>(())
/// ```
pub fn proportion(
    count: u64,
    n: u64,
    method: ProportionMethod,
    confidence: f64,
) -> Result<Proportion, StatsError> {
    if n == 0 {
        return Err(StatsError::OutOfRange {
            what: "n",
            value: 0.0,
            expected: "n ≥ 1",
        });
    }
    if count > n {
        return Err(StatsError::OutOfRange {
            what: "count",
            value: count as f64,
            expected: "0 ≤ count ≤ n",
        });
    }
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(StatsError::OutOfRange {
            what: "confidence",
            value: confidence,
            expected: "a level in (0, 1)",
        });
    }
    let (x, nf) = (count as f64, n as f64);
    let estimate = x / nf;
    let ci = match method {
        ProportionMethod::Wilson => {
            // R's prop.test, YATES = 0, written as R writes it.
            let z = normal_quantile((1.0 + confidence) / 2.0);
            let z22n = z * z / (2.0 * nf);
            let spread = |p: f64| z * (p * (1.0 - p) / nf + z22n / (2.0 * nf)).sqrt();
            let upper = if estimate >= 1.0 {
                1.0
            } else {
                (estimate + z22n + spread(estimate)) / (1.0 + 2.0 * z22n)
            };
            let lower = if estimate <= 0.0 {
                0.0
            } else {
                (estimate + z22n - spread(estimate)) / (1.0 + 2.0 * z22n)
            };
            (lower, upper)
        }
        ProportionMethod::ClopperPearson => {
            let alpha = (1.0 - confidence) / 2.0;
            let lower = if count == 0 {
                0.0
            } else {
                beta_quantile(alpha, x, nf - x + 1.0)
            };
            let upper = if count == n {
                1.0
            } else {
                beta_quantile(1.0 - alpha, x + 1.0, nf - x)
            };
            (lower, upper)
        }
    };
    Ok(Proportion {
        count,
        n,
        proportion: estimate,
        method,
        ci,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ends_are_closed_at_0_and_1() {
        let none = proportion(0, 10, ProportionMethod::ClopperPearson, 0.95).unwrap();
        assert_eq!(none.ci.0, 0.0);
        // (1 - 0.975^(1/10)) is the exact upper bound for 0/10.
        assert!(
            (none.ci.1 - (1.0 - 0.025f64.powf(0.1))).abs() < 1e-12,
            "{:?}",
            none.ci
        );
        let all = proportion(10, 10, ProportionMethod::Wilson, 0.95).unwrap();
        assert_eq!(all.ci.1, 1.0);
    }

    #[test]
    fn impossible_counts_are_refused() {
        assert!(proportion(3, 0, ProportionMethod::Wilson, 0.95).is_err());
        assert!(proportion(4, 3, ProportionMethod::Wilson, 0.95).is_err());
        assert!(proportion(1, 3, ProportionMethod::Wilson, 1.0).is_err());
    }
}
