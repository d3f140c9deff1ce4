//! The Wilcoxon signed-rank test on paired differences, with the Hodges–Lehmann estimate.
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

use crate::ranks::{midranks, sign, tie_correction};
use crate::tails::{normal_quantile, normal_two_sided};

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
pub fn signed_rank_default(differences: &[f64]) -> Option<SignedRankTest> {
    let nonzero: Vec<f64> = differences.iter().copied().filter(|&d| d != 0.0).collect();
    let has_zeros = nonzero.len() < differences.len();
    let (_, tie_sizes) = midranks(&abs(&nonzero));
    let has_ties = tie_sizes.iter().any(|&t| t > 1);
    if nonzero.len() < 50 && !has_ties && !has_zeros {
        signed_rank(differences, PValueMethod::Exact, ZeroMethod::Wilcox, false)
    } else {
        signed_rank(differences, PValueMethod::Normal, ZeroMethod::Wilcox, true)
    }
}

/// Every variant that exists for these differences: the normal approximation with and without correction
/// for each zero method, and the exact test when there are neither ties nor zeros.
pub fn signed_rank_variants(differences: &[f64]) -> Vec<SignedRankTest> {
    let mut variants: Vec<SignedRankTest> =
        signed_rank(differences, PValueMethod::Exact, ZeroMethod::Wilcox, false)
            .into_iter()
            .collect();
    for zero_method in ZeroMethod::ALL {
        for correction in [true, false] {
            variants.extend(signed_rank(
                differences,
                PValueMethod::Normal,
                zero_method,
                correction,
            ));
        }
    }
    variants
}

fn abs(values: &[f64]) -> Vec<f64> {
    values.iter().map(|v| v.abs()).collect()
}

/// The largest n for which the exact distribution is computed: O(n³) work and n²/2 bytes. Beyond it
/// the normal approximation agrees with the exact p-value to many digits, and the exact variant is left
/// out rather than taking minutes and gigabytes.
pub const EXACT_MAX_N: usize = 2000;

/// One signed-rank test. `None` when it does not exist: the exact test with ties or zeros, or a normal
/// approximation whose variance is zero (every difference zero).
pub fn signed_rank(
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

/// The Hodges–Lehmann estimate of the median difference with its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HodgesLehmann {
    /// The median of the Walsh averages (dᵢ + dⱼ)/2, i ≤ j, of the non-zero differences.
    pub estimate: f64,
    /// R's exact interval when R takes the exact test; otherwise the asymptotic interval R targets,
    /// located precisely. `None` when it does not exist (fewer than two distinct values).
    pub ci: Option<(f64, f64)>,
    /// Whether the interval is the exact one.
    pub exact: bool,
}

/// The Hodges–Lehmann estimate and its two-sided interval at `confidence`; `None` when every
/// difference is zero.
pub fn hodges_lehmann(differences: &[f64], confidence: f64) -> Option<HodgesLehmann> {
    let x: Vec<f64> = differences.iter().copied().filter(|&d| d != 0.0).collect();
    let n = x.len();
    if n == 0 {
        return None;
    }
    let mut sorted = x.clone();
    sorted.sort_by(f64::total_cmp);
    let estimate = walsh_median(&sorted);
    let has_zeros = n < differences.len();
    let (_, tie_sizes) = midranks(&abs(&x));
    let has_ties = tie_sizes.iter().any(|&t| t > 1);
    let alpha = 1.0 - confidence;
    if n < 50 && !has_ties && !has_zeros {
        let distribution = SignedRankDistribution::new(n);
        let qu = distribution.lower_quantile(alpha / 2.0).max(1);
        let ql = n * (n + 1) / 2 - qu;
        let walsh = walsh_averages(&sorted);
        return Some(HodgesLehmann {
            estimate,
            ci: Some((walsh[qu - 1], walsh[ql])),
            exact: true,
        });
    }
    Some(HodgesLehmann {
        estimate,
        ci: asymptotic_interval(&sorted, alpha),
        exact: false,
    })
}

/// Every Walsh average (xᵢ + xⱼ)/2, i ≤ j, sorted. Averages are taken with `midpoint`, equal to
/// (xᵢ + xⱼ)/2 to the bit wherever that sum does not overflow.
fn walsh_averages(sorted: &[f64]) -> Vec<f64> {
    let n = sorted.len();
    let mut walsh = Vec::with_capacity(n * (n + 1) / 2);
    for i in 0..n {
        for j in i..n {
            walsh.push(sorted[i].midpoint(sorted[j]));
        }
    }
    walsh.sort_by(f64::total_cmp);
    walsh
}

