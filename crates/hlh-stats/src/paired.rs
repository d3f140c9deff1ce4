//! Paired comparison (Day 0 vs Day 7): paired t-test, Wilcoxon signed-rank, sign test, Hodges–Lehmann.

use crate::error::{check_finite, StatsError};
use crate::hodges_lehmann::{hodges_lehmann_of, HodgesLehmann};
use crate::summary::{mean, sd};
use crate::tails::{t_quantile, t_two_sided};
use crate::wilcoxon::{signed_rank_default, signed_rank_variants, SignedRankTest};

/// Complete pairs of finite values; the differences are after − before (R's `t.test(after, before,
/// paired = TRUE)`).
#[derive(Debug, Clone, PartialEq)]
pub struct Pairs {
    differences: Vec<f64>,
}

impl Pairs {
    /// Pairs `(before[i], after[i])`, checked once for every test that follows.
    ///
    /// # Errors
    ///
    /// [`StatsError`] when the lengths differ, there is no pair, a value is NaN or infinite, or a
    /// difference overflows.
    ///
    /// # Examples
    ///
    /// ```
    /// use hlh_stats::Pairs;
    ///
    /// // R: t.test(c(8, 9, 9.5, 11), c(10, 12, 9, 15), paired = TRUE): mean of the differences −2.125.
    /// let pairs = Pairs::new(&[10.0, 12.0, 9.0, 15.0], &[8.0, 9.0, 9.5, 11.0])?;
    /// let comparison = pairs.compare(0.95);
    /// assert_eq!(comparison.mean_difference, -2.125);
    /// assert!(Pairs::new(&[1.0], &[]).is_err());
    /// # Ok::<(), hlh_stats::StatsError>(())
    /// ```
    pub fn new(before: &[f64], after: &[f64]) -> Result<Pairs, StatsError> {
        if before.len() != after.len() {
            return Err(StatsError::LengthMismatch {
                first: "before",
                first_len: before.len(),
                second: "after",
                second_len: after.len(),
            });
        }
        if before.is_empty() {
            return Err(StatsError::Empty { what: "pairs" });
        }
        check_finite("before", before)?;
        check_finite("after", after)?;
        let differences: Vec<f64> = before.iter().zip(after).map(|(b, a)| a - b).collect();
        // Two finite values can still differ by more than f64 holds (1e308 − (−1e308)).
        check_finite("after - before", &differences)?;
        Ok(Pairs { differences })
    }

    pub fn differences(&self) -> &[f64] {
        &self.differences
    }

    pub fn len(&self) -> usize {
        self.differences.len()
    }

    pub fn is_empty(&self) -> bool {
        self.differences.is_empty()
    }

    /// Everything the contract reports for a paired comparison, at `confidence` (0.95).
    pub fn compare(&self, confidence: f64) -> PairedComparison {
        let n = self.len();
        let mean_difference = mean(&self.differences);
        let sd_difference = sd(&self.differences, mean_difference);
        PairedComparison {
            n_pairs: n,
            mean_difference,
            sd_difference,
            paired_t: paired_t(
                &self.differences,
                mean_difference,
                sd_difference,
                confidence,
            ),
            wilcoxon: signed_rank_default(&self.differences),
            hodges_lehmann: hodges_lehmann_of(&self.differences, confidence),
        }
    }

    /// The mean of the differences (after − before), as [`Pairs::compare`] reports it.
    pub fn mean_difference(&self) -> f64 {
        mean(&self.differences)
    }

    /// The paired t-test alone (what [`Pairs::compare`] reports as `paired_t`), for a caller that needs
    /// no other test: the Hodges–Lehmann estimate of a large sample is the costly part of `compare`.
    pub fn paired_t(&self, confidence: f64) -> Option<PairedT> {
        let mean_difference = mean(&self.differences);
        let sd_difference = sd(&self.differences, mean_difference);
        paired_t(
            &self.differences,
            mean_difference,
            sd_difference,
            confidence,
        )
    }

    /// Every variant of the signed-rank test that exists for these differences: the normal approximation
    /// with and without correction for each zero method, and the exact test when there are neither ties
    /// nor zeros; apart from [`Pairs::compare`], as an analysis reports only R's default.
    pub fn wilcoxon_variants(&self) -> Vec<SignedRankTest> {
        signed_rank_variants(&self.differences)
    }

    /// The sign test of the differences.
    pub fn sign_test(&self) -> SignTest {
        sign_test(&self.differences)
    }
}

