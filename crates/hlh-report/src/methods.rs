//! The methods section, written from the resolved protocol of the analysis: every definition, window
//! and statistical convention used, and the version of hlhkit.

use hlh_model::Drug;
use hlh_outcomes::compare::{GroupTest, Grouping};
use hlh_outcomes::protocol::{
    AfterRescue, CoInterventions, FeverTiming, Recurrence, ResponseSource,
};
use hlh_outcomes::{Cohort, Protocol};
use hlh_stats::proportion::ProportionMethod;

use crate::numbers::as_written;

fn window((first, last): (i32, i32)) -> String {
    format!("[Day {}, Day {}]", signed(first), signed(last))
}

fn signed(value: i32) -> String {
    if value < 0 {
        format!("\u{2212}{}", -i64::from(value))
    } else {
        value.to_string()
    }
}

fn list(drugs: &[Drug]) -> String {
    let names: Vec<&str> = drugs.iter().map(|d| d.label()).collect();
    names.join(", ").to_lowercase()
}

/// The sensitivity analysis of Table 2D, and the intention-to-treat proportion when asked for.
fn sensitivity(cohort: &Cohort) -> String {
    let alternatives: Vec<&str> = cohort
        .outcomes
        .response_sensitivity
        .iter()
        .filter(|row| row.definition != "protocol")
        .map(|row| row.description.as_str())
        .collect();
    let mut text = format!(
        "To show how much the proportion of responders depends on the definition, the response was also derived with the other items unchanged and {} (Table 2D).",
        alternatives.join("; or ")
    );
    text += &format!(
        " A co-intervention was an HLH-directed drug of the protocol, chemotherapy or rituximab newly started from Day 1 to Day {} (not a course already running on Day 0); {}.",
        cohort.protocol.response_day,
        match cohort.protocol.co_interventions {
            CoInterventions::Flag => "co-interventions were listed beside the responders and did not change the response",
            CoInterventions::Fail => "a co-intervention made a non-responder",
        }
    );
    if cohort.protocol.unknown_as_failure {
        text += " The intention-to-treat proportion counts every analysed patient, a response that could not be judged as a failure.";
    }
    text
}

/// Items (b) and (c) of the derived response as the protocol sets them.
fn lab_falls(protocol: &Protocol) -> String {
    let fall = |percent: f64| {
        if percent > 0.0 {
            format!(
                "at least {}% lower",
                as_written(percent).trim_end_matches(".0")
            )
        } else {
            "lower".to_string()
        }
    };
    let crp = format!(
        "CRP {} on Day 7 than on Day 0",
        fall(protocol.crp_fall_percent)
    );
    let crp = if protocol.crp_normal_below > 0.0 {
        format!(
            "{crp} or below {} mg/L on Day 7",
            as_written(protocol.crp_normal_below).trim_end_matches(".0")
        )
    } else {
        crp
    };
    if protocol.crp_fall_percent == 0.0
        && protocol.ferritin_fall_percent == 0.0
        && protocol.crp_normal_below == 0.0
    {
        // The default reads as it always has.
        return "CRP and ferritin lower on Day 7 than on Day 0".to_string();
    }
    format!(
        "{crp}; ferritin {} on Day 7 than on Day 0",
        fall(protocol.ferritin_fall_percent)
    )
}

