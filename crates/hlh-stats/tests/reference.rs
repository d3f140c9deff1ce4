//! hlh-stats against R (and scipy for what R lacks). The fixtures are written by tools/refgen/; each case
//! carries the exact call, and each file the tool's version.

use hlh_stats::fisher::{fisher_exact, Table2x2};
use hlh_stats::groups::{fisher_exact_rxc, kruskal_wallis};
use hlh_stats::proportion::{proportion, ProportionMethod};
use hlh_stats::survival::ConfType;
use hlh_stats::two_groups::{chi_square, mann_whitney};
use hlh_stats::wilcoxon::{signed_rank, PValueMethod, ZeroMethod};
use hlh_stats::{Pairs, QuantileType, Sample, SurvivalData};
use serde_json::Value;

/// Results computed by the same formula as R, in the same order: equal to the last bits.
const SAME_ARITHMETIC: f64 = 1e-13;
/// Results through special functions (incomplete beta and gamma, normal tails): statrs and R's nmath
/// agree to about ten digits; the contract asks for six.
const SPECIAL_FUNCTIONS: f64 = 1e-9;
/// Tail p-values below 1e-6: six significant digits, as the contract requires.
const SIX_DIGITS: f64 = 1e-6;
/// Roots R finds with `uniroot(tol = .Machine$double.eps^0.25)` ≈ 1.2e-4: R's own answer is only that
/// precise, so hlh-stats (which solves to the resolution of f64) is compared at that tolerance.
const R_UNIROOT: f64 = 2e-4;

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A number of the fixture: null is None, "Infinity" is +∞.
fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Null => None,
        Value::String(text) if text == "Infinity" => Some(f64::INFINITY),
        Value::String(text) if text == "-Infinity" => Some(f64::NEG_INFINITY),
        other => Some(
            other
                .as_f64()
                .unwrap_or_else(|| panic!("not a number: {other}")),
        ),
    }
}

fn numbers(value: &Value) -> Vec<Option<f64>> {
    match value {
        Value::Array(items) => items.iter().map(number).collect(),
        other => vec![number(other)],
    }
}

fn finite_numbers(value: &Value) -> Vec<f64> {
    numbers(value)
        .into_iter()
        .map(|n| n.expect("a number"))
        .collect()
}

#[track_caller]
fn assert_close(actual: f64, expected: f64, relative: f64, context: &str) {
    if expected.is_infinite() || actual.is_infinite() {
        assert_eq!(actual, expected, "{context}");
        return;
    }
    let error = (actual - expected).abs();
    let allowed = relative * expected.abs().max(f64::MIN_POSITIVE);
    assert!(
        error <= allowed || error <= relative * 1e-300,
        "{context}: expected {expected:e}, got {actual:e}, relative error {:e} > {relative:e}",
        error / expected.abs()
    );
}

#[track_caller]
fn assert_close_opt(actual: Option<f64>, expected: Option<f64>, relative: f64, context: &str) {
    match (actual, expected) {
        (Some(a), Some(e)) => assert_close(a, e, relative, context),
        (a, e) => assert_eq!(a, e, "{context}"),
    }
}

#[test]
fn quantiles_of_all_nine_types_equal_r() {
    let reference = fixture("r_reference.json");
    for case in reference["quantiles"].as_array().unwrap() {
        let sample = Sample::new(&finite_numbers(&case["x"])).unwrap();
        let quantile_type =
            QuantileType::from_number(case["type"].as_u64().unwrap() as u8).unwrap();
        for (p, expected) in finite_numbers(&case["probs"])
            .into_iter()
            .zip(finite_numbers(&case["quantiles"]))
        {
            let context = format!("{} on {:?} at p = {p}", case["call"], case["x"]);
            assert_close(
                sample.quantile(p, quantile_type),
                expected,
                SAME_ARITHMETIC,
                &context,
            );
        }
    }
}

