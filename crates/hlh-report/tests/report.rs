//! The report of the demo study: snapshots of the tables, the structure of each figure, provenance
//! links, determinism, small-cell suppression, and the large-cohort layout.

use std::path::Path;

use hlh_ingest::read_study_folder;
use hlh_outcomes::{analyze, Analysis, Protocol};
use hlh_report::document::table_markdown;
use hlh_report::{build, html, markdown, ReportOptions, PATIENT_LEVEL_LIMIT};
use serde_json::Value;

fn demo_analysis() -> Analysis {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../hlh-cli/demo");
    let ingested = read_study_folder(&dir);
    assert!(!ingested.has_errors(), "{:?}", ingested.diagnostics);
    analyze(&ingested.study, &Protocol::default()).expect("the demo analyses")
}

fn tables_markdown(analysis: &Analysis, options: &ReportOptions) -> String {
    build(analysis, options)
        .tables()
        .filter(|t| t.id.starts_with("table-"))
        .map(table_markdown)
        .collect()
}

#[test]
fn the_demo_tables_match_their_snapshot() {
    let analysis = demo_analysis();
    insta::assert_snapshot!(
        "demo_tables",
        tables_markdown(&analysis, &ReportOptions::default())
    );
}

#[test]
fn the_demo_tables_with_small_cells_suppressed_match_their_snapshot() {
    let analysis = demo_analysis();
    insta::assert_snapshot!(
        "demo_tables_min_cell_5",
        tables_markdown(&analysis, &ReportOptions { min_cell: 5 })
    );
}

#[test]
fn the_tables_carry_the_analysis_numbers_of_the_abstract() {
    // The report reads the analysis: the Baverez figures must appear as the analysis gives them.
    let text = tables_markdown(&demo_analysis(), &ReportOptions::default());
    for expected in [
        "19/21 (90.5%)",    // response
        "71.1–97.3%",       // its Wilson interval
        "10 (47.6%)",       // first-line
        "5 (23.8%)",        // monotherapy
        "3 (14.3%)",        // stopped for an adverse event
        "13 (61.9%)",       // men
        "45 (38–58)",       // age
        "1 (1–2) \\[19\\]", // days to fever resolution among the resolved
        "0.011",            // ferritin paired t
    ] {
        assert!(text.contains(expected), "{expected} missing from\n{text}");
    }
}

fn parse(svg: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("invalid SVG: {e}\n{svg}"))
}

fn series<'a>(doc: &'a roxmltree::Document<'a>) -> Vec<roxmltree::Node<'a, 'a>> {
    doc.descendants()
        .filter(|n| {
            n.attribute("class")
                .is_some_and(|c| c.split(' ').any(|w| w == "series"))
        })
        .collect()
}

fn axis<'a>(doc: &'a roxmltree::Document<'a>, which: &str) -> (String, f64, f64) {
    let node = doc
        .descendants()
        .find(|n| n.attribute("class") == Some(&format!("axis {which}")))
        .unwrap_or_else(|| panic!("no {which} axis"));
    let number = |name: &str| {
        node.attribute(name)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap()
    };
    (
        node.attribute("data-scale").unwrap().to_string(),
        number("data-min"),
        number("data-max"),
    )
}

fn patients_json(analysis: &Analysis) -> Vec<Value> {
    analysis
        .patients
        .iter()
        .map(|p| analysis.patient_json(p))
        .collect()
}

