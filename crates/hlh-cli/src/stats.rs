//! `hlh stats …`: the statistics of hlh-stats on a CSV file or on numbers given on the command line,
//! readable by default and as JSON (docs/cli.md) with `--json`.

use std::path::{Path, PathBuf};

use clap::{Subcommand, ValueEnum};
use hlh_stats::fisher::{fisher_exact, Table2x2};
use hlh_stats::paired::{PairedComparison, SignTest};
use hlh_stats::proportion::{proportion, ProportionMethod};
use hlh_stats::survival::{ConfType, SurvivalAnalysis};
use hlh_stats::two_groups::mann_whitney;
use hlh_stats::wilcoxon::SignedRankTest;
use hlh_stats::{Pairs, QuantileType, Sample, StatsError, SurvivalData, CONF_95};
use serde_json::{json, Value};

use hlh_ingest::columns::{Column, ColumnKind as Kind, ColumnRequest as Request};
use hlh_outcomes::json_forms::{
    number_value as number, optional_value as optional, KmRowForm, PairedTForm, WilcoxonForm,
};

use crate::output::paint_error;
use crate::Outcome;

#[derive(Debug, Subcommand)]
pub enum StatsCommand {
    /// Paired comparison of two columns: paired t, Wilcoxon variants, sign test, Hodges–Lehmann
    Paired {
        file: PathBuf,
        #[arg(long, value_name = "COL")]
        before: String,
        #[arg(long, value_name = "COL")]
        after: String,
        #[arg(long)]
        json: bool,
    },
    /// n, mean, SD, median, Q1, Q3, min, max of a column
    Summary {
        file: PathBuf,
        #[arg(long, value_name = "COL")]
        column: String,
        /// Hyndman–Fan quantile type, 1 to 9 (7 is R's default)
        #[arg(long, value_name = "N", default_value_t = 7, value_parser = clap::value_parser!(u8).range(1..=9))]
        quantile_type: u8,
        #[arg(long)]
        json: bool,
    },
    /// Kaplan–Meier table with median and CI; log-rank test when grouped
    Km {
        file: PathBuf,
        #[arg(long, value_name = "COL")]
        time: String,
        /// Event indicator: 1 event, 0 censored
        #[arg(long, value_name = "COL")]
        event: String,
        #[arg(long, value_name = "COL")]
        group: Option<String>,
        /// Transform of the pointwise interval (R's default is log)
        #[arg(long, value_enum, default_value_t = ConfTypeArg::LogLog)]
        conf_type: ConfTypeArg,
        #[arg(long)]
        json: bool,
    },
    /// A proportion with its 95% confidence interval
    Proportion {
        #[arg(long)]
        count: u64,
        #[arg(long)]
        n: u64,
        #[arg(long, value_enum, default_value_t = MethodArg::Wilson)]
        method: MethodArg,
        #[arg(long)]
        json: bool,
    },
    /// Fisher's exact test on the 2×2 table [[A, B], [C, D]]
    Fisher {
        /// The four counts, row by row: A,B,C,D
        #[arg(long, value_name = "A,B,C,D")]
        table: String,
        #[arg(long)]
        json: bool,
    },
    /// Mann–Whitney U test of a value between the two groups of a column
    Mannwhitney {
        file: PathBuf,
        #[arg(long, value_name = "COL")]
        value: String,
        #[arg(long, value_name = "COL")]
        group: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ConfTypeArg {
    Plain,
    Log,
    #[value(name = "log-log")]
    LogLog,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MethodArg {
    Wilson,
    #[value(name = "clopper-pearson")]
    ClopperPearson,
}

fn pair(values: (f64, f64)) -> Value {
    json!([number(values.0), number(values.1)])
}

/// Six significant digits for reading; JSON keeps full precision.
fn readable(value: f64) -> String {
    if value.is_infinite() {
        return if value > 0.0 {
            "Inf".into()
        } else {
            "-Inf".into()
        };
    }
    if value == 0.0 {
        return "0".into();
    }
    let magnitude = value.abs().log10().floor() as i32;
    if !(-4..6).contains(&magnitude) {
        return format!("{value:.5e}");
    }
    let decimals = (5 - magnitude).max(0) as usize;
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

fn readable_opt(value: Option<f64>) -> String {
    value.map_or_else(|| "NA".to_string(), readable)
}

pub fn run(command: StatsCommand) -> anyhow::Result<Outcome> {
    let result = match command {
        StatsCommand::Paired {
            file,
            before,
            after,
            json,
        } => paired(&file, &before, &after, json),
        StatsCommand::Summary {
            file,
            column,
            quantile_type,
            json,
        } => summary(&file, &column, quantile_type, json),
        StatsCommand::Km {
            file,
            time,
            event,
            group,
            conf_type,
            json,
        } => km(&file, &time, &event, group.as_deref(), conf_type, json),
        StatsCommand::Proportion {
            count,
            n,
            method,
            json,
        } => proportion_command(count, n, method, json),
        StatsCommand::Fisher { table, json } => fisher(&table, json),
        StatsCommand::Mannwhitney {
            file,
            value,
            group,
            json,
        } => mann_whitney_command(&file, &value, &group, json),
    };
    match result {
        Ok(()) => Ok(Outcome::Success),
        Err(errors) => {
            for error in &errors.0 {
                eprintln!("{}: {error}", paint_error("error"));
            }
            Ok(Outcome::InvalidInput)
        }
    }
}

/// Problems with the input, one message each (without the severity, which the caller prints).
#[derive(Debug)]
pub struct InputErrors(pub Vec<String>);

/// Reads the requested columns of the CSV file at `path` with the study reader's table code.
fn read_columns(path: &Path, requests: &[Request<'_>]) -> Result<Vec<Column>, InputErrors> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path)
        .map_err(|error| InputErrors(vec![format!("{name}: cannot be read: {error}")]))?;
    hlh_ingest::columns::read_columns(&name, &bytes, requests)
        .map_err(|errors| InputErrors(errors.iter().map(|e| e.located().to_string()).collect()))
}

fn stats_error(error: StatsError) -> InputErrors {
    InputErrors(vec![error.to_string()])
}

fn print_json(value: &Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_default()
    );
}

fn paired(
    file: &std::path::Path,
    before: &str,
    after: &str,
    as_json: bool,
) -> Result<(), InputErrors> {
    let optional_number = |name| Request {
        name,
        kind: Kind::Number,
        required: false,
    };
    let columns = read_columns(file, &[optional_number(before), optional_number(after)])?;
    let (before_values, after_values) = (columns[0].numbers(), columns[1].numbers());
    let complete: Vec<(f64, f64)> = before_values
        .iter()
        .zip(after_values)
        .filter_map(|(b, a)| Some(((*b)?, (*a)?)))
        .collect();
    let left_out = before_values.len() - complete.len();
    if left_out > 0 {
        eprintln!("note: {left_out} rows without both {before} and {after} are left out (complete pairs only)");
    }
    let (b, a): (Vec<f64>, Vec<f64>) = complete.into_iter().unzip();
    let pairs = Pairs::new(&b, &a).map_err(stats_error)?;
    let comparison = pairs.compare(CONF_95);
    let (variants, sign) = (pairs.wilcoxon_variants(), pairs.sign_test());
    if as_json {
        print_json(&paired_json(&comparison, &variants, &sign));
    } else {
        print_paired(&comparison, &variants, &sign, before, after);
    }
    Ok(())
}

fn paired_json(c: &PairedComparison, variants: &[SignedRankTest], sign: &SignTest) -> Value {
    let t = c.paired_t.as_ref();
    json!({
        "n_pairs": c.n_pairs,
        "mean_difference": number(c.mean_difference),
        "sd_difference": optional(c.sd_difference),
        "ci95": t.map_or(Value::Null, |t| pair(t.ci)),
        "paired_t": t.map(PairedTForm::of),
        "wilcoxon": c.wilcoxon.as_ref().map(WilcoxonForm::of),
        "wilcoxon_variants": variants.iter().map(|v| json!({
            "method": v.method.name(), "correction": v.correction, "zero_method": v.zero_method.name(),
            "statistic": number(v.statistic), "p_value": number(v.p_value),
        })).collect::<Vec<_>>(),
        "sign_test": json!({
            "positive": sign.positive, "negative": sign.negative,
            "p_value": number(sign.p_value),
        }),
        "hodges_lehmann": c.hodges_lehmann.as_ref().map_or(Value::Null, |hl| json!({
            "estimate": number(hl.estimate), "ci95": hl.ci.map_or(Value::Null, pair),
        })),
    })
}

fn print_paired(
    c: &PairedComparison,
    variants: &[SignedRankTest],
    sign: &SignTest,
    before: &str,
    after: &str,
) {
    println!(
        "Paired comparison, {after} − {before} ({} complete pairs)",
        c.n_pairs
    );
    println!(
        "  mean difference   {} (SD {})",
        readable(c.mean_difference),
        readable_opt(c.sd_difference)
    );
    if let Some(t) = &c.paired_t {
        println!(
            "  paired t          t = {}, df = {}, p = {}; 95% CI of the mean difference {} to {}",
            readable_opt(t.statistic),
            readable(t.df),
            readable_opt(t.p_value),
            readable(t.ci.0),
            readable(t.ci.1)
        );
    }
    if let Some(w) = &c.wilcoxon {
        println!(
            "  Wilcoxon          V = {}, p = {} ({}{}, zeros: {}, n = {})",
            readable(w.statistic),
            readable(w.p_value),
            w.method.name(),
            if w.correction {
                ", continuity-corrected"
            } else {
                ""
            },
            w.zero_method.name(),
            w.n_used
        );
    }
    for v in variants {
        println!(
            "    variant {:<6} {:<11} zeros {:<6}  V = {:<8} p = {}",
            v.method.name(),
            if v.correction {
                "corrected"
            } else {
                "uncorrected"
            },
            v.zero_method.name(),
            readable(v.statistic),
            readable(v.p_value)
        );
    }
    println!(
        "  sign test         {} positive, {} negative, p = {}",
        sign.positive,
        sign.negative,
        readable(sign.p_value)
    );
    if let Some(hl) = &c.hodges_lehmann {
        let ci = hl.ci.map_or("NA".to_string(), |(l, u)| {
            format!("{} to {}", readable(l), readable(u))
        });
        println!(
            "  Hodges–Lehmann    {} (95% CI {ci})",
            readable(hl.estimate)
        );
    }
}

fn summary(
    file: &std::path::Path,
    column: &str,
    quantile_type: u8,
    as_json: bool,
) -> Result<(), InputErrors> {
    let columns = read_columns(
        file,
        &[Request {
            name: column,
            kind: Kind::Number,
            required: false,
        }],
    )?;
    let values: Vec<f64> = columns[0].numbers().iter().flatten().copied().collect();
    let quantile_type = QuantileType::from_number(quantile_type).unwrap_or(QuantileType::Type7);
    let s = Sample::new(&values)
        .map_err(stats_error)?
        .summary(quantile_type);
    if as_json {
        print_json(&json!({
            "n": s.n, "mean": number(s.mean), "sd": optional(s.sd), "median": number(s.median),
            "q1": number(s.q1), "q3": number(s.q3), "min": number(s.min), "max": number(s.max),
            "quantile_type": quantile_type.number(),
        }));
    } else {
        println!("{column}: n = {}", s.n);
        println!(
            "  mean (SD)         {} ({})",
            readable(s.mean),
            readable_opt(s.sd)
        );
        println!(
            "  median (Q1, Q3)   {} ({}, {})   [Hyndman–Fan type {}]",
            readable(s.median),
            readable(s.q1),
            readable(s.q3),
            quantile_type.number()
        );
        println!(
            "  min, max          {}, {}",
            readable(s.min),
            readable(s.max)
        );
    }
    Ok(())
}

fn km(
    file: &std::path::Path,
    time: &str,
    event: &str,
    group: Option<&str>,
    conf_type: ConfTypeArg,
    as_json: bool,
) -> Result<(), InputErrors> {
    let mut requests = vec![
        Request {
            name: time,
            kind: Kind::Number,
            required: true,
        },
        Request {
            name: event,
            kind: Kind::Number,
            required: true,
        },
    ];
    if let Some(group) = group {
        requests.push(Request {
            name: group,
            kind: Kind::Label,
            required: true,
        });
    }
    let columns = read_columns(file, &requests)?;
    let (times, events) = (columns[0].required_numbers(), columns[1].required_numbers());
    let groups = columns.get(2).map(|column| column.required_labels());
    let conf_type = match conf_type {
        ConfTypeArg::Plain => ConfType::Plain,
        ConfTypeArg::Log => ConfType::Log,
        ConfTypeArg::LogLog => ConfType::LogLog,
    };
    let data = SurvivalData::new(&times, &events, groups.as_deref()).map_err(stats_error)?;
    let analysis = data.fit(conf_type, CONF_95);
    if as_json {
        print_json(&km_json(&analysis));
    } else {
        print_km(&analysis);
    }
    Ok(())
}

fn km_json(analysis: &SurvivalAnalysis) -> Value {
    json!({
        "conf_type": analysis.conf_type.name(),
        "groups": analysis.groups.iter().map(|g| json!({
            "group": g.label,
            "n": g.fit.n,
            "events": g.fit.events,
            "median": optional(g.fit.median),
            "median_ci95": [optional(g.fit.median_ci.0), optional(g.fit.median_ci.1)],
            "table": g.fit.table.iter().map(KmRowForm::of).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "logrank": analysis.logrank.as_ref().map_or(Value::Null, |l| json!({
            "statistic": number(l.statistic), "df": number(l.df), "p_value": number(l.p_value),
        })),
    })
}

fn print_km(analysis: &SurvivalAnalysis) {
    for group in &analysis.groups {
        let fit = &group.fit;
        let name = group
            .label
            .as_deref()
            .map_or(String::new(), |label| format!("group {label}: "));
        println!(
            "{name}n = {}, events = {}, median {} (95% CI {} to {}; {} transform)",
            fit.n,
            fit.events,
            readable_opt(fit.median),
            readable_opt(fit.median_ci.0),
            readable_opt(fit.median_ci.1),
            analysis.conf_type.name()
        );
        println!(
            "  {:>8} {:>6} {:>7} {:>8} {:>9} {:>9} {:>9} {:>9}",
            "time", "n.risk", "n.event", "n.censor", "survival", "std.err", "lower", "upper"
        );
        for row in &fit.table {
            println!(
                "  {:>8} {:>6} {:>7} {:>8} {:>9} {:>9} {:>9} {:>9}",
                readable(row.time),
                row.n_risk,
                row.n_event,
                row.n_censor,
                readable(row.survival),
                readable_opt(row.std_err),
                readable_opt(row.lower),
                readable_opt(row.upper)
            );
        }
    }
    if let Some(logrank) = &analysis.logrank {
        println!(
            "log-rank: chi-square = {}, df = {}, p = {}",
            readable(logrank.statistic),
            readable(logrank.df),
            readable(logrank.p_value)
        );
    }
}

fn proportion_command(
    count: u64,
    n: u64,
    method: MethodArg,
    as_json: bool,
) -> Result<(), InputErrors> {
    let method = match method {
        MethodArg::Wilson => ProportionMethod::Wilson,
        MethodArg::ClopperPearson => ProportionMethod::ClopperPearson,
    };
    let p = proportion(count, n, method, CONF_95).map_err(stats_error)?;
    if as_json {
        print_json(&json!({
            "count": p.count, "n": p.n, "proportion": number(p.proportion), "method": method.name(),
            "ci95": pair(p.ci),
        }));
    } else {
        println!(
            "{}/{} = {:.1}% (95% CI {:.1}% to {:.1}%, {})",
            p.count,
            p.n,
            100.0 * p.proportion,
            100.0 * p.ci.0,
            100.0 * p.ci.1,
            method.name()
        );
    }
    Ok(())
}

fn fisher(table: &str, as_json: bool) -> Result<(), InputErrors> {
    let cells: Vec<&str> = table.split(',').map(str::trim).collect();
    let counts: Vec<u64> = cells.iter().filter_map(|cell| cell.parse().ok()).collect();
    let [a, b, c, d] = counts[..] else {
        return Err(InputErrors(vec![format!(
            "--table {table:?}: expected four whole counts A,B,C,D (the table [[A, B], [C, D]], row by row)"
        )]));
    };
    if cells.len() != 4 {
        return Err(InputErrors(vec![format!(
            "--table {table:?}: expected exactly four counts"
        )]));
    }
    let test = fisher_exact(Table2x2 { a, b, c, d }, CONF_95).map_err(stats_error)?;
    if as_json {
        print_json(&json!({
            "table": [[a, b], [c, d]],
            "p_value": number(test.p_value),
            "odds_ratio": number(test.odds_ratio),
            "ci95": pair(test.ci),
            "sample_odds_ratio": optional(test.sample_odds_ratio),
        }));
    } else {
        println!("Fisher's exact test on [[{a}, {b}], [{c}, {d}]]");
        println!("  two-sided p = {}", readable(test.p_value));
        println!(
            "  odds ratio (conditional MLE) {} (95% CI {} to {}); sample odds ratio {}",
            readable(test.odds_ratio),
            readable(test.ci.0),
            readable(test.ci.1),
            readable_opt(test.sample_odds_ratio)
        );
    }
    Ok(())
}

fn mann_whitney_command(
    file: &std::path::Path,
    value: &str,
    group: &str,
    as_json: bool,
) -> Result<(), InputErrors> {
    let columns = read_columns(
        file,
        &[
            Request {
                name: value,
                kind: Kind::Number,
                required: true,
            },
            Request {
                name: group,
                kind: Kind::Label,
                required: true,
            },
        ],
    )?;
    let values = columns[0].required_numbers();
    let groups = columns[1].required_labels();
    let mut labels = groups.clone();
    labels.sort();
    labels.dedup();
    let [first, second] = &labels[..] else {
        return Err(InputErrors(vec![format!(
            "{}: column {group:?} has {} groups ({}); expected exactly two",
            file.display(),
            labels.len(),
            labels.join(", ")
        )]));
    };
    let of = |label: &str| -> Vec<f64> {
        values
            .iter()
            .zip(&groups)
            .filter(|(_, g)| **g == label)
            .map(|(v, _)| *v)
            .collect()
    };
    let test = mann_whitney(&of(first), &of(second)).map_err(stats_error)?;
    if as_json {
        print_json(&json!({
            "n1": test.n1, "n2": test.n2, "statistic": number(test.statistic), "p_value": number(test.p_value),
            "method": test.method.name(), "correction": test.correction,
        }));
    } else {
        println!(
            "Mann–Whitney U test of {value}: {first} (n = {}) vs {second} (n = {})",
            test.n1, test.n2
        );
        println!(
            "  W = {} (U of {first}), p = {} ({}{})",
            readable(test.statistic),
            readable(test.p_value),
            test.method.name(),
            if test.correction {
                ", continuity-corrected"
            } else {
                ""
            }
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::readable;

    #[test]
    fn numbers_read_with_six_significant_digits() {
        assert_eq!(readable(0.011679402340635466), "0.0116794");
        assert_eq!(readable(-91.28571428571429), "-91.2857");
        assert_eq!(readable(2.5537687976181547e-50), "2.55377e-50");
        assert_eq!(readable(6.0), "6");
        assert_eq!(readable(f64::INFINITY), "Inf");
    }
}
