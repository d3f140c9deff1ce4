//! The cohort: attrition, baseline, outcomes with their statistics, and the patients, as JSON.

use std::collections::BTreeSet;

use hlh_criteria::hlh2004::Diagnosis;
use hlh_model::{Analyte, PatientIndex, Sex, Study};
use hlh_stats::proportion::proportion;
use hlh_stats::survival::KmRow;
use hlh_stats::{Pairs, Sample, SurvivalData};
use serde_json::{json, Map, Value};

use crate::endpoints::{day0, endpoints, PatientEndpoints, PatientRows};
use crate::protocol::Protocol;
use crate::summary_text::summary_text;

/// The schema of the analysis JSON.
pub const SCHEMA: &str = "hlhkit.analysis/1";

/// An analysis: the cohort part of the JSON, the endpoints behind the `patients` part, and the
/// abstract-style summary.
///
/// The `patients` array is not held as JSON: for a warehouse-sized cohort it would take gigabytes, so
/// [`Analysis::write_json`] writes it patient by patient.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// Every field of the contract but `patients`.
    pub json: Value,
    pub patients: Vec<PatientEndpoints>,
    pub summary: String,
    protocol: Protocol,
}

impl Analysis {
    /// The JSON of one patient, as in the `patients` array.
    pub fn patient_json(&self, patient: &PatientEndpoints) -> Value {
        patient_json(patient, &self.protocol)
    }

    /// Writes the whole analysis JSON (pretty-printed, `patients` last), streaming the patients so that
    /// memory stays bounded by one patient's JSON.
    pub fn write_json(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        let cohort = serde_json::to_string_pretty(&self.json)?;
        // The cohort object without its closing brace, then the patients array, then the brace.
        let open = cohort.strip_suffix('}').unwrap_or(&cohort).trim_end();
        write!(out, "{open},\n  \"patients\": [")?;
        for (i, patient) in self.patients.iter().enumerate() {
            let text = serde_json::to_string_pretty(&self.patient_json(patient))?;
            out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
            for (j, line) in text.lines().enumerate() {
                if j > 0 {
                    out.write_all(b"\n")?;
                }
                write!(out, "    {line}")?;
            }
        }
        out.write_all(b"\n  ]\n}\n")
    }

    /// The whole analysis JSON as a string (see [`Analysis::write_json`]).
    pub fn json_string(&self) -> String {
        let mut bytes = Vec::new();
        // Writing to a Vec cannot fail.
        let _ = self.write_json(&mut bytes);
        String::from_utf8(bytes).unwrap_or_default()
    }
}

/// Why there is no analysis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnalysisError {
    /// The study has no patient exposed to the index drug (or no patient at all).
    NoPatients,
}

impl std::fmt::Display for AnalysisError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AnalysisError::NoPatients => f.write_str("no patients to analyse"),
        }
    }
}

impl std::error::Error for AnalysisError {}

pub(crate) fn number(value: f64) -> Value {
    if value.is_finite() {
        json!(value)
    } else {
        Value::Null
    }
}

fn optional(value: Option<f64>) -> Value {
    value.map_or(Value::Null, number)
}

/// {n, mean, sd, median, q1, q3, min, max}; every statistic null for no values.
fn summary(values: &[f64], protocol: &Protocol) -> Value {
    match Sample::new(values) {
        Ok(sample) => {
            let s = sample.summary(protocol.quantile_type);
            json!({
                "n": s.n, "mean": number(s.mean), "sd": optional(s.sd), "median": number(s.median),
                "q1": number(s.q1), "q3": number(s.q3), "min": number(s.min), "max": number(s.max),
            })
        }
        Err(_) => {
            json!({"n": 0, "mean": null, "sd": null, "median": null, "q1": null, "q3": null, "min": null, "max": null})
        }
    }
}