#[test]
fn trajectory_figures_draw_every_patient_and_the_median_on_their_axes() {
    let analysis = demo_analysis();
    let document = build(&analysis, &ReportOptions::default());
    let patients = patients_json(&analysis);
    for (analyte, scale) in [
        ("crp", "linear"),
        ("ferritin", "log10"),
        ("temperature", "linear"),
    ] {
        let figure = document
            .figures()
            .find(|f| f.id.ends_with(&format!("-{analyte}")))
            .unwrap_or_else(|| panic!("no {analyte} figure"));
        let doc = parse(&figure.svg);
        let drawn = series(&doc);
        let with_values: Vec<&Value> = patients
            .iter()
            .filter(|p| p["trajectories"][analyte].is_array())
            .collect();
        // One series per patient with a value, plus the median.
        assert_eq!(drawn.len(), with_values.len() + 1, "{analyte}");
        for p in &with_values {
            let id = p["patient_id"].as_str().unwrap();
            let node = drawn
                .iter()
                .find(|n| n.attribute("data-series") == Some(id))
                .unwrap();
            let expected = p["trajectories"][analyte].as_array().unwrap().len();
            assert_eq!(
                node.attribute("data-points"),
                Some(expected.to_string().as_str()),
                "{analyte} {id}"
            );
            assert_eq!(
                node.children().filter(|c| c.has_tag_name("circle")).count(),
                expected
            );
        }
        // The median is drawn on the days measured in at least max(3, ⌈21/4⌉) = 6 patients.
        let days = &analysis
            .cohort
            .outcomes
            .trajectories
            .analytes
            .get(&hlh_model::Analyte::from_name(analyte).unwrap())
            .unwrap()
            .days;
        let well_measured = days.iter().filter(|d| d.n >= 6).count();
        let median = drawn
            .iter()
            .find(|n| n.attribute("data-series") == Some("median"))
            .unwrap();
        assert_eq!(
            median.attribute("data-points"),
            Some(well_measured.to_string().as_str())
        );
        let (x_scale, x_min, x_max) = axis(&doc, "x");
        assert_eq!((x_scale.as_str(), x_min, x_max), ("linear", -2.0, 14.0));
        let (y_scale, y_min, y_max) = axis(&doc, "y");
        assert_eq!(y_scale, scale, "{analyte}");
        let all: Vec<f64> = with_values
            .iter()
            .flat_map(|p| {
                p["trajectories"][analyte]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|d| d["value"].as_f64().unwrap())
            })
            .collect();
        assert!(
            all.iter().all(|v| (y_min..=y_max).contains(v)),
            "{analyte} values outside [{y_min}, {y_max}]"
        );
        assert!(figure.svg.contains(match analyte {
            "crp" => "CRP (mg/L)",
            "ferritin" => "Ferritin (µg/L)",
            _ => "Temperature (°C)",
        }));
    }
}

#[test]
fn the_fever_resolution_figure_steps_at_each_event_and_marks_each_censoring() {
    let analysis = demo_analysis();
    let document = build(&analysis, &ReportOptions::default());
    let figure = document
        .figures()
        .find(|f| f.id.ends_with("-fever-resolution"))
        .unwrap();
    let doc = parse(&figure.svg);
    let table = &analysis.cohort.outcomes.fever_resolution.km.table;
    let events = table.iter().filter(|r| r.n_event > 0).count();
    let censored = table.iter().filter(|r| r.n_censor > 0).count();
    let drawn = series(&doc);
    let curve = drawn
        .iter()
        .find(|n| n.attribute("data-series") == Some("cumulative incidence"))
        .unwrap();
    assert_eq!(
        curve.attribute("data-points"),
        Some(events.to_string().as_str())
    );
    // The Aalen–Johansen curve steps where its incidence rises, and ends no higher than 1 − KM.
    let competing = &analysis
        .cohort
        .outcomes
        .fever_resolution
        .competing_death
        .table;
    let rises = competing
        .windows(2)
        .filter(|pair| pair[1].incidence > pair[0].incidence)
        .count()
        + usize::from(competing.first().is_some_and(|row| row.incidence > 0.0));
    assert!(rises > 0);
    let competing_curve = drawn
        .iter()
        .find(|n| n.attribute("data-series") == Some("death as a competing event"))
        .unwrap();
    assert_eq!(
        competing_curve.attribute("data-points"),
        Some(rises.to_string().as_str())
    );
    let last_km = 1.0 - table.last().unwrap().survival;
    assert!(competing.last().unwrap().incidence <= last_km + 1e-12);
    let marks = drawn
        .iter()
        .find(|n| n.attribute("data-series") == Some("censored"))
        .unwrap();
    assert_eq!(
        marks.attribute("data-points"),
        Some(censored.to_string().as_str())
    );
    assert_eq!(
        marks.children().filter(|c| c.has_tag_name("line")).count(),
        censored
    );
    let (_, y_min, y_max) = axis(&doc, "y");
    assert_eq!((y_min, y_max), (0.0, 1.0));
    let (_, x_min, x_max) = axis(&doc, "x");
    let last = table.last().unwrap().time;
    assert!(x_min == 0.0 && x_max >= last);
    // The number at risk under each tick, first of all the febrile patients at Day 0.
    let at_risk = doc
        .descendants()
        .find(|n| n.attribute("class") == Some("at-risk"))
        .unwrap();
    let numbers: Vec<&str> = at_risk.children().filter_map(|c| c.text()).collect();
    assert_eq!(
        numbers[0],
        analysis
            .cohort
            .outcomes
            .fever_resolution
            .febrile_at_baseline
            .count()
            .to_string()
    );
    assert_eq!(
        numbers.len().to_string(),
        at_risk.attribute("data-points").unwrap()
    );
}

