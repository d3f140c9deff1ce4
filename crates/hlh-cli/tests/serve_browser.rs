//! `hlh serve` in headless Chromium through ChromeDriver, as a clinician uses it: open the demo, see its
//! problems, upload a study with an error and see its cell marked, change `fever.sustained_days` and see
//! the fever figure change, score a published case at the bedside; no console message and no request
//! to anything but the server. A screenshot of each page is saved under target/tmp/ for a person to
//! look at.

#![cfg(feature = "serve")]

mod common;

use std::io::Write as _;

use serde_json::{json, Value};

use common::browser::{self, Browser};
use common::server::Server;
use common::{demo_dir, hlh, GDL_06_FINDINGS};

fn text_of(browser: &Browser, css: &str) -> String {
    browser
        .run(&format!(
            "const e = document.querySelector({css:?}); return e ? e.textContent : null;"
        ))
        .as_str()
        .unwrap_or_else(|| panic!("no {css} on {}", browser.run("return location.href;")))
        .to_string()
}

fn location(browser: &Browser) -> String {
    browser
        .run("return location.href;")
        .as_str()
        .unwrap()
        .to_string()
}

/// A zip of the demo study with one unit the study format does not accept.
fn broken_demo_zip(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("broken-study.zip");
    let mut archive = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    for entry in std::fs::read_dir(demo_dir()).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        let mut text = std::fs::read_to_string(entry.path()).unwrap();
        if name == "observations.csv" {
            let line = text
                .lines()
                .find(|l| l.contains(",crp,"))
                .unwrap()
                .to_string();
            text = text.replacen(&line, &line.replace(",mg/L", ",mg%"), 1);
        }
        archive
            .start_file(format!("broken-study/{name}"), options)
            .unwrap();
        archive.write_all(text.as_bytes()).unwrap();
    }
    archive.finish().unwrap();
    path
}

/// The fever-resolution figure of the report in the page's frame.
fn fever_figure(browser: &Browser) -> String {
    browser.frame(Some(0));
    let figure = browser
        .run(
            "const f = document.getElementById('figure-5-fever-resolution'); return f ? f.innerHTML : null;",
        )
        .as_str()
        .expect("the fever figure in the report's frame")
        .to_string();
    let figures = browser.run("return document.querySelectorAll('figure svg').length;");
    assert_eq!(figures, json!(7));
    browser.frame(None);
    figure
}

