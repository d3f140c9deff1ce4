//! Table 1 (the patients and their treatment) and Table 2 (efficacy, Day 0 against Day 7, safety),
//! every number read from the analysis, counts linked to the patients behind them.

use serde_json::Value;

use crate::document::{linked, text, Inline, Table};
use crate::labels;
use crate::numbers::{number, p_value, value, whole, Numbers, MISSING};
use crate::sources::Member;
use crate::Context;

/// The patients of the analysis for whom `keep` holds, with a detail for each.
fn members(context: &Context, keep: impl Fn(&Value) -> Option<String>) -> Vec<Member> {
    context
        .patients
        .iter()
        .enumerate()
        .filter_map(|(index, p)| {
            keep(p).map(|detail| Member {
                patient: index,
                patient_id: p["patient_id"].as_str().unwrap_or_default().to_string(),
                detail,
            })
        })
        .collect()
}

/// A share `{count, n, …}` printed by `print`, linked to the patients counted.
fn linked_share(
    context: &mut Context,
    title: &str,
    share: &Value,
    print: fn(&Numbers, &Value) -> String,
    keep: impl Fn(&Value) -> Option<String>,
) -> Vec<Inline> {
    let count = share["count"].as_u64().unwrap_or(0);
    let members = members(context, keep);
    let target = context.sources.add(title.to_string(), count, members);
    vec![linked(print(&context.numbers, share), target)]
}

/// "k/n (p%)", linked.
fn share_cell(
    context: &mut Context,
    title: &str,
    share: &Value,
    keep: impl Fn(&Value) -> Option<String>,
) -> Vec<Inline> {
    linked_share(context, title, share, Numbers::share, keep)
}

/// "k (p%)" of all analysed patients, linked.
fn count_cell(
    context: &mut Context,
    title: &str,
    share: &Value,
    keep: impl Fn(&Value) -> Option<String>,
) -> Vec<Inline> {
    linked_share(context, title, share, Numbers::count_with_percent, keep)
}

fn flag(p: &Value, field: &str) -> Option<String> {
    (p[field] == Value::Bool(true)).then(String::new)
}

fn source_line(day: &Value) -> String {
    format!(
        "{} (Day {}, observations.csv line {})",
        value(&day["value"]),
        day["day"],
        day["source_line"]
    )
}

fn treatment_lines(p: &Value) -> String {
    let lines: Vec<String> = p["treatment_source_lines"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| l.to_string())
        .collect();
    format!("treatments.csv lines {}", lines.join(", "))
}

