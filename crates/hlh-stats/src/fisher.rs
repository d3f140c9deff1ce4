//! Fisher's exact test for a 2×2 table, with the conditional maximum-likelihood odds ratio.
//!
//! Conventions of R's `fisher.test` (stats 4.x): the table is [[a, b], [c, d]]; the two-sided p-value
//! sums the probabilities of the tables no more likely than the one observed, with R's relative
//! tolerance of 1e-7; the odds ratio is the conditional MLE under the non-central hypergeometric
//! distribution and its interval inverts the two one-sided tests at α/2. R locates those roots with
//! `uniroot` to a tolerance of about 1e-4; they are located here to the resolution of f64.
//!
//! Source: Fisher RA. J R Stat Soc 1922;85:87–94, doi:10.2307/2340521; Cornfield J. Proc Fifth Berkeley
//! Symp 1956;4:135–48 (the conditional MLE and its interval).

use crate::error::StatsError;

/// A 2×2 table [[a, b], [c, d]] of counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Table2x2 {
    pub a: u64,
    pub b: u64,
    pub c: u64,
    pub d: u64,
}

/// The result of Fisher's test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FisherTest {
    pub p_value: f64,
    /// The conditional MLE; may be 0 or +∞ (a zero cell).
    pub odds_ratio: f64,
    /// May run from 0 or to +∞.
    pub ci: (f64, f64),
    /// (a·d)/(b·c); `None` when it is 0/0.
    pub sample_odds_ratio: Option<f64>,
}

/// The conditional distribution of a given the margins: its support and log densities (unnormalised).
struct Conditional {
    lo: u64,
    hi: u64,
    log_density: Vec<f64>,
}

impl Conditional {
    fn new(table: Table2x2) -> Conditional {
        let (m, n, k) = (table.a + table.c, table.b + table.d, table.a + table.b);
        let lo = k.saturating_sub(n);
        let hi = k.min(m);
        // P(x + 1) / P(x) = (m − x)(k − x) / ((x + 1)(n − k + x + 1)): exact ratios, no factorials.
        let mut log_density = Vec::with_capacity((hi - lo + 1) as usize);
        let mut current = 0.0;
        for x in lo..=hi {
            log_density.push(current);
            if x < hi {
                let numerator = ((m - x) as f64) * ((k - x) as f64);
                let denominator = ((x + 1) as f64) * ((n + x + 1 - k) as f64);
                current += numerator.ln() - denominator.ln();
            }
        }
        Conditional {
            lo,
            hi,
            log_density,
        }
    }

    /// The normalised densities under odds ratio ψ (finite, > 0).
    fn densities(&self, psi: f64) -> Vec<f64> {
        let log_psi = psi.ln();
        let logs: Vec<f64> = self
            .log_density
            .iter()
            .enumerate()
            .map(|(i, d)| d + log_psi * (self.lo + i as u64) as f64)
            .collect();
        let max = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let weights: Vec<f64> = logs.iter().map(|l| (l - max).exp()).collect();
        let total: f64 = weights.iter().sum();
        weights.iter().map(|w| w / total).collect()
    }

    /// E[X] under ψ.
    fn mean(&self, psi: f64) -> f64 {
        self.densities(psi)
            .iter()
            .enumerate()
            .map(|(i, p)| p * (self.lo + i as u64) as f64)
            .sum()
    }

    /// P(X ≤ x) (or P(X ≥ x) when `upper`) under ψ, summing the smaller side directly.
    fn tail(&self, x: u64, psi: f64, upper: bool) -> f64 {
        let densities = self.densities(psi);
        let index = (x - self.lo) as usize;
        if upper {
            densities[index..].iter().sum()
        } else {
            densities[..=index].iter().sum()
        }
    }
}

