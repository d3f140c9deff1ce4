//! Invariants that hold for any data.

use hlh_stats::fisher::{fisher_exact, Table2x2};
use hlh_stats::groups::{fisher_exact_rxc, kruskal_wallis};
use hlh_stats::proportion::{proportion, ProportionMethod};
use hlh_stats::survival::ConfType;
use hlh_stats::two_groups::mann_whitney;
use hlh_stats::wilcoxon::{signed_rank, PValueMethod, ZeroMethod};
use hlh_stats::{Pairs, QuantileType, Sample, SurvivalData};
use proptest::prelude::*;

fn values(max_len: usize) -> impl Strategy<Value = Vec<f64>> {
    // Small integers make ties and zeros common, which is where rank tests go wrong.
    proptest::collection::vec((-20i32..20).prop_map(|v| f64::from(v) / 2.0), 1..max_len)
}

fn assert_probability(p: f64, what: &str) {
    assert!((0.0..=1.0).contains(&p), "{what} = {p}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn paired_p_values_are_probabilities(before in values(40), shift in values(40)) {
        let n = before.len().min(shift.len());
        let after: Vec<f64> = before[..n].iter().zip(&shift[..n]).map(|(b, s)| b + s).collect();
        let pairs = Pairs::new(&before[..n], &after).unwrap();
        let comparison = pairs.compare(0.95);
        if let Some(t) = comparison.paired_t {
            if let Some(p) = t.p_value { assert_probability(p, "paired t"); }
            prop_assert!(t.ci.0 <= t.ci.1);
        }
        for test in &pairs.wilcoxon_variants() {
            assert_probability(test.p_value, "wilcoxon");
        }
        assert_probability(pairs.sign_test().p_value, "sign");
        if let Some(hl) = comparison.hodges_lehmann {
            if let Some((lower, upper)) = hl.ci { prop_assert!(lower <= upper); }
        }
    }

    #[test]
    fn swapping_before_and_after_leaves_two_sided_tests_unchanged(before in values(30), shift in values(30)) {
        let n = before.len().min(shift.len());
        let after: Vec<f64> = before[..n].iter().zip(&shift[..n]).map(|(b, s)| b + s).collect();
        let forward = Pairs::new(&before[..n], &after).unwrap();
        let backward = Pairs::new(&after, &before[..n]).unwrap();
        for zero_method in ZeroMethod::ALL {
            for correction in [true, false] {
                let f = signed_rank(&forward, PValueMethod::Normal, zero_method, correction);
                let b = signed_rank(&backward, PValueMethod::Normal, zero_method, correction);
                match (f, b) {
                    (Some(f), Some(b)) => prop_assert!((f.p_value - b.p_value).abs() < 1e-12),
                    (f, b) => prop_assert_eq!(f.is_some(), b.is_some()),
                }
            }
        }
    }

    #[test]
    fn swapping_groups_leaves_mann_whitney_unchanged(x in values(25), y in values(25)) {
        let forward = mann_whitney(&x, &y).unwrap();
        let backward = mann_whitney(&y, &x).unwrap();
        assert_probability(forward.p_value, "mann-whitney");
        prop_assert!((forward.p_value - backward.p_value).abs() < 1e-12);
        prop_assert_eq!(forward.statistic + backward.statistic, (x.len() * y.len()) as f64);
    }

    #[test]
    fn fisher_is_symmetric_in_rows(a in 0u64..15, b in 0u64..15, c in 0u64..15, d in 0u64..15) {
        let test = fisher_exact(Table2x2 { a, b, c, d }, 0.95).unwrap();
        let swapped = fisher_exact(Table2x2 { a: c, b: d, c: a, d: b }, 0.95).unwrap();
        assert_probability(test.p_value, "fisher");
        prop_assert!((test.p_value - swapped.p_value).abs() < 1e-12);
        prop_assert!(test.ci.0 <= test.odds_ratio && test.odds_ratio <= test.ci.1);
    }

    #[test]
    fn fisher_r_by_c_is_a_probability_unchanged_by_the_order_of_rows_and_columns(
        cells in proptest::collection::vec(0u64..6, 9),
        rows in 2usize..=3,
    ) {
        let table: Vec<Vec<u64>> = cells.chunks(3).take(rows).map(<[u64]>::to_vec).collect();
        let p = fisher_exact_rxc(&table).unwrap().unwrap();
        assert_probability(p, "fisher r×c");
        let mut reordered: Vec<Vec<u64>> = table.iter().rev().cloned().collect();
        for row in &mut reordered {
            row.rotate_left(1);
        }
        let p_reordered = fisher_exact_rxc(&reordered).unwrap().unwrap();
        prop_assert!((p - p_reordered).abs() < 1e-9, "{p} against {p_reordered}");
    }

    #[test]
    fn kruskal_wallis_is_a_probability_unchanged_by_the_order_of_groups(
        a in values(12), b in values(12), c in values(12),
    ) {
        if let Some(test) = kruskal_wallis(&[&a, &b, &c]).unwrap() {
            assert_probability(test.p_value, "kruskal-wallis");
            prop_assert!(test.statistic >= -1e-9);
            let swapped = kruskal_wallis(&[&c, &a, &b]).unwrap().unwrap();
            prop_assert!((test.statistic - swapped.statistic).abs() < 1e-9);
            prop_assert!((test.p_value - swapped.p_value).abs() < 1e-12);
        }
    }

    #[test]
    fn proportion_intervals_contain_the_estimate(n in 1u64..500, fraction in 0.0f64..=1.0) {
        let count = (fraction * n as f64).round() as u64;
        for method in [ProportionMethod::Wilson, ProportionMethod::ClopperPearson] {
            let p = proportion(count, n, method, 0.95).unwrap();
            prop_assert!(0.0 <= p.ci.0 && p.ci.0 <= p.proportion && p.proportion <= p.ci.1 && p.ci.1 <= 1.0, "{:?}", p);
        }
    }

    #[test]
    fn quantiles_are_ordered_and_inside_the_sample(sample in values(30), type_number in 1u8..=9) {
        let sample = Sample::new(&sample).unwrap();
        let quantile_type = QuantileType::from_number(type_number).unwrap();
        let (min, max) = (sample.sorted()[0], sample.sorted()[sample.len() - 1]);
        let mut previous = f64::NEG_INFINITY;
        for p in [0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0] {
            let q = sample.quantile(p, quantile_type);
            prop_assert!(min <= q && q <= max && previous <= q);
            previous = q;
        }
    }

    #[test]
    fn survival_is_non_increasing_in_0_1_and_log_rank_ignores_group_order(
        rows in proptest::collection::vec((0u8..30, proptest::bool::ANY, 0u8..3), 1..60)
    ) {
        let times: Vec<f64> = rows.iter().map(|r| f64::from(r.0)).collect();
        let events: Vec<f64> = rows.iter().map(|r| f64::from(u8::from(r.1))).collect();
        let groups: Vec<String> = rows.iter().map(|r| format!("g{}", r.2)).collect();
        // The same partition under labels that sort in the opposite order.
        let renamed: Vec<String> = rows.iter().map(|r| format!("g{}", 2 - r.2)).collect();
        let data = SurvivalData::new(&times, &events, Some(&groups)).unwrap();
        let renamed_data = SurvivalData::new(&times, &events, Some(&renamed)).unwrap();
        for conf_type in [ConfType::Plain, ConfType::Log, ConfType::LogLog] {
            let analysis = data.fit(conf_type, 0.95);
            for group in &analysis.groups {
                let mut previous = 1.0;
                for row in &group.fit.table {
                    prop_assert!((0.0..=1.0).contains(&row.survival) && row.survival <= previous);
                    previous = row.survival;
                    if let (Some(lower), Some(upper)) = (row.lower, row.upper) {
                        prop_assert!(0.0 <= lower && lower <= row.survival + 1e-12 && row.survival <= upper + 1e-12 && upper <= 1.0);
                    }
                }
            }
            match (analysis.logrank, renamed_data.logrank()) {
                (Some(a), Some(b)) => {
                    assert_probability(a.p_value, "log-rank");
                    prop_assert!((a.statistic - b.statistic).abs() <= 1e-9 * a.statistic.abs().max(1.0));
                }
                (a, b) => prop_assert_eq!(a.is_some(), b.is_some()),
            }
        }
    }
}
