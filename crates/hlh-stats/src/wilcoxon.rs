//! The Wilcoxon signed-rank test on paired differences (the Hodges–Lehmann estimate that goes with it
//! is `hodges_lehmann`).
//!
//! Conventions (each as R's `wilcox.test(paired = TRUE)`, stats 4.x, unless named otherwise):
//! - the statistic V is the sum of the ranks of the positive differences (after − before);
//! - zero differences are dropped ("wilcox"); Pratt's method and the zero-split method rank the zeros
//!   and follow `scipy.stats.wilcoxon(zero_method = "pratt" | "zsplit")`;
//! - ties get mid-ranks and the tie-corrected variance n(n+1)(2n+1)/24 − Σ(t³ − t)/48;
//! - R's default picks the exact test when, after dropping zeros, n < 50 and there are neither ties nor
//!   zeros; otherwise the normal approximation with continuity correction;
//! - the exact distribution is counted (a convolution over ranks, O(n³)), never enumerated over 2ⁿ signs.
//!
//! Source: Wilcoxon F. Biometrics Bull 1945;1:80–3, doi:10.2307/3001968; Pratt JW. J Am Stat Assoc
//! 1959;54:655–67, doi:10.1080/01621459.1959.10501526; Hodges JL, Lehmann EL. Ann Math Stat
//! 1963;34:598–611, doi:10.1214/aoms/1177704172.

use crate::paired::Pairs;
use crate::ranks::{midranks, sign, tie_correction};
use crate::tails::normal_two_sided;

/// The signed-rank test of validated pairs with a chosen p-value method, zero method and continuity
/// correction; `None` when nothing is left to rank (every difference zero under "wilcox"), or when the
/// exact method is asked of differences with ties or zeros.
pub fn signed_rank(
    pairs: &Pairs,
    method: PValueMethod,
    zero_method: ZeroMethod,
    correction: bool,
) -> Option<SignedRankTest> {
    signed_rank_of(pairs.differences(), method, zero_method, correction)
}

/// How zero differences are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZeroMethod {
    /// Dropped before ranking (Wilcoxon; R's only method).
    Wilcox,
    /// Ranked with the others, then left out of the sum (Pratt).
    Pratt,
    /// Ranked, and half of each zero's rank added to each side.
    Zsplit,
}

impl ZeroMethod {
    pub const ALL: [ZeroMethod; 3] = [ZeroMethod::Wilcox, ZeroMethod::Pratt, ZeroMethod::Zsplit];

    pub fn name(self) -> &'static str {
        match self {
            ZeroMethod::Wilcox => "wilcox",
            ZeroMethod::Pratt => "pratt",
            ZeroMethod::Zsplit => "zsplit",
        }
    }
}

/// How the p-value is obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PValueMethod {
    /// From the exact null distribution (no ties, no zeros).
    Exact,
    /// From the normal approximation, tie-corrected.
    Normal,
}

impl PValueMethod {
    pub fn name(self) -> &'static str {
        match self {
            PValueMethod::Exact => "exact",
            PValueMethod::Normal => "normal",
        }
    }
}

/// One signed-rank test result.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SignedRankTest {
    /// V: the sum of the ranks of the positive differences (plus half the zero ranks for zsplit).
    pub statistic: f64,
    /// Two-sided.
    pub p_value: f64,
    pub method: PValueMethod,
    pub zero_method: ZeroMethod,
    /// Whether the continuity correction of ±0.5 was applied (normal method only).
    pub correction: bool,
    /// The number of differences ranked (for "wilcox", the non-zero ones).
    pub n_used: usize,
}

/// The test as R's `wilcox.test(after, before, paired = TRUE)` runs it by default.
/// `None` when every difference is zero (R returns NaN).
pub(crate) fn signed_rank_default(differences: &[f64]) -> Option<SignedRankTest> {
    let nonzero: Vec<f64> = differences.iter().copied().filter(|&d| d != 0.0).collect();
    let has_zeros = nonzero.len() < differences.len();
    let (_, tie_sizes) = midranks(&abs(&nonzero));
    let has_ties = tie_sizes.iter().any(|&t| t > 1);
    if nonzero.len() < 50 && !has_ties && !has_zeros {
        signed_rank_of(differences, PValueMethod::Exact, ZeroMethod::Wilcox, false)
    } else {
        signed_rank_of(differences, PValueMethod::Normal, ZeroMethod::Wilcox, true)
    }
}

/// Every variant that exists for these differences: the normal approximation with and without correction
/// for each zero method, and the exact test when there are neither ties nor zeros.
pub(crate) fn signed_rank_variants(differences: &[f64]) -> Vec<SignedRankTest> {
    let mut variants: Vec<SignedRankTest> =
        signed_rank_of(differences, PValueMethod::Exact, ZeroMethod::Wilcox, false)
            .into_iter()
            .collect();
    for zero_method in ZeroMethod::ALL {
        for correction in [true, false] {
            variants.extend(signed_rank_of(
                differences,
                PValueMethod::Normal,
                zero_method,
                correction,
            ));
        }
    }
    variants
}

