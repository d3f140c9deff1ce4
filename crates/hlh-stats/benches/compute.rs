//! Compute-only timings of hlh-stats, for bench/stats_vs_python.py to set against scipy and lifelines
//! on the same data in the same run. Not a test: it asserts nothing and measures wall time.
//!
//!   cargo bench -p hlh-stats --bench compute -- wilcoxon 1000 REPEAT
//!   cargo bench -p hlh-stats --bench compute -- km FILE.csv REPEAT      (columns time,event,group)
//!
//! Prints the median seconds of REPEAT runs.

use std::time::Instant;

use hlh_stats::hodges_lehmann::hodges_lehmann;
use hlh_stats::survival::ConfType;
use hlh_stats::wilcoxon::{signed_rank, PValueMethod, ZeroMethod};
use hlh_stats::Pairs;
use hlh_stats::SurvivalData;

fn median_seconds(repeat: usize, mut run: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..repeat)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let repeat: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(5);
    match args.first().map(String::as_str) {
        Some("wilcoxon") => {
            let n: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(1000);
            // Untied differences ±(1..n) + 0.25, signs from a fixed pattern.
            let differences: Vec<f64> = (1..=n)
                .map(|i| {
                    if (i * 7919) % 3 == 0 {
                        -(i as f64) - 0.25
                    } else {
                        i as f64 + 0.25
                    }
                })
                .collect();
            let pairs = Pairs::new(&vec![0.0; n], &differences).expect("finite differences");
            let seconds = median_seconds(repeat, || {
                let test = signed_rank(&pairs, PValueMethod::Exact, ZeroMethod::Wilcox, false);
                std::hint::black_box(test);
            });
            println!("exact_wilcoxon_n{n}_seconds {seconds:.6}");
            let seconds = median_seconds(repeat, || {
                std::hint::black_box(hodges_lehmann(&pairs, 0.95));
            });
            println!("hodges_lehmann_n{n}_seconds {seconds:.6}");
        }
        Some("km") => {
            let text = std::fs::read_to_string(&args[1]).expect("readable file");
            let (mut times, mut events, mut groups) = (Vec::new(), Vec::new(), Vec::new());
            for line in text.lines().skip(1) {
                let mut cells = line.split(',');
                let (Some(t), Some(e), Some(g)) = (cells.next(), cells.next(), cells.next()) else {
                    continue;
                };
                times.push(t.parse::<f64>().expect("time"));
                events.push(e.parse::<f64>().expect("event"));
                groups.push(g.to_string());
            }
            let seconds = median_seconds(repeat, || {
                let data = SurvivalData::new(&times, &events, Some(&groups)).expect("valid data");
                std::hint::black_box(data.fit(ConfType::LogLog, 0.95));
            });
            println!("km_logrank_rows{}_seconds {seconds:.6}", times.len());
        }
        _ => eprintln!("usage: compute (wilcoxon N | km FILE.csv) [REPEAT]"),
    }
}