#[test]
fn the_swimmer_plot_has_a_row_per_patient_and_the_flow_diagram_its_boxes() {
    let analysis = demo_analysis();
    let document = build(&analysis, &ReportOptions::default());
    let swimmer = document
        .figures()
        .find(|f| f.id.ends_with("-swimmer"))
        .unwrap();
    let doc = parse(&swimmer.svg);
    let rows = series(&doc);
    assert_eq!(rows.len(), 21);
    let patients = patients_json(&analysis);
    for (row, p) in rows.iter().zip(&patients) {
        assert_eq!(row.attribute("data-series"), p["patient_id"].as_str());
        let expected = p["timeline"]["treatments"].as_array().unwrap().len()
            + p["timeline"]["events"].as_array().unwrap().len();
        assert_eq!(
            row.attribute("data-points"),
            Some(expected.to_string().as_str())
        );
    }
    // Two deaths in the demo: two crosses, each a path whose fill is none.
    let crosses = doc
        .descendants()
        .filter(|n| n.has_tag_name("path") && n.attribute("fill") == Some("none"))
        .count();
    assert_eq!(crosses, 2 + 1, "two deaths and the legend's cross");

    let flow = document
        .figures()
        .find(|f| f.id.ends_with("-flow"))
        .unwrap();
    let doc = parse(&flow.svg);
    let nodes: Vec<&str> = doc
        .descendants()
        .filter_map(|n| n.attribute("class").and_then(|c| c.strip_prefix("node ")))
        .collect();
    assert_eq!(
        nodes,
        ["screened", "excluded", "analysed", "fever", "response"]
    );
    assert!(flow.svg.contains("n = 21"));
}

