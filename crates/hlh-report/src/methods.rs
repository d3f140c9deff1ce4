//! The methods section, written from the resolved protocol of the analysis: every definition, window
//! and statistical convention used, and the version of hlhkit.

use serde_json::Value;

use crate::labels;

fn window(value: &Value) -> String {
    format!("[Day {}, Day {}]", signed(&value[0]), signed(&value[1]))
}

fn signed(value: &Value) -> String {
    match value.as_i64() {
        Some(v) if v < 0 => format!("\u{2212}{}", -v),
        Some(v) => v.to_string(),
        None => value.to_string(),
    }
}

fn list(value: &Value) -> String {
    let names: Vec<String> = value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(labels::drug))
        .collect();
    names.join(", ").to_lowercase()
}

/// The paragraphs of the methods section.
pub fn paragraphs(cohort: &Value, min_cell: u64) -> Vec<String> {
    let protocol = &cohort["protocol"];
    let drug = protocol["index_drug"].as_str().unwrap_or("the index drug");
    let days = &protocol["days"];
    let scores = &protocol["scores"];
    let fever = &protocol["fever"];
    let response = &protocol["response"];
    let stats = &protocol["stats"];
    let confidence = stats["confidence"].as_f64().unwrap_or(0.95) * 100.0;
    let mut paragraphs = vec![
        format!(
            "Day 0 was the calendar date of the first administration of {drug}; Day n is Day 0 plus n calendar days, and all day comparisons use dates only. Patients never given {drug} were excluded. HLH-directed drugs were {}. {} was first-line when the line of therapy recorded for its first prescription said so, or, when none was recorded, when no HLH-directed drug had started before Day 0; it was given as monotherapy when no other HLH-directed drug was given on any day of its course (Day 0 to the last administration).",
            list(&protocol["hlh_directed_drugs"]),
            labels::capitalised(drug),
        ),
        format!(
            "Several results of one analyte on one day were reduced to the day's worst value (the highest, or the lowest for haemoglobin, leukocytes, neutrophils, lymphocytes, platelets, fibrinogen and sodium). The Day-0 value was the daily value of the latest day with a result in {}; the Day-7 value that of the day in {} closest to Day {}, the earlier day on a tie. Censored results (such as \u{201c}<5\u{201d}) were taken at their number.",
            window(&days["day0_window"]),
            window(&days["day7_window"]),
            days["day7_target"],
        ),
        format!(
            "The HScore (cut-off {}), the HLH-2004 criteria ({} of 8 required, reading \u{201c}{}\u{201d}), the optimised HLH inflammatory index and, for patients with systemic juvenile idiopathic arthritis, the 2016 MAS classification criteria were computed on the worst daily values from Day {} to Day {} around the date of diagnosis, with the patient-level findings; each score is reported on the data given with the range it could take over unknown items.",
            scores["hscore_cutoff"],
            scores["hlh2004_required"],
            scores["hlh2004_preset"].as_str().unwrap_or(""),
            signed(&scores["window"][0]),
            signed(&scores["window"][1]),
        ),
        format!(
            "Fever was a temperature of at least {} °C. Patients were febrile at baseline with a fever on a day of {} (unknown without a temperature on those days). The fever-resolution day was the first day d ≥ 0 with a temperature recorded after which no fever was recorded for {} consecutive calendar days (a day without a reading does not break the run), counted in days since the first dose; fever resolved by Day {} was the proportion of febrile patients with a resolution day up to Day {}.",
            fever["threshold_celsius"],
            window(&fever["baseline_days"]),
            fever["sustained_days"],
            fever["resolved_by_day"],
            fever["resolved_by_day"],
        ),
        if response["source"] == "recorded" {
            format!(
                "Response was the clinician's latest recorded assessment in {} (complete or partial response counted as response; none recorded as unknown).",
                window(&response["recorded_window"])
            )
        } else {
            format!(
                "A patient responded when every item that could be judged held: fever resolved by Day {day} if febrile at baseline; CRP and ferritin lower on Day 7 than on Day 0; alive on Day {day}; {drug} not stopped for inefficacy before Day {day}, and no {} started after Day 0 up to Day {day}. A failed item made a non-responder; otherwise an item on fever, CRP or ferritin that could not be judged made the response unknown, and such patients were left out of the response denominator.",
                list(&response["rescue_drugs"]),
                day = response["day"],
            )
        },
        format!(
            "{} was discontinued for an adverse event when its prescription was stopped for that reason or an event recorded the discontinuation. Adverse events and infections were counted from Day 0, by type as recorded and grade.",
            labels::capitalised(drug)
        ),
        format!(
            "Continuous variables are given as median (interquartile range, quantile type {} of Hyndman and Fan, R's default being 7) and mean (SD); proportions with {:.0}% {} confidence intervals. Day-0 and Day-7 values were compared on complete pairs with the two-sided paired t-test and the Wilcoxon signed-rank test as R's wilcox.test(paired = TRUE) computes it by default (zero differences dropped; the exact distribution below 50 pairs without ties or zeros, otherwise the normal approximation with tie and continuity correction), with the mean difference and its t interval and the Hodges–Lehmann estimate; the {} is the one quoted in the summary. Time to fever resolution among febrile patients was estimated by Kaplan–Meier, censoring patients who did not resolve at death or at their last temperature, with Greenwood's variance and {} confidence intervals; its median follows R's quantile.survfit.",
            stats["quantile_type"],
            confidence,
            match stats["proportion_ci"].as_str() {
                Some("clopper-pearson") => "Clopper–Pearson (exact)",
                _ => "Wilson score",
            },
            if stats["primary_paired_test"] == "wilcoxon" { "Wilcoxon test" } else { "paired t-test" },
            stats["km_conf_type"].as_str().unwrap_or("log-log"),
        ),
    ];
    let mut closing = format!(
        "The analysis was produced by hlhkit {} (analysis schema {}); the same study and protocol give byte-identical results.",
        cohort["hlhkit_version"].as_str().unwrap_or("unknown"),
        cohort["schema"].as_str().unwrap_or("unknown"),
    );
    if min_cell > 1 {
        closing += &format!(
            " For sharing outside the centre, counts from 1 to {} are shown as \u{201c}<{min_cell}\u{201d} with every figure that would reveal them, and patient-level content is left out.",
            min_cell - 1
        );
    }
    paragraphs.push(closing);
    paragraphs
}