#[test]
fn means_and_standard_deviations_equal_r() {
    let reference = fixture("r_reference.json");
    for case in reference["summaries"].as_array().unwrap() {
        let sample = Sample::new(&finite_numbers(&case["x"])).unwrap();
        let context = format!("{:?}", case["x"]);
        assert_close(
            sample.mean(),
            number(&case["mean"]).unwrap(),
            SAME_ARITHMETIC,
            &context,
        );
        assert_close_opt(sample.sd(), number(&case["sd"]), SAME_ARITHMETIC, &context);
    }
}

#[test]
fn proportion_intervals_equal_r() {
    let reference = fixture("r_reference.json");
    for case in reference["proportions"].as_array().unwrap() {
        let (count, n) = (case["count"].as_u64().unwrap(), case["n"].as_u64().unwrap());
        let wilson = proportion(count, n, ProportionMethod::Wilson, 0.95).unwrap();
        let expected = finite_numbers(&case["wilson"]);
        assert_close(
            wilson.ci.0,
            expected[0],
            SAME_ARITHMETIC,
            &format!("{} lower", case["wilson_call"]),
        );
        assert_close(
            wilson.ci.1,
            expected[1],
            SAME_ARITHMETIC,
            &format!("{} upper", case["wilson_call"]),
        );
        let exact = proportion(count, n, ProportionMethod::ClopperPearson, 0.95).unwrap();
        let expected = finite_numbers(&case["clopper_pearson"]);
        let context = case["clopper_pearson_call"].to_string();
        assert_close(
            exact.ci.0,
            expected[0],
            SPECIAL_FUNCTIONS,
            &format!("{context} lower"),
        );
        assert_close(
            exact.ci.1,
            expected[1],
            SPECIAL_FUNCTIONS,
            &format!("{context} upper"),
        );
    }
}