/// Above this many Walsh averages, they are counted rather than listed.
const MAX_LISTED_WALSH: usize = 1 << 20;

/// The median of the Walsh averages of `sorted`; for large samples by selection without listing the
/// n(n+1)/2 averages (O(n) memory, O(n log) time).
fn walsh_median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    let total = n * (n + 1) / 2;
    if total <= MAX_LISTED_WALSH {
        return median_of_sorted(&walsh_averages(sorted));
    }
    if total % 2 == 1 {
        kth_walsh_average(sorted, total / 2)
    } else {
        kth_walsh_average(sorted, total / 2 - 1).midpoint(kth_walsh_average(sorted, total / 2))
    }
}

/// The number of Walsh averages ≤ v (two pointers over the sorted sample: O(n)).
fn count_walsh_at_most(sorted: &[f64], v: f64) -> usize {
    count_walsh(sorted, |average| average > v)
}

/// The number of Walsh averages < v.
fn count_walsh_below(sorted: &[f64], v: f64) -> usize {
    count_walsh(sorted, |average| average >= v)
}

/// The number of Walsh averages not `beyond` a bound that `beyond` tests (monotone in the average).
fn count_walsh(sorted: &[f64], beyond: impl Fn(f64) -> bool) -> usize {
    let n = sorted.len();
    let mut count = 0;
    let mut j = n; // exclusive bound: averages with index < j are within the bound for the current i
    for i in 0..n {
        while j > i && beyond(sorted[i].midpoint(sorted[j - 1])) {
            j -= 1;
        }
        if j <= i {
            break;
        }
        count += j - i;
    }
    count
}

/// The k-th smallest (0-based) Walsh average: bisection on the value until few averages remain in the
/// bracket, then those few are listed and the k-th taken exactly.
fn kth_walsh_average(sorted: &[f64], k: usize) -> f64 {
    let n = sorted.len();
    let (mut low, mut high) = (sorted[0], sorted[n - 1]);
    let mut at_most_low = count_walsh_at_most(sorted, low);
    if at_most_low > k {
        return low;
    }
    let mut at_most_high = n * (n + 1) / 2;
    // Invariant: count(≤ low) ≤ k < count(≤ high), both counts kept so that each step counts once.
    while at_most_high - at_most_low > n.max(64) {
        let middle = low.midpoint(high);
        if middle <= low || middle >= high {
            break;
        }
        let at_most_middle = count_walsh_at_most(sorted, middle);
        if at_most_middle > k {
            (high, at_most_high) = (middle, at_most_middle);
        } else {
            (low, at_most_low) = (middle, at_most_middle);
        }
    }
    // Many tied averages (values recorded to one decimal) can keep the bracket wide down to adjacent
    // floats; then the k-th is `high` itself, found by counting rather than listing millions of copies.
    if count_walsh_below(sorted, high) <= k {
        return high;
    }
    // List the averages in (low, high]: for each i, the j ≥ i in that band form one run.
    let mut band = Vec::new();
    for i in 0..n {
        let first = i + sorted[i..].partition_point(|&xj| sorted[i].midpoint(xj) <= low);
        for &xj in &sorted[first..] {
            let w = sorted[i].midpoint(xj);
            if w > high {
                break;
            }
            band.push(w);
        }
    }
    band.sort_by(f64::total_cmp);
    band[k - at_most_low]
}

fn median_of_sorted(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        sorted[n / 2 - 1].midpoint(sorted[n / 2])
    }
}

/// R's standardized, continuity-corrected signed-rank statistic of x − d (zeros of x − d dropped), for
/// `sorted` x. The |x − d| come in order by merging the values below d (walked down) with those above
/// (walked up), so mid-ranks and the tie correction are found in one O(n) pass, with no sort and no
/// allocation — the interval search evaluates this many times.
fn corrected_statistic(sorted: &[f64], d: f64) -> Option<f64> {
    let len = sorted.len();
    let split = sorted.partition_point(|&v| v < d);
    let mut left = split; // sorted[..left] are below d, walked from left - 1 down
    let mut right = split + sorted[split..].partition_point(|&v| v <= d); // skip the zeros of x − d
    let n = (left + len - right) as f64;
    let (mut placed, mut v, mut ties) = (0usize, 0.0f64, 0.0f64);
    while left > 0 || right < len {
        let below = (left > 0).then(|| d - sorted[left - 1]);
        let above = (right < len).then(|| sorted[right] - d);
        let next = match (below, above) {
            (Some(b), Some(a)) => b.min(a),
            (Some(b), None) => b,
            (None, Some(a)) => a,
            (None, None) => break,
        };
        let (mut from_below, mut from_above) = (0usize, 0usize);
        while left > 0 && d - sorted[left - 1] == next {
            from_below += 1;
            left -= 1;
        }
        while right < len && sorted[right] - d == next {
            from_above += 1;
            right += 1;
        }
        let tied = from_below + from_above;
        let midrank = placed as f64 + (tied as f64 + 1.0) / 2.0;
        v += from_above as f64 * midrank;
        ties += (tied * tied * tied - tied) as f64;
        placed += tied;
    }
    let centred = v - n * (n + 1.0) / 4.0;
    let sigma = (n * (n + 1.0) * (2.0 * n + 1.0) / 24.0 - ties / 48.0).sqrt();
    if sigma.is_nan() || sigma <= 0.0 {
        return None;
    }
    let continuity = 0.5 * sign(centred);
    Some((centred - continuity) / sigma)
}