/// Table 1: demographics, centres, triggers, diagnosis scores, baseline laboratory values, the index
/// drug and what was given with it.
pub fn table1(context: &mut Context) -> Table {
    let cohort = context.cohort;
    let baseline = &cohort["baseline"];
    let n = cohort["n_patients"].as_u64().unwrap_or(0);
    let drug = cohort["protocol"]["index_drug"]
        .as_str()
        .unwrap_or("index drug")
        .to_string();
    let mut table = Table::new(
        "table-1",
        &format!(
            "Table 1. Characteristics of the {} patients at the start of {drug}",
            context.numbers.count(n)
        ),
        &["Characteristic", "Value"],
    );

    table.section("Demographics");
    let age = &baseline["age_years"];
    table.row(
        "Age, years, median (IQR)",
        true,
        vec![vec![text(context.numbers.median_iqr_whole(age))]],
    );
    table.row(
        "Age, years, mean (SD)",
        true,
        vec![vec![text(context.numbers.mean_sd(age))]],
    );
    table.row(
        "Age, years, range",
        true,
        vec![vec![text(context.numbers.range_whole(age))]],
    );
    for (key, label) in [("M", "Men"), ("F", "Women"), ("U", "Sex not recorded")] {
        let share = &baseline["sex_shares"][key];
        if key == "U" && share["count"] == 0 {
            continue;
        }
        let cell = count_cell(context, label, share, |p| {
            (p["demographics"]["sex"] == key).then(String::new)
        });
        table.row(label, true, vec![cell]);
    }
    if let Some(centres) = baseline["centres"].as_object() {
        table.section("Centre");
        for (centre, share) in centres {
            let wanted = centre.clone();
            let cell = count_cell(context, &format!("Centre {centre}"), share, move |p| {
                let own = p["demographics"]["centre"].as_str().unwrap_or("unknown");
                (own == wanted).then(String::new)
            });
            table.row(centre, true, vec![cell]);
        }
    }
    if let Some(triggers) = baseline["triggers"].as_object() {
        table.section("Trigger (a patient may have several)");
        for (trigger, share) in triggers {
            let wanted = trigger.clone();
            let cell = count_cell(context, &labels::trigger(trigger), share, move |p| {
                let has = p["demographics"]["triggers"]
                    .as_array()
                    .is_some_and(|t| t.iter().any(|x| x == &Value::String(wanted.clone())));
                has.then(|| {
                    p["demographics"]["trigger_detail"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string()
                })
            });
            table.row(&labels::trigger(trigger), true, vec![cell]);
        }
    }

    table.section("Diagnosis scores (worst values around the diagnosis)");
    table.row(
        "HScore, median (IQR)",
        true,
        vec![vec![text(
            context.numbers.median_iqr_whole(&baseline["hscore"]),
        )]],
    );
    let positive = &baseline["hscore_positive"];
    let cutoff = positive["cutoff"].as_u64().unwrap_or(169);
    let cell = count_cell(
        context,
        &format!("HScore ≥ {cutoff}"),
        &positive["positive"],
        |p| {
            (p["hscore"]["positive"] == Value::Bool(true))
                .then(|| format!("HScore {}", p["hscore"]["score"]))
        },
    );
    table.row(
        &format!("HScore ≥ {cutoff} on the data given"),
        true,
        vec![cell],
    );
    if positive["undetermined"]["count"].as_u64().unwrap_or(0) > 0 {
        let cell = count_cell(
            context,
            &format!("HScore undetermined at {cutoff}"),
            &positive["undetermined"],
            |p| {
                (p["hscore"]["positive"].is_null())
                    .then(|| format!("HScore {}–{}", p["hscore"]["min"], p["hscore"]["max"]))
            },
        );
        table.row(
            "HScore undetermined (unknown items decide)",
            true,
            vec![cell],
        );
    }
    let required = cohort["protocol"]["scores"]["hlh2004_required"]
        .as_u64()
        .unwrap_or(5);
    let cell = count_cell(
        context,
        "HLH-2004 diagnosis met",
        &baseline["hlh2004_met"],
        |p| {
            (p["hlh2004"]["diagnosis"] == "met")
                .then(|| format!("{} criteria met", p["hlh2004"]["met"]))
        },
    );
    table.row(
        &format!("HLH-2004 met (≥ {required} of 8 criteria, or molecular)"),
        true,
        vec![cell],
    );

    if let Some(labs) = baseline["labs_day0"].as_object() {
        table.section("Day-0 laboratory values, median (IQR) [n]");
        for (analyte, lab) in labs {
            let summary = &lab["summary"];
            let count = summary["n"].as_u64().unwrap_or(0);
            let wanted = analyte.clone();
            let day0_members = members(context, move |p| {
                let day0 = &p["labs"][wanted.as_str()]["day0"];
                (!day0.is_null()).then(|| source_line(day0))
            });
            let target = context.sources.add(
                format!("Day-0 {}", labels::analyte(analyte)),
                count,
                day0_members,
            );
            let label = format!(
                "{}, {}",
                labels::analyte(analyte),
                labels::unit(lab["unit"].as_str().unwrap_or(""))
            );
            let text_value = format!(
                "{} [{}]",
                context.numbers.median_iqr(summary),
                context.numbers.count(count)
            );
            table.row(&label, true, vec![vec![linked(text_value, target)]]);
        }
    }

    let index = &baseline["index_drug"];
    table.section(&labels::capitalised(&drug));
    let cell = count_cell(context, "First-line", &baseline["first_line"], |p| {
        flag(p, "first_line").map(|_| treatment_lines(p))
    });
    table.row("First-line", true, vec![cell]);
    let cell = count_cell(context, "Monotherapy", &baseline["monotherapy"], |p| {
        flag(p, "monotherapy").map(|_| treatment_lines(p))
    });
    table.row(
        "Monotherapy (no other HLH-directed drug during the course)",
        true,
        vec![cell],
    );
    if let Some(doses) = index["first_dose"].as_object() {
        for (unit, summary) in doses {
            table.row(
                &format!("First dose, {unit}, median (IQR)"),
                true,
                vec![vec![text(format!(
                    "{} [n {}]",
                    context.numbers.median_iqr_whole(summary),
                    context.numbers.count_of(&summary["n"])
                ))]],
            );
        }
    }
    if let Some(routes) = index["route"].as_object() {
        for (route, share) in routes {
            let wanted = route.clone();
            let cell = count_cell(
                context,
                &format!("Route {}", labels::route(route)),
                share,
                move |p| {
                    (p["course"]["route"].as_str().unwrap_or("unknown") == wanted)
                        .then(|| treatment_lines(p))
                },
            );
            table.row(
                &format!("Route: {}", labels::route(route).to_lowercase()),
                true,
                vec![cell],
            );
        }
    }
    if let Some(frequencies) = index["frequency"].as_object() {
        for (frequency, share) in frequencies {
            let wanted = frequency.clone();
            let cell = count_cell(
                context,
                &format!("Frequency {frequency}"),
                share,
                move |p| {
                    (p["course"]["frequency"].as_str().unwrap_or("unknown") == wanted)
                        .then(|| treatment_lines(p))
                },
            );
            table.row(
                &format!("Frequency of the first prescription: {frequency}"),
                true,
                vec![cell],
            );
        }
    }
    let duration = &index["duration_days"];
    table.row(
        "Duration of the course, days, median (IQR) [n]",
        true,
        vec![vec![text(format!(
            "{} [{}]",
            context.numbers.median_iqr_whole(duration),
            context.numbers.count_of(&duration["n"])
        ))]],
    );
    if index["ongoing"]["count"].as_u64().unwrap_or(0) > 0 {
        let cell = count_cell(
            context,
            "Course ongoing at the end of the record",
            &index["ongoing"],
            |p| {
                p["course"]["last_day"]
                    .is_null()
                    .then(|| treatment_lines(p))
            },
        );
        table.row("Course ongoing at the end of the record", true, vec![cell]);
    }

    table.section(&format!("Given during the {drug} course"));
    let concomitant = &baseline["concomitant"];
    let cell = count_cell(
        context,
        "Any corticosteroid",
        &concomitant["corticosteroids_any"],
        |p| {
            let names = p["concomitant"].as_array()?;
            names
                .iter()
                .any(|d| is_corticosteroid(d.as_str().unwrap_or("")))
                .then(String::new)
        },
    );
    table.row("Any corticosteroid", true, vec![cell]);
    if let Some(drugs) = concomitant["drugs"].as_object() {
        for (name, share) in drugs {
            let wanted = name.clone();
            let cell = count_cell(context, &labels::drug(name), share, move |p| {
                p["concomitant"]
                    .as_array()?
                    .iter()
                    .any(|d| d == &Value::String(wanted.clone()))
                    .then(String::new)
            });
            table.row(&labels::drug(name), true, vec![cell]);
        }
    }
    table.notes.push(format!(
        "Percentages of the {} analysed patients. IQR: interquartile range (quantile type {} of Hyndman and Fan). Day-0 values: the worst value of the latest day with a result in the Day-0 window.",
        context.numbers.count(n),
        cohort["protocol"]["stats"]["quantile_type"]
    ));
    table
}

/// Whether a drug named in the analysis is a corticosteroid (the model's list).
pub fn is_corticosteroid(name: &str) -> bool {
    hlh_model::Drug::from_name(name).is_some_and(hlh_model::Drug::is_corticosteroid)
}

/// Table 2, panel A: response and fever resolution.
pub fn table2_efficacy(context: &mut Context) -> Table {
    let cohort = context.cohort;
    let outcomes = &cohort["outcomes"];
    let protocol = &cohort["protocol"];
    let day = protocol["response"]["day"].as_i64().unwrap_or(7);
    let mut table = Table::new(
        "table-2a",
        "Table 2A. Efficacy",
        &["Outcome", "Value", "95% CI"],
    );
    let response = &outcomes["response"];
    let source = protocol["response"]["source"].as_str().unwrap_or("derived");
    let cell = share_cell(context, "Responders", response, |p| {
        (p["response"] == Value::Bool(true)).then(String::new)
    });
    table.row(
        &format!("Response ({source}), responders / patients judged"),
        false,
        vec![cell, vec![text(context.numbers.share_ci(response))]],
    );
    let unknown = response["unknown"].as_u64().unwrap_or(0);
    let unknown_members = members(context, |p| {
        p["response"].is_null().then(|| {
            let items = &p["response_items"];
            let open: Vec<&str> = ["fever_resolved", "crp_decreased", "ferritin_decreased"]
                .into_iter()
                .filter(|k| items[*k] == "not_judgeable")
                .collect();
            format!("not judgeable: {}", open.join(", "))
        })
    });
    let target = context
        .sources
        .add("Response unknown".into(), unknown, unknown_members);
    table.row(
        "Response unknown (left out of the denominator)",
        true,
        vec![
            vec![linked(context.numbers.count(unknown), target)],
            vec![text("")],
        ],
    );

    let fever = &outcomes["fever_resolution"];
    let febrile = fever["febrile_at_baseline"].as_u64().unwrap_or(0);
    let members_febrile = members(context, |p| flag(p, "febrile_at_baseline"));
    let target = context
        .sources
        .add("Febrile at baseline".into(), febrile, members_febrile);
    table.section("Fever");
    table.row(
        "Febrile at baseline",
        true,
        vec![
            vec![linked(context.numbers.count(febrile), target)],
            vec![text("")],
        ],
    );
    let by_day = protocol["fever"]["resolved_by_day"].as_i64().unwrap_or(7);
    let resolved = fever["resolved_by_day7"].as_u64().unwrap_or(0);
    let resolved_share = &fever["resolved_by_day7_share"];
    let resolved_members = members(context, |p| {
        p["fever_resolution_day"]
            .as_i64()
            .filter(|d| *d <= by_day)
            .map(|d| format!("resolved on Day {d}"))
    });
    let target = context.sources.add(
        format!("Fever resolved by Day {by_day}"),
        resolved,
        resolved_members,
    );
    table.row(
        &format!("Fever resolved by Day {by_day}, of the febrile"),
        true,
        vec![
            vec![linked(context.numbers.share(resolved_share), target)],
            vec![text(context.numbers.share_ci(resolved_share))],
        ],
    );
    let days = &fever["days"];
    table.row(
        "Days to resolution among the resolved, median (IQR) [n]",
        true,
        vec![
            vec![text(format!(
                "{} [{}]",
                context.numbers.median_iqr_whole(days),
                context.numbers.count_of(&days["n"])
            ))],
            vec![text("")],
        ],
    );
    let km = &fever["km"];
    let km_ci = match (km["ci95"][0].as_f64(), km["ci95"][1].as_f64()) {
        (Some(_), Some(_)) => format!("{}–{}", whole(&km["ci95"][0]), whole(&km["ci95"][1])),
        (Some(_), None) => format!("{}–not reached", whole(&km["ci95"][0])),
        _ => MISSING.into(),
    };
    table.row(
        "Days to resolution, Kaplan–Meier median among the febrile",
        true,
        vec![
            vec![text(
                if context.numbers.suppressing() && febrile < context.numbers.min_cell {
                    MISSING.into()
                } else {
                    whole(&km["median"])
                },
            )],
            vec![text(km_ci)],
        ],
    );
    table.section("Other items of the response");
    let deaths = outcomes["deaths_by_response_day"].as_u64().unwrap_or(0);
    let members_dead = members(context, |p| {
        p["death_day"]
            .as_i64()
            .filter(|d| *d <= day)
            .map(|d| format!("died on Day {d}"))
    });
    let target = context
        .sources
        .add(format!("Deaths by Day {day}"), deaths, members_dead);
    table.row(
        &format!("Deaths by Day {day}"),
        true,
        vec![
            vec![linked(context.numbers.count(deaths), target)],
            vec![text("")],
        ],
    );
    table.notes.push(format!(
        "Response: responders over patients whose response could be judged; Wilson interval unless the methods say otherwise. Fever resolution day counted from the first dose; the Kaplan–Meier median uses the {} interval.",
        km["conf_type"].as_str().unwrap_or("log-log")
    ));
    table
}

/// Table 2, panel B: Day 0 against Day 7 for each analyte, complete pairs only.
pub fn table2_labs(context: &mut Context) -> Table {
    let cohort = context.cohort;
    let mut table = Table::new(
        "table-2b",
        "Table 2B. Laboratory values on Day 0 and Day 7 (complete pairs)",
        &[
            "Analyte",
            "Pairs",
            "Day 0, median (IQR)",
            "Day 7, median (IQR)",
            "Mean difference (95% CI)",
            "Hodges–Lehmann",
            "Paired t p",
            "Wilcoxon p",
        ],
    );
    let Some(labs) = cohort["outcomes"]["labs"].as_object() else {
        return table;
    };
    for (analyte, lab) in labs {
        let pairs = lab["n_pairs"].as_u64().unwrap_or(0);
        let wanted = analyte.clone();
        let pair_members = members(context, move |p| {
            let lab = &p["labs"][wanted.as_str()];
            (!lab["day0"].is_null() && !lab["day7"].is_null()).then(|| {
                format!(
                    "Day 0: {}; Day 7: {}",
                    source_line(&lab["day0"]),
                    source_line(&lab["day7"])
                )
            })
        });
        let target = context.sources.add(
            format!("{} pairs", labels::analyte(analyte)),
            pairs,
            pair_members,
        );
        let hidden = pairs == 0 || context.numbers.is_suppressed(pairs);
        let difference = &lab["difference"];
        let stat = |text_value: String| {
            if hidden {
                MISSING.to_string()
            } else {
                text_value
            }
        };
        let ci = match (
            difference["ci95"][0].as_f64(),
            difference["ci95"][1].as_f64(),
        ) {
            (Some(lo), Some(hi)) => format!(
                "{} ({} to {})",
                value(&difference["mean"]),
                number(lo),
                number(hi)
            ),
            _ => value(&difference["mean"]),
        };
        let wilcoxon = &lab["wilcoxon"];
        let wilcoxon_p = match wilcoxon["method"].as_str() {
            Some(method) => format!("{} ({method})", p_value(&wilcoxon["p_value"])),
            None => MISSING.into(),
        };
        table.row(
            &format!(
                "{}, {}",
                labels::analyte(analyte),
                labels::unit(lab["unit"].as_str().unwrap_or(""))
            ),
            false,
            vec![
                vec![linked(context.numbers.count(pairs), target)],
                vec![text(stat(context.numbers.median_iqr(&lab["day0"])))],
                vec![text(stat(context.numbers.median_iqr(&lab["day7"])))],
                vec![text(stat(ci))],
                vec![text(stat(value(&difference["hodges_lehmann"])))],
                vec![text(stat(p_value(&lab["paired_t"]["p_value"])))],
                vec![text(stat(wilcoxon_p))],
            ],
        );
    }
    table.notes.push(
        "Difference: Day 7 minus Day 0. Paired t-test, two-sided; Wilcoxon signed-rank test as R's wilcox.test(paired = TRUE) (exact without ties or zeros for fewer than 50 pairs, otherwise the normal approximation with continuity correction); Hodges–Lehmann: median of the Walsh averages of the non-zero differences.".into(),
    );
    table
}

/// Table 2, panel C: safety.
pub fn table2_safety(context: &mut Context) -> Table {
    let cohort = context.cohort;
    let outcomes = &cohort["outcomes"];
    let safety = &outcomes["safety"];
    let drug = cohort["protocol"]["index_drug"]
        .as_str()
        .unwrap_or("index drug")
        .to_string();
    let mut table = Table::new(
        "table-2c",
        "Table 2C. Safety",
        &["Event", "Patients", "Events"],
    );
    let index = drug.clone();
    let cell = count_cell(
        context,
        &format!(
            "{} stopped for an adverse event",
            labels::capitalised(&drug)
        ),
        &outcomes["discontinued_adverse_event"],
        move |p| {
            flag(p, "discontinued_adverse_event").map(|_| {
                let rows: Vec<String> = p["timeline"]["events"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|e| {
                        e["drug"] == Value::String(index.clone())
                            && e["led_to_discontinuation"] == Value::Bool(true)
                    })
                    .map(|e| format!("events.csv line {}", e["source_line"]))
                    .collect();
                if rows.is_empty() {
                    treatment_lines(p)
                } else {
                    rows.join(", ")
                }
            })
        },
    );
    table.row(
        &format!(
            "{} stopped for an adverse event",
            labels::capitalised(&drug)
        ),
        false,
        vec![cell, vec![text("")]],
    );
    for (key, kind, title) in [
        (
            "adverse_events",
            "adverse_event",
            "Adverse events from Day 0",
        ),
        ("infections", "infection", "Infections from Day 0"),
    ] {
        let part = &safety[key];
        table.section(title);
        let cell = count_cell(
            context,
            &format!(
                "Patients with {}",
                title.to_lowercase().replace("day 0", "Day 0")
            ),
            &part["patients"],
            move |p| {
                let rows = event_rows(p, kind, None);
                (!rows.is_empty()).then(|| rows.join(", "))
            },
        );
        table.row(
            "Any",
            true,
            vec![cell, vec![text(context.numbers.count_of(&part["events"]))]],
        );
        for entry in part["by_type"].as_array().into_iter().flatten() {
            let name = entry["type"].as_str().unwrap_or("unspecified").to_string();
            let grade = entry["grade"].as_u64();
            let label = match grade {
                Some(g) => format!("{}, grade {g}", labels::capitalised(&name)),
                None => format!("{}, grade not recorded", labels::capitalised(&name)),
            };
            let patients = entry["patients"].as_u64().unwrap_or(0);
            let wanted = (name.clone(), grade);
            let type_members = members(context, move |p| {
                let rows = event_rows(p, kind, Some(&wanted));
                (!rows.is_empty()).then(|| rows.join(", "))
            });
            let target = context.sources.add(label.clone(), patients, type_members);
            table.row(
                &label,
                true,
                vec![
                    vec![linked(context.numbers.count(patients), target)],
                    vec![text(context.numbers.count_of(&entry["events"]))],
                ],
            );
        }
    }
    table.section("Course");
    let cell = count_cell(context, "ICU admission", &safety["icu_admission"], |p| {
        let rows = event_rows_any_day(p, "icu_admission");
        (!rows.is_empty()).then(|| rows.join(", "))
    });
    table.row("ICU admission (any time)", true, vec![cell, vec![text("")]]);
    let cell = count_cell(context, "Deaths", &safety["deaths"], |p| {
        let rows = event_rows_any_day(p, "death");
        (!rows.is_empty()).then(|| rows.join(", "))
    });
    table.row(
        "Deaths (any time of the record)",
        true,
        vec![cell, vec![text("")]],
    );
    table.notes.push("Adverse events and infections are counted from Day 0 on, by type as recorded and CTCAE grade; a patient may count under several types.".into());
    table
}

/// "events.csv line L (Day d)" for each event of `kind` from Day 0 on, of one type and grade if given.
fn event_rows(
    p: &Value,
    kind: &str,
    type_and_grade: Option<&(String, Option<u64>)>,
) -> Vec<String> {
    p["timeline"]["events"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["event"] == kind && e["day"].as_i64().is_some_and(|d| d >= 0))
        .filter(|e| {
            type_and_grade.is_none_or(|(name, grade)| {
                e["detail"].as_str().map_or("unspecified", str::trim) == name
                    && e["grade"].as_u64() == *grade
            })
        })
        .map(|e| format!("events.csv line {} (Day {})", e["source_line"], e["day"]))
        .collect()
}

fn event_rows_any_day(p: &Value, kind: &str) -> Vec<String> {
    p["timeline"]["events"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["event"] == kind)
        .map(|e| format!("events.csv line {} (Day {})", e["source_line"], e["day"]))
        .collect()
}