#[test]
fn paired_tests_equal_r() {
    let reference = fixture("r_reference.json");
    for case in reference["paired"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let pairs = Pairs::new(
            &finite_numbers(&case["before"]),
            &finite_numbers(&case["after"]),
        )
        .unwrap();
        let comparison = pairs.compare(0.95);

        let t = comparison.paired_t.expect("n >= 2");
        if case["t"].is_null() {
            // R stops: "data are essentially constant".
            assert_eq!((t.statistic, t.p_value), (None, None), "{name}");
        } else {
            let expected = &case["t"];
            assert_close(
                comparison.mean_difference,
                number(&expected["mean_difference"]).unwrap(),
                SAME_ARITHMETIC,
                name,
            );
            assert_close(
                t.statistic.unwrap(),
                number(&expected["statistic"]).unwrap(),
                SAME_ARITHMETIC,
                name,
            );
            assert_eq!(t.df, number(&expected["df"]).unwrap(), "{name}");
            let p = number(&expected["p_value"]).unwrap();
            assert_close(
                t.p_value.unwrap(),
                p,
                if p < 1e-6 {
                    SIX_DIGITS
                } else {
                    SPECIAL_FUNCTIONS
                },
                &format!("{name}: t p"),
            );
            let ci = finite_numbers(&expected["ci"]);
            assert_close(t.ci.0, ci[0], SPECIAL_FUNCTIONS, &format!("{name}: t ci"));
            assert_close(t.ci.1, ci[1], SPECIAL_FUNCTIONS, &format!("{name}: t ci"));
        }

        let wilcoxon = comparison.wilcoxon.expect("non-zero differences");
        let expected = &case["wilcoxon"];
        let exact = expected["exact"].as_bool().unwrap();
        assert_eq!(
            wilcoxon.method == PValueMethod::Exact,
            exact,
            "{name}: method"
        );
        assert_eq!(
            wilcoxon.statistic,
            number(&expected["statistic"]).unwrap(),
            "{name}: V"
        );
        assert_close(
            wilcoxon.p_value,
            number(&expected["p_value"]).unwrap(),
            SPECIAL_FUNCTIONS,
            &format!("{name}: wilcoxon p"),
        );

        let hodges_lehmann = comparison.hodges_lehmann.unwrap();
        let ci = numbers(&expected["ci"]);
        match (hodges_lehmann.ci, ci[0], ci[1]) {
            (Some((lower, upper)), Some(r_lower), Some(r_upper)) if exact => {
                // R's exact estimate and interval are order statistics of the Walsh averages: equal.
                let estimate = number(&expected["estimate"]).unwrap();
                assert_close(hodges_lehmann.estimate, estimate, SAME_ARITHMETIC, name);
                assert_close(
                    lower,
                    r_lower,
                    SAME_ARITHMETIC,
                    &format!("{name}: HL lower"),
                );
                assert_close(
                    upper,
                    r_upper,
                    SAME_ARITHMETIC,
                    &format!("{name}: HL upper"),
                );
            }
            (Some((lower, upper)), Some(r_lower), Some(r_upper)) => {
                // R's asymptotic interval is a uniroot of a step function, within tol of the crossing.
                let scale = r_lower.abs().max(r_upper.abs()).max(1.0);
                assert!(
                    (lower - r_lower).abs() <= R_UNIROOT * scale,
                    "{name}: HL lower {lower} vs R {r_lower}"
                );
                assert!(
                    (upper - r_upper).abs() <= R_UNIROOT * scale,
                    "{name}: HL upper {upper} vs R {r_upper}"
                );
            }
            // Every difference equal: R's interval is NaN (no variance left once x - d is all zero).
            (None, None, None) => {}
            other => panic!("{name}: HL interval {other:?}"),
        }

        let d = &pairs;
        let corrected = signed_rank(d, PValueMethod::Normal, ZeroMethod::Wilcox, true).unwrap();
        assert_close(
            corrected.p_value,
            number(&case["normal_corrected"]).unwrap(),
            SPECIAL_FUNCTIONS,
            &format!("{name}: normal corrected"),
        );
        let uncorrected = signed_rank(d, PValueMethod::Normal, ZeroMethod::Wilcox, false).unwrap();
        assert_close(
            uncorrected.p_value,
            number(&case["normal_uncorrected"]).unwrap(),
            SPECIAL_FUNCTIONS,
            &format!("{name}: normal uncorrected"),
        );
        let exact_test = signed_rank(d, PValueMethod::Exact, ZeroMethod::Wilcox, false);
        assert_close_opt(
            exact_test.map(|t| t.p_value),
            number(&case["exact"]),
            SAME_ARITHMETIC * 100.0,
            &format!("{name}: exact"),
        );

        let sign_test = pairs.sign_test();
        let sign = &case["sign"];
        assert_eq!(
            sign_test.positive,
            sign["positive"].as_u64().unwrap(),
            "{name}"
        );
        assert_eq!(
            sign_test.negative,
            sign["negative"].as_u64().unwrap(),
            "{name}"
        );
        assert_close(
            sign_test.p_value,
            number(&sign["p_value"]).unwrap(),
            SPECIAL_FUNCTIONS,
            &format!("{name}: sign"),
        );
    }
}

#[test]
fn wilcoxon_zero_methods_equal_scipy() {
    let r = fixture("r_reference.json");
    let scipy = fixture("scipy_reference.json");
    for (r_case, scipy_case) in r["paired"]
        .as_array()
        .unwrap()
        .iter()
        .zip(scipy["paired"].as_array().unwrap())
    {
        let pairs = Pairs::new(
            &finite_numbers(&r_case["before"]),
            &finite_numbers(&r_case["after"]),
        )
        .unwrap();
        for variant in scipy_case["variants"].as_array().unwrap() {
            let zero_method = match variant["zero_method"].as_str().unwrap() {
                "wilcox" => ZeroMethod::Wilcox,
                "pratt" => ZeroMethod::Pratt,
                _ => ZeroMethod::Zsplit,
            };
            let correction = variant["correction"].as_bool().unwrap();
            let test = signed_rank(&pairs, PValueMethod::Normal, zero_method, correction).unwrap();
            let context = format!("{}: {}", scipy_case["name"], variant["call"]);
            assert_close(
                test.p_value,
                number(&variant["p_value"]).unwrap(),
                SPECIAL_FUNCTIONS,
                &context,
            );
        }
    }
}