/// The paragraphs of the methods section.
pub fn paragraphs(cohort: &Cohort, min_cell: u64) -> Vec<String> {
    let protocol = &cohort.protocol;
    let drug = protocol.index_drug;
    let confidence = protocol.confidence * 100.0;
    let mut paragraphs = vec![
        format!(
            "Day 0 was the calendar date of the first administration of {drug}; Day n is Day 0 plus n calendar days, and all day comparisons use dates only. Patients never given {drug} were excluded. HLH-directed drugs were {}. {} was first-line when the line of therapy recorded for its first prescription said so, or, when none was recorded, when no HLH-directed drug had started before Day 0; it was given as monotherapy when no other HLH-directed drug was given on any day of its course (Day 0 to the last administration).",
            list(&protocol.hlh_directed_drugs),
            drug.label(),
        ),
        format!(
            "Several results of one analyte on one day were reduced to the day's worst value (the highest, or the lowest for haemoglobin, leukocytes, neutrophils, lymphocytes, platelets, fibrinogen and sodium). The Day-0 value was the daily value of the latest day with a result in {}; the Day-7 value that of the day in {} closest to Day {}, the earlier day on a tie. Censored results (such as \u{201c}<5\u{201d}) were taken at their number.",
            window(protocol.day0_window),
            window(protocol.day7_window),
            protocol.day7_target,
        ),
        format!(
            "The HScore (cut-off {}), the HLH-2004 criteria ({} of 8 required, reading \u{201c}{}\u{201d}), the optimised HLH inflammatory index and, for patients with systemic juvenile idiopathic arthritis, the 2016 MAS classification criteria were computed on the worst daily values from Day {} to Day {} around the date of diagnosis, with the patient-level findings; each score is reported on the data given with the range it could take over unknown items.",
            protocol.hscore_cutoff,
            protocol.hlh2004_required,
            protocol.hlh2004_preset.name(),
            signed(protocol.scores_window.0),
            signed(protocol.scores_window.1),
        ),
        format!(
            "Fever was a temperature of at least {} °C. Patients were febrile at baseline with a fever on a day of {} (unknown without a temperature on those days). The fever-resolution day was the first day d ≥ 0 with a temperature recorded after which no fever was recorded for {} consecutive calendar days ({}), counted in days since the first dose; fever resolved by Day {} was the proportion of febrile patients with a resolution day up to Day {}.{} A fever recorded after the resolution and by Day {} was counted as a recurrence{}.",
            as_written(protocol.fever_threshold_celsius),
            window(protocol.fever_baseline_days),
            protocol.fever_sustained_days,
            if protocol.fever_reading_every_day {
                "with a temperature recorded on each of them"
            } else {
                "a day without a reading does not break the run"
            },
            protocol.fever_resolved_by_day,
            protocol.fever_resolved_by_day,
            match protocol.fever_timing {
                FeverTiming::Dates => "",
                FeverTiming::Clock => " For patients whose first dose and temperatures from Day −1 on had clock times, fever was judged on the clock instead: febrile at baseline with a fever in the 24 hours before the first dose (a reading at the time of the dose included), and resolved at the first reading after the first dose followed by no fever for as many 24-hour periods, reported in hours as well; the others were judged by calendar days.",
            },
            protocol.fever_resolved_by_day,
            match protocol.fever_recurrence {
                Recurrence::Ignore => ", reported without changing the response",
                Recurrence::Fail => " and failed the fever item of the response",
            },
        ),
        match protocol.response_source {
            ResponseSource::Recorded => format!(
                "Response was the clinician's latest recorded assessment in {} (complete or partial response counted as response; none recorded as unknown), except that death by Day {day}, {drug} stopped for inefficacy before Day {day} or a {} started after Day 0 up to Day {day} made a non-responder whatever was recorded.",
                window(protocol.recorded_window),
                list(&protocol.rescue_drugs),
                day = protocol.response_day,
            ),
            ResponseSource::Derived => format!(
                "A patient responded when every item that could be judged held: fever resolved by Day {day} if febrile at baseline; {}; alive on Day {day}; {drug} not stopped for inefficacy before Day {day}, and no {} started after Day 0 up to Day {day}. A failed item made a non-responder; otherwise an item on fever, CRP or ferritin that could not be judged made the response unknown, and such patients were left out of the response denominator.",
                lab_falls(protocol),
                list(&protocol.rescue_drugs),
                day = protocol.response_day,
            ),
        },
        sensitivity(cohort),
        format!(
            "{} was discontinued for an adverse event when its prescription was stopped for that reason or an event recorded the discontinuation. Adverse events and infections were counted from Day 0 to {} days after its last administration (to the end of the record while the course ran on), by type as recorded and grade; an admission to intensive care before Day 0 was counted as baseline severity, not as an adverse outcome; a relapse was counted when recorded after the last administration.",
            drug.label(),
            protocol.safety_window
        ),
        format!(
            "Continuous variables are given as median (interquartile range, quantile type {} of Hyndman and Fan, R's default being 7) and mean (SD); proportions with {:.0}% {} confidence intervals. Day-0 and Day-7 values were compared on complete pairs with the two-sided paired t-test and the Wilcoxon signed-rank test as R's wilcox.test(paired = TRUE) computes it by default (zero differences dropped; the exact distribution below 50 pairs without ties or zeros, otherwise the normal approximation with tie and continuity correction), with the mean difference and its t interval, the Hodges–Lehmann estimate with R's interval, and, for values that are all positive, the paired t-test on the logarithms with the geometric mean ratio Day 7 / Day 0 and its interval (skewed values such as ferritin are compared on this scale); the {} is the one quoted in the summary. Time to fever resolution among febrile patients was estimated by Kaplan–Meier, censoring patients who did not resolve at death or at their last temperature, with Greenwood's variance and {} confidence intervals; its median follows R's quantile.survfit. Because 1 − Kaplan–Meier treats the patients who died unresolved as if they could still resolve, the cumulative incidence of resolution with death as a competing event (Aalen–Johansen) is given beside it.",
            protocol.quantile_type.number(),
            confidence,
            match protocol.proportion_ci {
                ProportionMethod::ClopperPearson => "Clopper–Pearson (exact)",
                ProportionMethod::Wilson => "Wilson score",
            },
            protocol.primary_paired_test.label(),
            protocol.km_conf_type.name(),
        ),
    ];
    let landmarks: Vec<String> = protocol
        .survival_landmark_days
        .iter()
        .map(|d| format!("Day {d}"))
        .collect();
    paragraphs.push(format!(
        "Overall survival was estimated from Day 0 by Kaplan–Meier over every analysed patient, a recorded death being the event and the others censored at their last follow-up date or, without one, at their last dated record, with Greenwood's variance and {} confidence intervals{}.",
        protocol.km_conf_type.name(),
        match landmarks.split_last() {
            None => String::new(),
            Some((last, [])) => format!("; survival is reported at {last}"),
            Some((last, rest)) => format!("; survival is reported at {} and {last}", rest.join(", ")),
        }
    ));
    if !cohort.comparisons.is_empty() {
        let groupings: Vec<String> = cohort
            .comparisons
            .iter()
            .map(|c| match c.by {
                Grouping::EarlyAnakinra => format!(
                    "{} (early: Day 0 at most {} days after the diagnosis)",
                    c.by.label(),
                    protocol.early_anakinra_days
                ),
                _ => c.by.label().to_string(),
            })
            .collect();
        let tests: Vec<&str> = GroupTest::ALL
            .into_iter()
            .filter(|&t| {
                cohort
                    .comparisons
                    .iter()
                    .any(|c| c.rows.iter().any(|r| r.test == Some(t)))
            })
            .map(GroupTest::described)
            .collect();
        let mut paragraph = format!("Patients were compared by {}.", groupings.join(", "));
        if !tests.is_empty() {
            paragraph += &format!(" The tests were {}.", tests.join("; "));
        }
        paragraph += " Unknown values were left out of each test and shown as their own count; no test was run when a group had fewer than two patients with a value, or when every value was the same.";
        if cohort.comparisons.iter().any(|c| c.overlapping) {
            paragraph += " A patient with several triggers was counted in each trigger group, and the tests by trigger used only the patients with a single trigger.";
        }
        paragraphs.push(paragraph);
    }
    if let Some(pg_per_unit) = cohort.study.assays.scd25_pg_per_unit {
        paragraphs.push(format!(
            "sCD25 recorded as a mass concentration (pg/mL, ng/L or ng/mL) was converted to U/mL with the study's assay factor of {} pg/mL per U/mL; sCD25 units are assay-specific, so no factor is assumed.",
            as_written(pg_per_unit)
        ));
    }
    let inclusion: Vec<&str> = cohort
        .inclusion_steps()
        .map(|step| step.step.as_str())
        .collect();
    if !inclusion.is_empty() {
        paragraphs.push(format!(
            "Only patients meeting the inclusion by diagnosis were analysed: {} (an item not recorded counted as not met, so a patient is included only on the data given). The main outcomes of every exposed patient are given beside those of the included patients (Table 2E).",
            inclusion.join("; ")
        ));
    }
    if protocol.day7_after_rescue == AfterRescue::Exclude {
        paragraphs.push(
            "A Day-7 value drawn on or after the start of a rescue drug was left out of the Day-0 to Day-7 comparison of its analyte (the number left out is given under Table 2B).".to_string(),
        );
    }
    let mut closing = format!(
        "The analysis was produced by hlhkit {} (analysis schema {}); the same study and protocol give byte-identical results.",
        cohort.hlhkit_version, cohort.schema,
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