/// The paired t-test and the t interval of the mean difference.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairedT {
    /// `None` when every difference is equal (no variance): R stops with "data are essentially constant".
    pub statistic: Option<f64>,
    pub df: f64,
    pub p_value: Option<f64>,
    /// [mean, mean] when every difference is equal.
    pub ci: (f64, f64),
}

/// Paired t (two-sided); `None` for a single pair (no degrees of freedom).
fn paired_t(differences: &[f64], mean: f64, sd: Option<f64>, confidence: f64) -> Option<PairedT> {
    let sd = sd?;
    let n = differences.len() as f64;
    let df = n - 1.0;
    let standard_error = sd / n.sqrt();
    // R: stop if stderr < 10 * .Machine$double.eps * abs(mx).
    if standard_error <= 10.0 * f64::EPSILON * mean.abs() {
        return Some(PairedT {
            statistic: None,
            df,
            p_value: None,
            ci: (mean, mean),
        });
    }
    let t = mean / standard_error;
    let half_width = t_quantile(1.0 - (1.0 - confidence) / 2.0, df) * standard_error;
    Some(PairedT {
        statistic: Some(t),
        df,
        p_value: Some(t_two_sided(t, df)),
        ci: (mean - half_width, mean + half_width),
    })
}

/// The sign test: how many differences are positive and negative (zeros dropped), and the exact
/// two-sided binomial p-value (R's `binom.test(positive, positive + negative)`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SignTest {
    pub positive: u64,
    pub negative: u64,
    pub p_value: f64,
}

fn sign_test(differences: &[f64]) -> SignTest {
    let positive = differences.iter().filter(|&&d| d > 0.0).count() as u64;
    let negative = differences.iter().filter(|&&d| d < 0.0).count() as u64;
    let n = positive + negative;
    // Under p = 1/2 the binomial is symmetric, so R's two-sided rule is twice the smaller tail.
    let smaller = positive.min(negative);
    let p_value = if n == 0 {
        1.0
    } else {
        (2.0 * binomial_half_cdf(smaller, n)).min(1.0)
    };
    SignTest {
        positive,
        negative,
        p_value,
    }
}

/// P(X ≤ k) for X ~ Binomial(n, ½), summed in log space term by term (exact to rounding for any n).
fn binomial_half_cdf(k: u64, n: u64) -> f64 {
    let log_half_n = -(n as f64) * std::f64::consts::LN_2;
    let mut log_choose = 0.0; // log C(n, 0)
    let mut total = 0.0;
    for i in 0..=k {
        if i > 0 {
            log_choose += ((n - i + 1) as f64).ln() - (i as f64).ln();
        }
        total += (log_choose + log_half_n).exp();
    }
    total
}

/// Everything reported for one paired comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct PairedComparison {
    pub n_pairs: usize,
    pub mean_difference: f64,
    pub sd_difference: Option<f64>,
    /// `None` with a single pair.
    pub paired_t: Option<PairedT>,
    /// R's default Wilcoxon test; `None` when every difference is zero.
    pub wilcoxon: Option<SignedRankTest>,
    /// `None` when every difference is zero.
    pub hodges_lehmann: Option<HodgesLehmann>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_differences_have_no_t_statistic_and_a_point_interval() {
        let comparison = Pairs::new(&[1.0, 2.0, 3.0], &[3.0, 4.0, 5.0])
            .unwrap()
            .compare(0.95);
        let t = comparison.paired_t.unwrap();
        assert_eq!((t.statistic, t.p_value, t.ci), (None, None, (2.0, 2.0)));
    }

    #[test]
    fn the_sign_test_counts_signs_and_ignores_zeros() {
        let sign = Pairs::new(&[0.0; 6], &[1.0, 2.0, 3.0, -1.0, 0.0, 4.0])
            .unwrap()
            .sign_test();
        assert_eq!((sign.positive, sign.negative), (4, 1));
        // 2 * P(X <= 1 | n = 5) = 2 * 6/32.
        assert!((sign.p_value - 12.0 / 32.0).abs() < 1e-15);
    }

    #[test]
    fn bad_pairs_are_refused() {
        assert!(matches!(
            Pairs::new(&[1.0], &[1.0, 2.0]),
            Err(StatsError::LengthMismatch { .. })
        ));
        assert!(matches!(
            Pairs::new(&[], &[]),
            Err(StatsError::Empty { .. })
        ));
        assert!(matches!(
            Pairs::new(&[f64::NAN], &[1.0]),
            Err(StatsError::NotFinite { .. })
        ));
        assert!(Pairs::new(&[-1e308], &[1e308]).is_err());
    }
}