#[test]
fn mann_whitney_equals_r() {
    let reference = fixture("r_reference.json");
    for case in reference["mann_whitney"].as_array().unwrap() {
        let test = mann_whitney(&finite_numbers(&case["x"]), &finite_numbers(&case["y"])).unwrap();
        let context = format!("wilcox.test({:?}, {:?})", case["x"], case["y"]);
        assert_eq!(
            test.method == PValueMethod::Exact,
            case["exact"].as_bool().unwrap(),
            "{context}"
        );
        assert_eq!(
            test.statistic,
            number(&case["statistic"]).unwrap(),
            "{context}"
        );
        assert_close(
            test.p_value,
            number(&case["p_value"]).unwrap(),
            SPECIAL_FUNCTIONS,
            &context,
        );
    }
}

fn table(case: &Value) -> Table2x2 {
    let cells: Vec<u64> = finite_numbers(&case["table"])
        .into_iter()
        .map(|c| c as u64)
        .collect();
    Table2x2 {
        a: cells[0],
        b: cells[1],
        c: cells[2],
        d: cells[3],
    }
}

#[test]
fn fisher_and_chi_square_equal_r() {
    let reference = fixture("r_reference.json");
    for case in reference["fisher"].as_array().unwrap() {
        let table = table(case);
        let test = fisher_exact(table, 0.95).unwrap();
        let context = format!("fisher.test({table:?})");
        assert_close(
            test.p_value,
            number(&case["p_value"]).unwrap(),
            SPECIAL_FUNCTIONS,
            &context,
        );
        // Against R's code run with a tight root tolerance: full agreement.
        assert_close(
            test.odds_ratio,
            number(&case["odds_ratio"]).unwrap(),
            SPECIAL_FUNCTIONS,
            &format!("{context}: OR"),
        );
        let ci = numbers(&case["ci"]);
        assert_close(
            test.ci.0,
            ci[0].unwrap(),
            SPECIAL_FUNCTIONS,
            &format!("{context}: lower"),
        );
        assert_close(
            test.ci.1,
            ci[1].unwrap(),
            SPECIAL_FUNCTIONS,
            &format!("{context}: upper"),
        );
        // Against fisher.test itself: R solves for t = ψ on (0, 1), or for t = 1/ψ when ψ > 1, to an
        // absolute tolerance on t; compare there.
        let on_unit_scale = |psi: f64| if psi > 1.0 { 1.0 / psi } else { psi };
        let ci_r = numbers(&case["ci_r"]);
        let pairs = [
            (
                test.odds_ratio,
                number(&case["odds_ratio_r"]).unwrap(),
                "OR",
            ),
            (test.ci.0, ci_r[0].unwrap(), "lower"),
            (test.ci.1, ci_r[1].unwrap(), "upper"),
        ];
        for (ours, r, what) in pairs {
            let error = (on_unit_scale(ours) - on_unit_scale(r)).abs();
            assert!(error <= R_UNIROOT, "{context}: R {what} {r} vs {ours}");
        }

        for (yates, key) in [(true, "chisq_yates"), (false, "chisq")] {
            let chi = chi_square(table, yates);
            match &case[key] {
                Value::Null => assert_eq!(chi, None, "{context} {key}"),
                expected => {
                    let chi = chi.unwrap();
                    assert_close(
                        chi.statistic,
                        number(&expected["statistic"]).unwrap(),
                        SAME_ARITHMETIC,
                        &format!("{context} {key}"),
                    );
                    assert_close(
                        chi.p_value,
                        number(&expected["p_value"]).unwrap(),
                        SPECIAL_FUNCTIONS,
                        &format!("{context} {key} p"),
                    );
                }
            }
        }
    }
}

#[test]
fn fisher_odds_ratios_equal_scipy() {
    let reference = fixture("scipy_reference.json");
    for case in reference["fisher"].as_array().unwrap() {
        let test = fisher_exact(table(case), 0.95).unwrap();
        let context = format!("{} on {:?}", case["call"], case["table"]);
        // scipy solves with its own root finder (brentq, xtol 1e-12 relative or so).
        assert_close(
            test.odds_ratio,
            number(&case["odds_ratio"]).unwrap(),
            1e-7,
            &context,
        );
        let ci = numbers(&case["ci"]);
        assert_close(
            test.ci.0,
            ci[0].unwrap(),
            1e-7,
            &format!("{context}: lower"),
        );
        assert_close(
            test.ci.1,
            ci[1].unwrap(),
            1e-7,
            &format!("{context}: upper"),
        );
    }
}