#[test]
fn a_clinician_opens_the_demo_edits_the_protocol_and_scores_a_patient_in_chromium() {
    if !browser::available("the web app's browser test") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let demo = demo_dir();
    let server = Server::start(&[demo.to_str().unwrap()]);
    let browser = Browser::start(&dir.path().join("profile"));

    // The printed address: the token becomes a cookie and leaves the address bar.
    browser.go(&server.url);
    assert_eq!(location(&browser), format!("{}/", server.base));
    assert_eq!(text_of(&browser, "h1"), "Open a study");
    assert!(
        text_of(&browser, "main").contains("21 patients")
            || text_of(&browser, "main").contains("patients")
    );
    browser.screenshot("serve-home.png");

    browser.go(&format!("{}/problems", server.base));
    assert_eq!(text_of(&browser, "#problem-count"), "0 errors, 0 warnings");

    // A study with an error, uploaded as a zip: the problem, its row, its cell marked.
    browser.go(&format!("{}/", server.base));
    browser.choose_file(
        "#upload-archive input[type=file]",
        &broken_demo_zip(dir.path()),
    );
    browser.submit("#upload-archive button");
    assert_eq!(
        location(&browser),
        format!("{}/problems", server.base),
        "{}",
        text_of(&browser, "main")
    );
    assert_eq!(text_of(&browser, "#problem-count"), "1 error, 0 warnings");
    assert_eq!(text_of(&browser, ".source-row td.marked"), "mg%");
    assert!(text_of(&browser, "#problems").contains("observations.csv"));
    browser.screenshot("serve-problems.png");
    // Filtered to the warnings: none.
    browser.go(&format!("{}/problems?severity=warning", server.base));
    assert_eq!(
        browser.run("return document.querySelectorAll('#problems tbody tr').length;"),
        json!(0)
    );
    browser.go(&format!("{}/report", server.base));
    assert!(text_of(&browser, "main").contains("The study has errors"));

    // The demo again, by its path.
    browser.go(&format!("{}/", server.base));
    browser.type_into("#path", demo.to_str().unwrap());
    browser.submit("#open-path button");
    assert_eq!(text_of(&browser, "#problem-count"), "0 errors, 0 warnings");

    browser.go(&format!("{}/report", server.base));
    assert!(text_of(&browser, "#summary").contains("19/21 febrile patients"));
    let before = fever_figure(&browser);
    browser.screenshot("serve-report.png");

    // fever.sustained_days = 3: analysed again, the fever figure changes.
    browser.go(&format!("{}/protocol", server.base));
    browser.type_into("[id='fever.sustained_days']", "3");
    browser.screenshot("serve-protocol.png");
    browser.submit("button[value=analyse]");
    assert_eq!(location(&browser), format!("{}/report", server.base));
    assert!(text_of(&browser, "main").contains("fever.sustained_days = 3"));
    assert!(text_of(&browser, "#summary").contains("18/21 febrile patients"));
    let after = fever_figure(&browser);
    assert_ne!(before, after, "the fever figure follows the protocol");

    // The bedside form with GDL case 06, against `hlh score`.
    browser.go(&format!("{}/score", server.base));
    for (analyte, value, unit) in [
        ("temperature", "104", "[degF]"),
        ("ferritin", "7000", "ug/L"),
        ("triglycerides", "5", "mmol/L"),
        ("fibrinogen", "2.5", "mg/dL"),
        ("ast", "10", "U/L"),
        ("hemoglobin", "8", "g/dL"),
        ("leukocytes", "7", "10*9/L"),
        ("platelets", "250", "10*9/L"),
    ] {
        browser.type_into(&format!("[id='value:{analyte}']"), value);
        browser.click(&format!(
            "select[name='unit:{analyte}'] option[value='{unit}']"
        ));
    }
    for finding in [
        "immunosuppression",
        "hepatomegaly",
        "splenomegaly",
        "bm_hemophagocytosis",
    ] {
        browser.click(&format!("input[name='finding:{finding}'][value=no]"));
    }
    browser.submit("main form button[type=submit]");
    assert_eq!(
        location(&browser),
        format!("{}/score", server.base),
        "no value in the address"
    );
    let findings = dir.path().join("gdl06.json");
    std::fs::write(&findings, GDL_06_FINDINGS).unwrap();
    let cli: Value =
        serde_json::from_slice(&hlh(&["score", findings.to_str().unwrap(), "--json"]).stdout)
            .unwrap();
    assert_eq!(text_of(&browser, "#hscore-total"), "193");
    assert_eq!(
        text_of(&browser, "#hscore-total"),
        cli["hscore"]["score"].to_string()
    );
    assert_eq!(
        text_of(&browser, "#hscore-probability"),
        cli["hscore"]["probability"]["text"].as_str().unwrap()
    );
    assert_eq!(
        text_of(&browser, "#hlh2004-diagnosis"),
        cli["hlh2004"]["diagnosis"]
            .as_str()
            .unwrap()
            .replace('_', " ")
    );
    browser.screenshot("serve-score.png");

    // No console message on any page, and no request but to the server.
    let console = browser.console();
    assert_eq!(console, json!([]), "console: {console}");
    let requests = browser.requests(&server.base);
    assert!(requests.len() > 10, "{requests:?}");
    assert!(
        requests
            .iter()
            .all(|url| url.starts_with(&format!("{}/", server.base))),
        "requests: {requests:?}"
    );
    assert!(
        requests
            .iter()
            .all(|url| !url.contains("7000") && !url.contains("ferritin")),
        "no patient value in an address: {requests:?}"
    );
}
