//! Mid-ranks (R's `rank(ties.method = "average")`) and tie counts.

/// The ranks of `values` (1-based), ties given the mean of the ranks they span; with the sizes of the
/// groups of tied values (groups of one included).
pub fn midranks(values: &[f64]) -> (Vec<f64>, Vec<usize>) {
    // Values sorted with their positions: tied values share one mid-rank whatever their order, so an
    // unstable sort of the pairs (contiguous, no indirection) gives the same ranks as a stable one.
    let mut order: Vec<(f64, usize)> = values.iter().copied().zip(0..).collect();
    order.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let mut ranks = vec![0.0; values.len()];
    let mut tie_sizes = Vec::new();
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && order[end].0 == order[start].0 {
            end += 1;
        }
        // Positions start..end (0-based) hold ranks start+1 ..= end; their mean is (start + 1 + end) / 2.
        let rank = (start + 1 + end) as f64 / 2.0;
        for &(_, index) in &order[start..end] {
            ranks[index] = rank;
        }
        tie_sizes.push(end - start);
        start = end;
    }
    (ranks, tie_sizes)
}

/// Σ (t³ − t) over the tie groups: the tie correction of rank-test variances.
pub fn tie_correction(tie_sizes: &[usize]) -> f64 {
    tie_sizes.iter().map(|&t| (t * t * t - t) as f64).sum()
}

/// R's `sign`: −1, 0 or 1 (Rust's `signum` gives 1 for 0, which would shift a continuity correction).
pub fn sign(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_share_the_mean_of_their_ranks() {
        let (ranks, ties) = midranks(&[10.0, 30.0, 20.0, 30.0, 30.0]);
        assert_eq!(ranks, [1.0, 4.0, 2.0, 4.0, 4.0]);
        assert_eq!(ties, [1, 1, 3]);
        assert_eq!(tie_correction(&ties), 24.0);
        assert_eq!(midranks(&[]), (vec![], vec![]));
    }
}