#[test]
fn kaplan_meier_and_log_rank_equal_r_survival() {
    let reference = fixture("r_reference.json");
    for case in reference["kaplan_meier"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let groups: Option<Vec<String>> = case["group"].as_array().map(|labels| {
            labels
                .iter()
                .map(|l| l.as_str().unwrap().to_string())
                .collect()
        });
        let data = SurvivalData::new(
            &finite_numbers(&case["time"]),
            &finite_numbers(&case["event"]),
            groups.as_deref(),
        )
        .unwrap();
        for (conf_name, expected_groups) in case["fits"].as_object().unwrap() {
            let conf_type = ConfType::from_name(conf_name).unwrap();
            let analysis = data.fit(conf_type, 0.95);
            let expected_groups = expected_groups.as_array().unwrap();
            assert_eq!(analysis.groups.len(), expected_groups.len(), "{name}");
            for (group, expected) in analysis.groups.iter().zip(expected_groups) {
                let context = format!("{name}, {conf_name}, group {:?}", group.label);
                let fit = &group.fit;
                let times = finite_numbers(&expected["time"]);
                assert_eq!(fit.table.len(), times.len(), "{context}: rows");
                for (i, row) in fit.table.iter().enumerate() {
                    let at = |key: &str| numbers(&expected[key])[i];
                    let row_context = format!("{context}, t = {}", row.time);
                    assert_eq!(row.time, times[i], "{row_context}");
                    assert_eq!(Some(row.n_risk as f64), at("n_risk"), "{row_context}");
                    assert_eq!(Some(row.n_event as f64), at("n_event"), "{row_context}");
                    assert_eq!(Some(row.n_censor as f64), at("n_censor"), "{row_context}");
                    assert_close(
                        row.survival,
                        at("survival").unwrap(),
                        SAME_ARITHMETIC,
                        &row_context,
                    );
                    assert_close_opt(
                        row.std_err,
                        at("std_err"),
                        SAME_ARITHMETIC,
                        &format!("{row_context}: se"),
                    );
                    assert_close_opt(
                        row.lower,
                        at("lower"),
                        SPECIAL_FUNCTIONS,
                        &format!("{row_context}: lower"),
                    );
                    assert_close_opt(
                        row.upper,
                        at("upper"),
                        SPECIAL_FUNCTIONS,
                        &format!("{row_context}: upper"),
                    );
                }
                assert_eq!(fit.median, number(&expected["median"]), "{context}: median");
                let ci = numbers(&expected["median_ci"]);
                assert_eq!(
                    (fit.median_ci.0, fit.median_ci.1),
                    (ci[0], ci[1]),
                    "{context}: median CI"
                );
            }
            match &case["logrank"] {
                Value::Null => assert!(analysis.logrank.is_none(), "{name}"),
                expected => {
                    let logrank = analysis.logrank.as_ref().expect("grouped");
                    assert_close(
                        logrank.statistic,
                        number(&expected["statistic"]).unwrap(),
                        1e-12,
                        &format!("{name}: chisq"),
                    );
                    assert_eq!(logrank.df, number(&expected["df"]).unwrap(), "{name}: df");
                    assert_close(
                        logrank.p_value,
                        number(&expected["p_value"]).unwrap(),
                        SPECIAL_FUNCTIONS,
                        &format!("{name}: p"),
                    );
                }
            }
        }
    }
}

#[test]
fn tail_probabilities_keep_six_digits_down_to_1e_12_and_beyond() {
    let reference = fixture("r_reference.json");
    for case in reference["tails"].as_array().unwrap() {
        let x = number(&case["x"]).unwrap();
        let expected = number(&case["value"]).unwrap();
        // Reach the distribution functions through the statistics that use them.
        let actual = match case["kind"].as_str().unwrap() {
            "t_two_sided" => hlh_stats::tails::t_two_sided(x, number(&case["df"]).unwrap()),
            "normal_two_sided" => hlh_stats::tails::normal_two_sided(x),
            _ => hlh_stats::tails::chi_square_sf(x, number(&case["df"]).unwrap()),
        };
        assert_close(actual, expected, SIX_DIGITS, case["call"].as_str().unwrap());
    }
}