/// The asymptotic interval of `wilcox.test(conf.int = TRUE)`: the shifts d where the corrected
/// statistic of x − d crosses ±z, widened (alpha doubled) as R does when the data cannot reach the
/// requested level. R's root finder stops at a tolerance of 1e-4; the crossing of this step function is
/// located here by bisection to the resolution of f64. `x` is sorted.
fn asymptotic_interval(x: &[f64], mut alpha: f64) -> Option<(f64, f64)> {
    let (mumin, mumax) = x
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    let w_min = corrected_statistic(x, mumin)?;
    let w_max = corrected_statistic(x, mumax)?;
    loop {
        let upper_z = normal_quantile(1.0 - alpha / 2.0);
        if w_min - upper_z < 0.0 || w_max + upper_z > 0.0 {
            alpha *= 2.0;
            if alpha >= 1.0 {
                let mut sorted = x.to_vec();
                sorted.sort_by(f64::total_cmp);
                let median = median_of_sorted(&sorted);
                return Some((median, median));
            }
        } else {
            break;
        }
    }
    let upper_z = normal_quantile(1.0 - alpha / 2.0);
    let lower = crossing(x, mumin, mumax, upper_z)?;
    let upper = crossing(x, mumin, mumax, -upper_z)?;
    Some((lower, upper))
}

