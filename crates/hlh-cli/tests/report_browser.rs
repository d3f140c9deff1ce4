//! The demo report opened in headless Chromium through ChromeDriver (Debian packages chromium and
//! chromium-driver; `.ci/run` installs them): it must render its tables and figures with no console
//! message and no network request, and a full-page screenshot is saved for a person to look at
//! (target/tmp/report-screenshot.png).

mod common;

use std::path::{Path, PathBuf};

use serde_json::json;

use common::browser::{self, Browser};
use common::{demo_dir, hlh};

fn write_demo_report(dir: &Path) -> PathBuf {
    let out = dir.join("report.html");
    let output = hlh(&[
        "report",
        demo_dir().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    out
}

#[test]
fn the_report_renders_in_chromium_offline_without_console_errors() {
    if !browser::available("the report's browser test") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let report = write_demo_report(dir.path());
    let browser = Browser::start(&dir.path().join("profile"));
    let page_url = format!("file://{}", report.display());
    browser.go(&page_url);

    // What the reader sees: every table and figure laid out with a size.
    let layout = browser.run(
        "return {
            title: document.title,
            tables: document.querySelectorAll('table').length,
            figures: Array.from(document.querySelectorAll('figure svg')).map(s => { const r = s.getBoundingClientRect(); return [r.width, r.height]; }),
            width: document.documentElement.scrollWidth,
            viewport: window.innerWidth,
        };",
    );
    assert!(layout["title"].as_str().unwrap().contains("SYNTHETIC"));
    assert!(layout["tables"].as_u64().unwrap() >= 4 + 4 * 21, "{layout}");
    let figures = layout["figures"].as_array().unwrap();
    assert_eq!(figures.len(), 7);
    for size in figures {
        assert!(
            size[0].as_f64().unwrap() > 300.0 && size[1].as_f64().unwrap() > 150.0,
            "{layout}"
        );
    }
    assert!(
        layout["width"].as_f64() <= layout["viewport"].as_f64(),
        "no horizontal scrolling: {layout}"
    );

    // No console message of any level (a CSP violation, a parse error, a failed load would be one).
    let console = browser.console();
    assert_eq!(console, json!([]), "console: {console}");
    // No request but the report itself.
    let requests = browser.requests(&page_url);
    assert!(
        !requests.is_empty(),
        "the performance log records the page load"
    );
    assert!(
        requests.iter().all(|url| *url == page_url),
        "requests: {requests:?}"
    );

    browser.screenshot("report-screenshot.png");
}