#[test]
fn fisher_r_by_c_equals_r() {
    let reference = fixture("r_reference.json");
    for case in reference["fisher_rxc"].as_array().unwrap() {
        let table: Vec<Vec<u64>> = case["table"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| finite_numbers(row).iter().map(|&x| x as u64).collect())
            .collect();
        let p = fisher_exact_rxc(&table).unwrap().unwrap();
        assert_close(
            p,
            number(&case["p_value"]).unwrap(),
            SPECIAL_FUNCTIONS,
            &format!("{table:?}"),
        );
        let transposed: Vec<Vec<u64>> = (0..table[0].len())
            .map(|j| table.iter().map(|row| row[j]).collect())
            .collect();
        let p_transposed = fisher_exact_rxc(&transposed).unwrap().unwrap();
        assert_close(p_transposed, p, SAME_ARITHMETIC, "transposed");
    }
}

#[test]
fn kruskal_wallis_equals_r() {
    let reference = fixture("r_reference.json");
    for case in reference["kruskal_wallis"].as_array().unwrap() {
        let (x, g) = (finite_numbers(&case["x"]), finite_numbers(&case["g"]));
        let mut labels: Vec<f64> = g.clone();
        labels.sort_by(f64::total_cmp);
        labels.dedup();
        let groups: Vec<Vec<f64>> = labels
            .iter()
            .map(|label| {
                x.iter()
                    .zip(&g)
                    .filter(|(_, gi)| *gi == label)
                    .map(|(xi, _)| *xi)
                    .collect()
            })
            .collect();
        let slices: Vec<&[f64]> = groups.iter().map(Vec::as_slice).collect();
        let test = kruskal_wallis(&slices).unwrap().unwrap();
        let context = format!("{x:?} by {g:?}");
        assert_close(
            test.statistic,
            number(&case["statistic"]).unwrap(),
            SAME_ARITHMETIC,
            &context,
        );
        assert_eq!(Some(test.df), number(&case["df"]), "{context}");
        assert_close(
            test.p_value,
            number(&case["p_value"]).unwrap(),
            SPECIAL_FUNCTIONS,
            &context,
        );
    }
}

#[test]
fn kaplan_meier_landmarks_equal_r_summary_at_times() {
    let reference = fixture("r_reference.json");
    for case in reference["km_landmarks"].as_array().unwrap() {
        let conf_type = ConfType::from_name(case["conf_type"].as_str().unwrap()).unwrap();
        let data = SurvivalData::new(
            &finite_numbers(&case["time_in"]),
            &finite_numbers(&case["event"]),
            None::<&[String]>,
        )
        .unwrap();
        let fit = &data.fit(conf_type, 0.95).groups[0].fit;
        let reported = finite_numbers(&case["time"]);
        for time in finite_numbers(&case["times"]) {
            let context = format!("{}, {:?}, t = {time}", case["name"], conf_type);
            let Some(i) = reported.iter().position(|&t| t == time) else {
                assert_eq!(fit.at(time), None, "{context}: R drops it");
                continue;
            };
            let at = |key: &str| numbers(&case[key])[i];
            let landmark = fit.at(time).expect(&context);
            assert_eq!(Some(landmark.n_risk as f64), at("n_risk"), "{context}");
            assert_close(
                landmark.survival,
                at("survival").unwrap(),
                SAME_ARITHMETIC,
                &context,
            );
            assert_close_opt(landmark.std_err, at("std_err"), SAME_ARITHMETIC, &context);
            assert_close_opt(landmark.lower, at("lower"), SPECIAL_FUNCTIONS, &context);
            assert_close_opt(landmark.upper, at("upper"), SPECIAL_FUNCTIONS, &context);
        }
    }
}