/// The shift in [low, high] where the corrected statistic, decreasing in the shift, crosses `level`.
fn crossing(x: &[f64], mut low: f64, mut high: f64, level: f64) -> Option<f64> {
    let above = |d: f64| corrected_statistic(x, d).map(|w| w - level > 0.0);
    if !above(low)? {
        return Some(low);
    }
    if above(high)? {
        return Some(high);
    }
    for _ in 0..200 {
        let middle = low.midpoint(high);
        if middle <= low || middle >= high {
            break;
        }
        if above(middle)? {
            low = middle;
        } else {
            high = middle;
        }
    }
    Some(low.midpoint(high))
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
        assert!(hodges_lehmann(&[0.0, 0.0], 0.95).is_none());
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
        assert!(signed_rank(
            &[0.0, 1.0, 2.0],
            PValueMethod::Exact,
            ZeroMethod::Wilcox,
            false
        )
        .is_none());
    }

    /// The corrected statistic by sorting, as R computes it: the reference for the merge.
    fn corrected_statistic_by_sorting(x: &[f64], d: f64) -> Option<f64> {
        let shifted: Vec<f64> = x.iter().map(|v| v - d).filter(|&v| v != 0.0).collect();
        let n = shifted.len() as f64;
        let (ranks, tie_sizes) = midranks(&abs(&shifted));
        let v: f64 = shifted
            .iter()
            .zip(&ranks)
            .filter(|(s, _)| **s > 0.0)
            .map(|(_, r)| r)
            .sum();
        let centred = v - n * (n + 1.0) / 4.0;
        let sigma =
            (n * (n + 1.0) * (2.0 * n + 1.0) / 24.0 - tie_correction(&tie_sizes) / 48.0).sqrt();
        (sigma > 0.0).then(|| (centred - 0.5 * sign(centred)) / sigma)
    }

    #[test]
    fn the_merged_statistic_equals_the_sorted_one() {
        let mut x: Vec<f64> = (0..60)
            .map(|i| f64::from((i * 29 % 37) - 18) / 2.0)
            .collect();
        x.sort_by(f64::total_cmp);
        for d in [
            -10.0, -9.0, -3.25, -0.5, 0.0, 0.25, 1.0, 4.5, 8.0, 9.0, 12.0,
        ] {
            let (merged, sorted) = (
                corrected_statistic(&x, d),
                corrected_statistic_by_sorting(&x, d),
            );
            match (merged, sorted) {
                (Some(m), Some(s)) => assert!((m - s).abs() < 1e-12, "d = {d}: {m} vs {s}"),
                (m, s) => assert_eq!(m, s, "d = {d}"),
            }
        }
    }

    #[test]
    fn selecting_walsh_averages_equals_listing_them() {
        // Ties, negatives and duplicates included.
        let sample: Vec<f64> = (0..300)
            .map(|i| f64::from((i * 37 % 101) - 50) / 4.0)
            .collect();
        let mut sorted = sample.clone();
        sorted.sort_by(f64::total_cmp);
        let listed = walsh_averages(&sorted);
        for k in [
            0,
            1,
            17,
            listed.len() / 2 - 1,
            listed.len() / 2,
            listed.len() - 2,
            listed.len() - 1,
        ] {
            assert_eq!(kth_walsh_average(&sorted, k), listed[k], "k = {k}");
        }
        for v in [-20.0, -0.125, 0.0, 3.3, 12.5, 20.0] {
            assert_eq!(
                count_walsh_at_most(&sorted, v),
                listed.iter().filter(|&&w| w <= v).count(),
                "v = {v}"
            );
        }
    }

    #[test]
    fn heavily_tied_averages_are_selected_without_listing_them() {
        // Temperatures to one decimal: 100,000 differences, ~80 distinct values, 5e9 averages of which
        // tens of millions are tied at each value. Each k-th is checked against counts, which need no
        // listing: count(< w) ≤ k < count(≤ w).
        let differences: Vec<f64> = (0..100_000)
            .map(|i| f64::from((i * 7919 % 81) - 40) / 10.0)
            .collect();
        assert_selects_by_counts(&differences, |total| {
            vec![0, 1, total / 3, total / 2 - 1, total / 2, total - 1]
        });
    }

    /// Checks the k-th Walsh average of `differences` for each k that `ks` picks from the number of
    /// averages, against counts that need no listing: count(< w) ≤ k < count(≤ w).
    fn assert_selects_by_counts(differences: &[f64], ks: impl Fn(usize) -> Vec<usize>) {
        let mut sorted = differences.to_vec();
        sorted.sort_by(f64::total_cmp);
        let total = sorted.len() * (sorted.len() + 1) / 2;
        for k in ks(total) {
            let w = kth_walsh_average(&sorted, k);
            assert!(count_walsh_below(&sorted, w) <= k, "k = {k}, w = {w}");
            assert!(k < count_walsh_at_most(&sorted, w), "k = {k}, w = {w}");
        }
    }

    #[test]
    fn averages_of_values_near_the_largest_float_do_not_overflow() {
        // 1,500 differences (over a million Walsh averages, so the selection path) near ±1.5e308:
        // (a + b) / 2 would be infinite for two of them.
        let differences: Vec<f64> = (0..1500).map(|i| f64::from(i % 7 - 3) * 0.5e308).collect();
        let hl = hodges_lehmann(&differences, 0.95).unwrap();
        assert!(hl.estimate.is_finite(), "{hl:?}");
        let (lower, upper) = hl.ci.unwrap();
        assert!(
            lower.is_finite() && upper.is_finite() && lower <= upper,
            "{hl:?}"
        );
        assert_selects_by_counts(&differences, |total| vec![0, total / 2, total - 1]);
    }

    #[test]
    fn a_large_sample_has_an_estimate_without_listing_its_walsh_averages() {
        // 100,000 differences: 5e9 Walsh averages would need 40 GB; selection needs the sample.
        let differences: Vec<f64> = (0..100_000).map(|i| f64::from(i % 1000) - 400.5).collect();
        let hl = hodges_lehmann(&differences, 0.95).unwrap();
        assert!(!hl.exact);
        assert!((hl.estimate - 99.0).abs() < 1.0, "{}", hl.estimate);
        assert!(
            signed_rank(&differences, PValueMethod::Exact, ZeroMethod::Wilcox, false).is_none()
        );
    }

    #[test]
    fn the_estimate_is_the_median_of_the_walsh_averages() {
        let hl = hodges_lehmann(&[-2.0, -1.0, 3.0, 7.0, 8.0], 0.95).unwrap();
        // Walsh averages of {-2, -1, 3, 7, 8}, sorted: -2, -1.5, -1, 0.5, 1, 2.5, 3, 3, 3, 3.5, 5, 5.5,
        // 7, 7.5, 8; the 8th of 15 is 3.
        assert_eq!(hl.estimate, 3.0);
        assert!(hl.exact);
    }
}