pub(crate) fn abs(values: &[f64]) -> Vec<f64> {
    values.iter().map(|v| v.abs()).collect()
}

/// The largest n for which the exact distribution is computed: O(n³) work and n²/2 bytes. Beyond it
/// the normal approximation agrees with the exact p-value to many digits, and the exact variant is left
/// out rather than taking minutes and gigabytes.
pub const EXACT_MAX_N: usize = 2000;

/// One signed-rank test. `None` when it does not exist: the exact test with ties or zeros, or a normal
/// approximation whose variance is zero (every difference zero).
pub(crate) fn signed_rank_of(
    differences: &[f64],
    method: PValueMethod,
    zero_method: ZeroMethod,
    correction: bool,
) -> Option<SignedRankTest> {
    let ranked: Vec<f64> = match zero_method {
        ZeroMethod::Wilcox => differences.iter().copied().filter(|&d| d != 0.0).collect(),
        ZeroMethod::Pratt | ZeroMethod::Zsplit => differences.to_vec(),
    };
    let n = ranked.len();
    let n_zero = ranked.iter().filter(|&&d| d == 0.0).count();
    let (ranks, tie_sizes) = midranks(&abs(&ranked));
    let mut statistic: f64 = ranked
        .iter()
        .zip(&ranks)
        .filter(|(d, _)| **d > 0.0)
        .map(|(_, r)| r)
        .sum();
    if zero_method == ZeroMethod::Zsplit {
        let zero_ranks: f64 = ranked
            .iter()
            .zip(&ranks)
            .filter(|(d, _)| **d == 0.0)
            .map(|(_, r)| r)
            .sum();
        statistic += zero_ranks / 2.0;
    }
    let has_ties = tie_sizes.iter().any(|&t| t > 1);
    let p_value = match method {
        PValueMethod::Exact => {
            if has_ties || differences.contains(&0.0) || n == 0 || n > EXACT_MAX_N {
                return None;
            }
            exact_two_sided(statistic, n)
        }
        PValueMethod::Normal => {
            let nf = n as f64;
            let (mut mean, mut variance_24) =
                (nf * (nf + 1.0) / 4.0, nf * (nf + 1.0) * (2.0 * nf + 1.0));
            let mut ties = tie_correction(&tie_sizes);
            if zero_method == ZeroMethod::Pratt && n_zero > 0 {
                // Cureton (1967): the zeros' ranks 1..n0 leave the null distribution; their tie group
                // leaves the tie correction (scipy's reading).
                let z0 = n_zero as f64;
                mean -= z0 * (z0 + 1.0) / 4.0;
                variance_24 -= z0 * (z0 + 1.0) * (2.0 * z0 + 1.0);
                ties -= (n_zero * n_zero * n_zero - n_zero) as f64;
            }
            let sigma = ((variance_24 - ties / 2.0) / 24.0).sqrt();
            if sigma.is_nan() || sigma <= 0.0 {
                return None;
            }
            let centred = statistic - mean;
            let continuity = if correction { 0.5 * sign(centred) } else { 0.0 };
            normal_two_sided((centred - continuity) / sigma)
        }
    };
    Some(SignedRankTest {
        statistic,
        p_value,
        method,
        zero_method,
        correction,
        n_used: n,
    })
}

/// The exact null distribution of V for n untied, non-zero differences: P(V = k), k = 0 … n(n+1)/2.
///
/// Built by adding one rank at a time, each included with probability ½: O(n³) operations, with
/// probabilities (not counts) so that no n overflows. The distribution is symmetric about n(n+1)/4, so
/// only its lower half is computed and stored.
#[derive(Debug, Clone)]
pub struct SignedRankDistribution {
    /// The largest value of V, n(n+1)/2.
    max: usize,
    /// P(V = k) for k = 0 … max/2.
    lower_half: Vec<f64>,
}

impl SignedRankDistribution {
    pub fn new(n: usize) -> SignedRankDistribution {
        let max = n * (n + 1) / 2;
        let limit = max / 2;
        let mut current = vec![0.0; limit + 1];
        current[0] = 1.0;
        // Two buffers rather than one updated in place: each step then reads only the previous one,
        // and the loop vectorises.
        let mut next = vec![0.0; limit + 1];
        let mut reached = 0;
        for rank in 1..=n {
            reached = (reached + rank).min(limit);
            let below_rank = rank.min(reached + 1);
            for (target, &source) in next[..below_rank].iter_mut().zip(&current[..below_rank]) {
                *target = source * 0.5;
            }
            if rank <= reached {
                let (without, shifted) = (&current[rank..=reached], &current[..=reached - rank]);
                for ((target, &a), &b) in next[rank..=reached].iter_mut().zip(without).zip(shifted)
                {
                    *target = (a + b) * 0.5;
                }
            }
            std::mem::swap(&mut current, &mut next);
        }
        SignedRankDistribution {
            max,
            lower_half: current,
        }
    }