/// Solves f(ψ) = target for ψ in (0, ∞) where f is monotone in ψ, by bisection on log ψ.
fn solve_monotone(f: impl Fn(f64) -> f64, target: f64, increasing: bool) -> f64 {
    let below = |log_psi: f64| {
        let value = f(log_psi.exp());
        if increasing {
            value < target
        } else {
            value > target
        }
    };
    let (mut low, mut high) = (-1.0, 1.0);
    while below(high) && high < 700.0 {
        high *= 2.0;
    }
    while !below(low) && low > -700.0 {
        low *= 2.0;
    }
    for _ in 0..200 {
        let middle = (low + high) / 2.0;
        if middle <= low || middle >= high {
            break;
        }
        if below(middle) {
            low = middle;
        } else {
            high = middle;
        }
    }
    ((low + high) / 2.0).exp()
}

/// Fisher's exact test on `table` with a two-sided interval at `confidence`.
///
/// # Errors
///
/// [`StatsError`] for a confidence outside (0, 1).
pub fn fisher_exact(table: Table2x2, confidence: f64) -> Result<FisherTest, StatsError> {
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(StatsError::OutOfRange {
            what: "confidence",
            value: confidence,
            expected: "a level in (0, 1)",
        });
    }
    let conditional = Conditional::new(table);
    let x = table.a;
    let (lo, hi) = (conditional.lo, conditional.hi);

    let densities = conditional.densities(1.0);
    let observed = densities[(x - lo) as usize];
    let relative_error = 1.0 + 1e-7;
    let p_value: f64 = densities
        .iter()
        .filter(|&&d| d <= observed * relative_error)
        .sum::<f64>()
        .min(1.0);

    // At an end of the support the MLE is 0 or +∞ (R checks x == lo first, so a table whose margins
    // allow no other gets 0, as in R).
    let odds_ratio = if x == lo {
        0.0
    } else if x == hi {
        f64::INFINITY
    } else {
        solve_monotone(|psi| conditional.mean(psi), x as f64, true)
    };
    let alpha = (1.0 - confidence) / 2.0;
    let lower = if x == lo {
        0.0
    } else {
        solve_monotone(|psi| conditional.tail(x, psi, true), alpha, true)
    };
    let upper = if x == hi {
        f64::INFINITY
    } else {
        solve_monotone(|psi| conditional.tail(x, psi, false), alpha, false)
    };

    let (ad, bc) = ((table.a * table.d) as f64, (table.b * table.c) as f64);
    let sample_odds_ratio = if ad == 0.0 && bc == 0.0 {
        None
    } else {
        Some(ad / bc)
    };
    Ok(FisherTest {
        p_value,
        odds_ratio,
        ci: (lower, upper),
        sample_odds_ratio,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hand_computed_table() {
        // [[3, 1], [1, 3]]: margins 4/4/4/4; P(a) = C(4,a) C(4,4-a) / C(8,4) = 1, 16, 36, 16, 1 over 70.
        // Tables no more likely than a = 3 (16/70): a = 0, 1, 3, 4 -> (1 + 16 + 16 + 1) / 70.
        let test = fisher_exact(
            Table2x2 {
                a: 3,
                b: 1,
                c: 1,
                d: 3,
            },
            0.95,
        )
        .unwrap();
        assert!(
            (test.p_value - 34.0 / 70.0).abs() < 1e-15,
            "{}",
            test.p_value
        );
        assert_eq!(test.sample_odds_ratio, Some(9.0));
        assert!(test.ci.0 < test.odds_ratio && test.odds_ratio < test.ci.1);
    }

    #[test]
    fn a_zero_cell_gives_an_infinite_bound() {
        let test = fisher_exact(
            Table2x2 {
                a: 5,
                b: 0,
                c: 1,
                d: 4,
            },
            0.95,
        )
        .unwrap();
        assert_eq!(test.odds_ratio, f64::INFINITY);
        assert_eq!(test.ci.1, f64::INFINITY);
        assert_eq!(test.sample_odds_ratio, Some(f64::INFINITY));
    }
}