/// {count, n, proportion, ci95}; proportion and interval null for n = 0.
fn share(count: usize, n: usize, protocol: &Protocol) -> Value {
    match proportion(
        count as u64,
        n as u64,
        protocol.proportion_ci,
        protocol.confidence,
    ) {
        Ok(p) => {
            json!({"count": count, "n": n, "proportion": number(p.proportion), "ci95": [number(p.ci.0), number(p.ci.1)]})
        }
        Err(_) => json!({"count": count, "n": n, "proportion": null, "ci95": null}),
    }
}

/// Runs the analysis of a validated study under a protocol.
pub fn analyze(study: &Study, protocol: &Protocol) -> Result<Analysis, AnalysisError> {
    let rows = PatientRows::of(study);
    let mut patients = Vec::new();
    let mut never_exposed = Vec::new();
    for (index, derived) in derive_all(study, &rows, protocol).into_iter().enumerate() {
        match derived {
            Some(endpoints) => patients.push(endpoints),
            None => never_exposed.push(study.patients[index].id.clone()),
        }
    }
    if patients.is_empty() {
        return Err(AnalysisError::NoPatients);
    }
    let n = patients.len();
    let attrition = json!([
        {"step": "patients in the study", "remaining": study.patients.len(), "excluded": 0, "reason": null},
        {
            "step": format!("exposed to {}", protocol.index_drug.name()),
            "remaining": n,
            "excluded": never_exposed.len(),
            "reason": format!("never received {}", protocol.index_drug.name()),
            "excluded_patients": never_exposed,
        },
    ]);

    let record = |p: &PatientEndpoints| study.patient(p.patient);
    let ages: Vec<f64> = patients.iter().map(|p| record(p).age_years).collect();
    let sex_count = |sex| patients.iter().filter(|p| record(p).sex == sex).count();
    let hscores: Vec<f64> = patients.iter().map(|p| f64::from(p.hscore.score)).collect();
    let hlh2004_met = patients
        .iter()
        .filter(|p| p.hlh2004.diagnosis == Diagnosis::Met)
        .count();
    let baseline = json!({
        "age_years": summary(&ages, protocol),
        "sex": {"M": sex_count(Sex::Male), "F": sex_count(Sex::Female), "U": sex_count(Sex::Unknown)},
        "first_line": share(patients.iter().filter(|p| p.first_line).count(), n, protocol),
        "monotherapy": share(patients.iter().filter(|p| p.monotherapy).count(), n, protocol),
        "hscore": summary(&hscores, protocol),
        "hlh2004_met": share(hlh2004_met, n, protocol),
    });

    let responders = patients.iter().filter(|p| p.response == Some(true)).count();
    let judged = patients.iter().filter(|p| p.response.is_some()).count();
    let mut response = share(responders, judged, protocol);
    response["unknown"] = json!(n - judged);

    let febrile: Vec<&PatientEndpoints> = patients
        .iter()
        .filter(|p| p.febrile_at_baseline == Some(true))
        .collect();
    let resolved_by_day7 = febrile
        .iter()
        .filter(|p| {
            p.fever_resolution_day
                .is_some_and(|d| d <= protocol.fever_resolved_by_day)
        })
        .count();
    let resolution_days: Vec<f64> = febrile
        .iter()
        .filter_map(|p| p.fever_resolution_day)
        .map(f64::from)
        .collect();
    let fever_resolution = json!({
        "febrile_at_baseline": febrile.len(),
        "resolved_by_day7": resolved_by_day7,
        "days": summary(&resolution_days, protocol),
        "km": kaplan_meier(&febrile, protocol),
    });

    let observed: BTreeSet<Analyte> = study
        .observations
        .iter()
        .map(|o| o.quantity.analyte())
        .collect();
    let mut labs = Map::new();
    for analyte in observed {
        labs.insert(
            analyte.name().to_string(),
            lab_comparison(analyte, &patients, protocol),
        );
    }
    let discontinued = patients
        .iter()
        .filter(|p| p.discontinued_adverse_event)
        .count();
    let outcomes = json!({
        "response": response,
        "fever_resolution": fever_resolution,
        "labs": labs,
        "discontinued_adverse_event": share(discontinued, n, protocol),
        "deaths_by_response_day": patients.iter().filter(|p| p.death_day.is_some_and(|d| d <= protocol.response_day)).count(),
    });

    let json = json!({
        "schema": SCHEMA,
        "hlhkit_version": env!("CARGO_PKG_VERSION"),
        "study": {"title": study.title, "centres": study.centres},
        "protocol": protocol.to_json(),
        "attrition": attrition,
        "n_patients": n,
        "baseline": baseline,
        "outcomes": outcomes,
    });
    let summary = summary_text(&json, protocol);
    Ok(Analysis {
        json,
        patients,
        protocol: protocol.clone(),
        summary,
    })
}