#[test]
fn every_link_resolves_and_every_source_list_matches_its_count() {
    let page = html(&demo_analysis(), &ReportOptions::default());
    assert!(!page.contains("SOURCE MISMATCH"));
    let ids: std::collections::BTreeSet<&str> = page
        .match_indices(" id=\"")
        .map(|(i, _)| {
            let rest = &page[i + 5..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect();
    let links: Vec<&str> = page
        .match_indices("href=\"#")
        .map(|(i, _)| {
            let rest = &page[i + 7..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect();
    assert!(links.len() > 50, "the tables link their numbers");
    for link in links {
        assert!(ids.contains(link), "link to #{link} has no target");
    }
    // Response 19/21 links to a list of 19 responders, each linking to a case card.
    let responders = page
        .find("Responders: 19 patients")
        .expect("the responders' list");
    let list_end = responders + page[responders..].find("</ul>").unwrap();
    assert_eq!(
        page[responders..list_end].matches("href=\"#case-").count(),
        19
    );
}

#[test]
fn the_report_is_self_contained_and_byte_identical_run_to_run() {
    let analysis = demo_analysis();
    let page = html(&analysis, &ReportOptions::default());
    assert_eq!(page, html(&demo_analysis(), &ReportOptions::default()));
    for forbidden in ["<script", "<link", "src=", "url(", "@import", "https://"] {
        assert!(!page.contains(forbidden), "{forbidden}");
    }
    // The only address is the SVG namespace, which is a name, never fetched.
    assert_eq!(
        page.matches("http://").count(),
        page.matches("http://www.w3.org/2000/svg").count()
    );
    assert!(page.contains("Content-Security-Policy"));
    let (text, figures) = markdown(&analysis, &ReportOptions::default(), "report-figures");
    assert_eq!(figures.len(), 7);
    for (name, svg) in &figures {
        parse(svg);
        assert!(
            text.contains(&format!("](report-figures/{name})")),
            "{name}"
        );
    }
}

#[test]
fn small_cells_are_suppressed_everywhere_and_patients_left_out() {
    let analysis = demo_analysis();
    let options = ReportOptions { min_cell: 5 };
    let page = html(&analysis, &options);
    assert!(!page.contains("SYN-"), "no patient identifier");
    assert!(!page.contains("Case cards"));
    // 3/21 stopped for an adverse event; 19/21 responded would reveal the 2 others.
    assert!(page.contains("&lt;5/21") || page.contains("&lt;5"));
    assert!(page.contains("&gt;16/21"));
    assert!(!page.contains("3 (14.3%)"));
    assert!(!page.contains("19/21 (90.5%)"));
    let (text, figures) = markdown(&analysis, &options, "f");
    assert!(!text.contains("SYN-"));
    assert!(figures.iter().all(|(_, svg)| !svg.contains("SYN-")));
}

/// The counts a reader can take from a cell: "k/n", "k (p%)", "[n]".
fn counts_in(cell: &str) -> Vec<(u64, Option<u64>)> {
    let number = |text: &str| -> Option<u64> {
        let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
        (!digits.is_empty() && digits.len() == text.len()).then(|| digits.parse().ok())?
    };
    let mut found = Vec::new();
    for word in cell.split_whitespace() {
        let word = word.trim_matches(|c: char| c == ';' || c == ',');
        if let Some((k, n)) = word.split_once('/') {
            if let (Some(k), Some(n)) = (number(k), number(n)) {
                found.push((k, Some(n)));
            }
        } else if let Some(n) = word.strip_prefix('[').and_then(|w| w.strip_suffix(']')) {
            if let Some(n) = number(n) {
                found.push((n, None));
            }
        }
    }
    if let Some((k, rest)) = cell.split_once(" (") {
        if rest.contains('%') {
            if let Some(k) = number(k) {
                found.push((k, None));
            }
        }
    }
    found
}

/// With `--min-cell 5` no table of the demo's report shows a count from 1 to 4, a share whose other part
/// is, or a count that leaves 1 to 4 of the 21 patients.
#[test]
fn no_table_cell_shows_a_small_count_or_one_that_reveals_it() {
    let analysis = demo_analysis();
    let total = analysis.cohort.n_patients as u64;
    let open = build(&analysis, &ReportOptions::default());
    let shared = build(&analysis, &ReportOptions { min_cell: 5 });
    let small = |c: u64| (1..5).contains(&c);
    let revealing = |document: &hlh_report::Document| {
        let mut found = Vec::new();
        for table in document.tables() {
            for row in &table.rows {
                let hlh_report::document::Row::Cells { cells, .. } = row else {
                    continue;
                };
                for cell in cells {
                    let text: String = cell.iter().map(|part| part.as_text()).collect();
                    for (k, n) in counts_in(&text) {
                        let rest_small = n.is_some_and(|n| k <= n && k > 0 && small(n - k));
                        if small(k) || rest_small || (k > 0 && k < total && small(total - k)) {
                            found.push(format!("{text:?} in {}", table.caption));
                        }
                    }
                }
            }
        }
        found
    };
    assert!(
        !revealing(&open).is_empty(),
        "the open report has small counts"
    );
    let found = revealing(&shared);
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn a_cohort_beyond_the_patient_level_limit_leaves_out_cards_and_lists() {
    use std::fmt::Write;
    let n = PATIENT_LEVEL_LIMIT + 1;
    let mut patients = String::from("patient_id,sex,age_years,diagnosis_date\n");
    let mut observations = String::from("patient_id,time,analyte,value,unit\n");
    let mut treatments = String::from("patient_id,drug,start,end\n");
    for i in 0..n {
        let _ = writeln!(patients, "P{i},F,{},2020-03-10", 20 + i % 50);
        let _ = writeln!(observations, "P{i},2020-03-10,crp,{},mg/L", 100 + i % 30);
        let _ = writeln!(observations, "P{i},2020-03-17,crp,{},mg/L", 10 + i % 7);
        let _ = writeln!(treatments, "P{i},anakinra,2020-03-10,2020-03-20");
    }
    let ingested = hlh_ingest::read_study(&hlh_ingest::StudySources {
        patients: Some(patients.into()),
        observations: Some(observations.into()),
        treatments: Some(treatments.into()),
        events: None,
        study_toml: None,
    });
    assert!(!ingested.has_errors(), "{:?}", ingested.diagnostics);
    let analysis = analyze(&ingested.study, &Protocol::default()).unwrap();
    let page = html(&analysis, &ReportOptions::default());
    assert!(!page.contains("Case cards"));
    assert!(!page.contains("P17"));
    assert!(page.contains(&format!("With more than {PATIENT_LEVEL_LIMIT} patients")));
    assert!(page.contains(&format!("{n} patients treated with anakinra")));
}

#[test]
fn a_sparse_study_gives_a_report_with_the_figures_its_data_allow() {
    // One patient, one anakinra row, no result, no event: no trajectory and no fever figure, but the
    // flow diagram, the tables (with dashes), the swimmer plot and the case card.
    let ingested = hlh_ingest::read_study(&hlh_ingest::StudySources {
        patients: Some("patient_id,sex,age_years,diagnosis_date\nP1,U,70,2021-01-01\n".into()),
        observations: None,
        treatments: Some("patient_id,drug,start,end\nP1,anakinra,2021-01-02,\n".into()),
        events: None,
        study_toml: None,
    });
    assert!(!ingested.has_errors(), "{:?}", ingested.diagnostics);
    let analysis = analyze(&ingested.study, &Protocol::default()).unwrap();
    let document = build(&analysis, &ReportOptions::default());
    let ids: Vec<&str> = document.figures().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["figure-1-flow", "figure-2-swimmer"]);
    for figure in document.figures() {
        parse(&figure.svg);
    }
    let page = hlh_report::document::to_html(&document);
    assert!(page.contains("Sex not recorded"));
    assert!(page.contains("Patient P1"));
    assert!(!page.contains("SOURCE MISMATCH"));
}

/// With `--min-cell 5`, no count of a comparison table can be read as 1–4, nor derived as one from
/// its group: a printed "k/n" has k and n − k both 0 or at least 5; a categorical row with any small
/// cell is suppressed whole (its margins, printed in Table 1, would solve one hidden cell).
#[test]
fn comparison_tables_hide_small_counts_and_their_complements() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../hlh-cli/demo");
    let ingested = read_study_folder(&dir);
    let mut protocol = Protocol::default();
    protocol
        .apply(
            &"[compare]\nby = [\"first_line\", \"early_anakinra\"]\n"
                .parse()
                .unwrap(),
            "test.toml",
        )
        .unwrap();
    let analysis = analyze(&ingested.study, &protocol).unwrap();
    let document = build(&analysis, &ReportOptions { min_cell: 5 });
    let mut suppressed_rows = 0;
    for table in document.tables().filter(|t| t.id.starts_with("table-3")) {
        for row in &table.rows {
            let hlh_report::document::Row::Cells { cells, .. } = row else {
                continue;
            };
            let texts: Vec<String> = cells
                .iter()
                .map(|cell| cell.iter().map(|part| part.as_text()).collect())
                .collect();
            if texts.iter().any(|text| text == "suppressed") {
                suppressed_rows += 1;
                let values = &texts[1..texts.len() - 1];
                assert!(
                    values
                        .iter()
                        .all(|text| text == "suppressed" || text == "–"),
                    "{texts:?} in {}: a row is suppressed whole",
                    table.caption
                );
                continue;
            }
            for text in texts {
                let Some((count, rest)) = text.split_once('/') else {
                    continue;
                };
                let n: String = rest.chars().take_while(char::is_ascii_digit).collect();
                if let (Ok(count), Ok(n)) = (count.parse::<u64>(), n.parse::<u64>()) {
                    for shown in [count, n - count] {
                        assert!(shown == 0 || shown >= 5, "{text} in {}", table.caption);
                    }
                }
            }
        }
    }
    assert!(
        suppressed_rows > 5,
        "{suppressed_rows} rows suppressed: the demo's 21 patients in two groups have small cells"
    );
}