    /// The largest value of V, n(n+1)/2.
    pub fn max(&self) -> usize {
        self.max
    }

    /// P(V = k).
    pub fn probability(&self, k: usize) -> f64 {
        if k > self.max {
            return 0.0;
        }
        self.lower_half[k.min(self.max - k)]
    }

    /// P(V ≤ q) (R's `psignrank(q, n)`). The smaller tail is summed directly, so tail probabilities keep
    /// their relative precision.
    pub fn cdf(&self, q: f64) -> f64 {
        if q < 0.0 {
            return 0.0;
        }
        let q = q.floor() as usize;
        if q >= self.max {
            return 1.0;
        }
        if q < self.lower_half.len() {
            self.lower_half[..=q].iter().sum()
        } else {
            // P(V ≤ q) = 1 − P(V ≥ q + 1) = 1 − P(V ≤ max − q − 1) by symmetry.
            1.0 - self.cdf((self.max - q - 1) as f64)
        }
    }

    /// P(V > q) (R's `psignrank(q, n, lower.tail = FALSE)`) = P(V ≤ max − q − 1) by symmetry.
    pub fn sf(&self, q: f64) -> f64 {
        if q < 0.0 {
            return 1.0;
        }
        let q = q.floor() as usize;
        if q >= self.max {
            return 0.0;
        }
        self.cdf((self.max - q - 1) as f64)
    }

    /// The smallest q with P(V ≤ q) ≥ p, for p ≤ ½ (R's `qsignrank(p, n)`, with its 10·ε fuzz).
    pub fn lower_quantile(&self, p: f64) -> usize {
        let target = p - 10.0 * f64::EPSILON;
        let mut cumulative = 0.0;
        for (q, probability) in self.lower_half.iter().enumerate() {
            cumulative += probability;
            if cumulative >= target {
                return q;
            }
        }
        self.lower_half.len() - 1
    }
}

/// R's exact two-sided p-value: the tail on the side of V, doubled, at most 1.
fn exact_two_sided(statistic: f64, n: usize) -> f64 {
    let distribution = SignedRankDistribution::new(n);
    let nf = n as f64;
    let one_sided = if statistic > nf * (nf + 1.0) / 4.0 {
        distribution.sf(statistic - 1.0)
    } else {
        distribution.cdf(statistic)
    };
    (2.0 * one_sided).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Brute force over the 2ⁿ sign patterns: the reference for the counted distribution.
    fn enumerated(n: usize) -> Vec<f64> {
        let max = n * (n + 1) / 2;
        let mut counts = vec![0u64; max + 1];
        for signs in 0u32..(1 << n) {
            let v: usize = (0..n)
                .filter(|&i| signs & (1 << i) != 0)
                .map(|i| i + 1)
                .sum();
            counts[v] += 1;
        }
        counts
            .iter()
            .map(|&c| c as f64 / f64::from(1u32 << n))
            .collect()
    }

    #[test]
    fn the_counted_distribution_equals_enumeration_up_to_15() {
        for n in 0..=15 {
            let counted = SignedRankDistribution::new(n);
            for (k, expected) in enumerated(n).into_iter().enumerate() {
                assert_eq!(counted.probability(k), expected, "n = {n}, k = {k}");
            }
        }
    }

    #[test]
    fn a_hand_computed_exact_test() {
        // d = 1, 2, 3, -4: V = 1 + 2 + 3 = 6 of max 10; n(n+1)/4 = 5 < 6, so p = 2 P(V >= 6).
        // P(V >= 6) for n = 4: sums 6..10 occur 2+2+1+1+1 = 7 times of 16 -> p = 14/16.
        let test = signed_rank_default(&[1.0, 2.0, 3.0, -4.0]).unwrap();
        assert_eq!((test.statistic, test.method), (6.0, PValueMethod::Exact));
        assert!((test.p_value - 14.0 / 16.0).abs() < 1e-15);
    }

    #[test]
    fn all_zero_differences_have_no_test() {
        assert_eq!(signed_rank_default(&[0.0, 0.0]), None);
        assert!(crate::hodges_lehmann::hodges_lehmann_of(&[0.0, 0.0], 0.95).is_none());
    }

    #[test]
    fn ties_or_zeros_switch_the_default_to_the_normal_approximation() {
        assert_eq!(
            signed_rank_default(&[1.0, 1.0, 2.0]).unwrap().method,
            PValueMethod::Normal
        );
        assert_eq!(
            signed_rank_default(&[0.0, 1.0, 2.0]).unwrap().method,
            PValueMethod::Normal
        );
        assert!(signed_rank_of(
            &[0.0, 1.0, 2.0],
            PValueMethod::Exact,
            ZeroMethod::Wilcox,
            false
        )
        .is_none());
    }
}