/// Patients per thread below which one thread does the work.
const MIN_PATIENTS_PER_THREAD: usize = 5_000;

/// The endpoints of every patient (`None` for one never exposed), in patient order. Patients are
/// independent, so large cohorts are split across the cores; the order of the result does not depend
/// on the split.
fn derive_all(
    study: &Study,
    rows: &PatientRows,
    protocol: &Protocol,
) -> Vec<Option<PatientEndpoints>> {
    let n = study.patients.len();
    let derive = |range: std::ops::Range<usize>| -> Vec<Option<PatientEndpoints>> {
        range
            .map(|index| {
                let patient = PatientIndex(index as u32);
                day0(study, rows, patient, protocol)
                    .map(|day0| endpoints(study, rows, patient, day0, protocol))
            })
            .collect()
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(n / MIN_PATIENTS_PER_THREAD)
        .max(1);
    if threads == 1 {
        return derive(0..n);
    }
    std::thread::scope(|scope| {
        let derive = &derive;
        let handles: Vec<_> = (0..threads)
            .map(|t| scope.spawn(move || derive(n * t / threads..n * (t + 1) / threads)))
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

fn kaplan_meier(febrile: &[&PatientEndpoints], protocol: &Protocol) -> Value {
    let times: Vec<(f64, f64)> = febrile
        .iter()
        .filter_map(|p| p.resolution_time)
        .map(|(time, resolved)| (f64::from(time), f64::from(u8::from(resolved))))
        .collect();
    let (time, event): (Vec<f64>, Vec<f64>) = times.into_iter().unzip();
    let Ok(data) = SurvivalData::new::<&str>(&time, &event, None) else {
        return json!({"median": null, "ci95": [null, null], "table": []});
    };
    let analysis = data.fit(protocol.km_conf_type, protocol.confidence);
    let fit = &analysis.groups[0].fit;
    json!({
        "median": optional(fit.median),
        "ci95": [optional(fit.median_ci.0), optional(fit.median_ci.1)],
        "conf_type": protocol.km_conf_type.name(),
        "table": fit.table.iter().map(km_row_json).collect::<Vec<_>>(),
    })
}

/// One row of a Kaplan–Meier table as both the analysis (§3) and `hlh stats km` (§5) write it.
pub fn km_row_json(row: &KmRow) -> Value {
    json!({
        "time": number(row.time), "n_risk": row.n_risk, "n_event": row.n_event, "n_censor": row.n_censor,
        "survival": number(row.survival), "std_err": optional(row.std_err),
        "lower": optional(row.lower), "upper": optional(row.upper),
    })
}

fn lab_comparison(analyte: Analyte, patients: &[PatientEndpoints], protocol: &Protocol) -> Value {
    let pairs: Vec<(f64, f64)> = patients
        .iter()
        .filter_map(|p| {
            let pair = p.labs.get(&analyte)?;
            Some((pair.day0?.value, pair.day7?.value))
        })
        .collect();
    let (day0, day7): (Vec<f64>, Vec<f64>) = pairs.iter().copied().unzip();
    let mut value = json!({
        "unit": analyte.canonical_unit(),
        "n_pairs": pairs.len(),
        "day0": summary(&day0, protocol),
        "day7": summary(&day7, protocol),
        "difference": {"mean": null, "ci95": null, "hodges_lehmann": null},
        "paired_t": {"statistic": null, "df": null, "p_value": null},
        "wilcoxon": {"statistic": null, "p_value": null, "method": null, "zero_method": null, "n_used": null},
    });
    let Ok(paired) = Pairs::new(&day0, &day7) else {
        return value;
    };
    let comparison = paired.compare(protocol.confidence);
    value["difference"] = json!({
        "mean": number(comparison.mean_difference),
        "ci95": comparison.paired_t.map_or(Value::Null, |t| json!([number(t.ci.0), number(t.ci.1)])),
        "hodges_lehmann": comparison.hodges_lehmann.map_or(Value::Null, |hl| number(hl.estimate)),
    });
    if let Some(t) = comparison.paired_t {
        value["paired_t"] = json!({"statistic": optional(t.statistic), "df": number(t.df), "p_value": optional(t.p_value)});
    }
    if let Some(w) = comparison.wilcoxon {
        value["wilcoxon"] = json!({
            "statistic": number(w.statistic), "p_value": number(w.p_value), "method": w.method.name(),
            "zero_method": w.zero_method.name(), "correction": w.correction, "n_used": w.n_used,
        });
    }
    value
}

fn patient_json(p: &PatientEndpoints, protocol: &Protocol) -> Value {
    let mut labs = Map::new();
    for (analyte, pair) in &p.labs {
        let day = |value: Option<crate::DailyValue>| {
            value.map_or(
                Value::Null,
                |v| json!({"day": v.day, "value": number(v.value), "source_line": v.source.line}),
            )
        };
        labs.insert(
            analyte.name().to_string(),
            json!({"day0": day(pair.day0), "day7": day(pair.day7)}),
        );
    }
    let items = &p.response_items;
    json!({
        "patient_id": p.patient_id,
        "day0": p.day0.to_string(),
        "first_line": p.first_line,
        "monotherapy": p.monotherapy,
        "febrile_at_baseline": p.febrile_at_baseline,
        "fever_resolution_day": p.fever_resolution_day,
        "response": p.response,
        "response_items": {
            "fever_resolved": items.fever_resolved.name(),
            "crp_decreased": items.crp_decreased.name(),
            "ferritin_decreased": items.ferritin_decreased.name(),
            "alive": items.alive.name(),
            "no_inefficacy_or_rescue": items.no_inefficacy_or_rescue.name(),
        },
        "death_day": p.death_day,
        "discontinued_adverse_event": p.discontinued_adverse_event,
        "labs": labs,
        "hscore": {
            "score": p.hscore.score, "min": p.hscore.min, "max": p.hscore.max,
            "positive": p.hscore.positive, "cutoff": protocol.hscore_cutoff,
            "probability": p.hscore.probability.text,
            "items": p.hscore.items.iter().map(|item| json!({
                "item": item.item.name(), "points": item.points, "max_points": item.max_points,
                "status": if item.known { "known" } else { "unknown" },
                "source_lines": item.sources.iter().map(|s| json!({"file": s.file.file_name(), "line": s.line})).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        },
        "hlh2004": {
            "met": p.hlh2004.met, "not_met": p.hlh2004.not_met, "unknown": p.hlh2004.unknown,
            "diagnosis": p.hlh2004.diagnosis.name(),
            "criteria": p.hlh2004.criteria.iter().map(|c| json!({"criterion": c.criterion, "status": c.status.name()})).collect::<Vec<_>>(),
        },
        "ohi": {
            "status": match p.ohi.status {
                hlh_criteria::Status::Met => "positive",
                hlh_criteria::Status::NotMet => "negative",
                hlh_criteria::Status::Unknown => "unknown",
            },
            "ferritin": optional(p.ohi.ferritin),
            "scd25": optional(p.ohi.scd25),
        },
        "mas2016": p.mas2016.as_ref().map_or(Value::Null, |m| json!({
            "status": m.status.name(),
            "criteria": m.criteria.iter().map(|c| json!({"criterion": c.criterion, "status": c.status.name()})).collect::<Vec<_>>(),
        })),
        "treatment_source_lines": p.treatment_sources.iter().map(|s| s.line).collect::<Vec<_>>(),
    })
}
