//! The demo report opened in headless Chromium through ChromeDriver (Debian packages chromium and
//! chromium-driver; `.ci/run` installs them): it must render its tables and figures with no console
//! message and no network request, and a full-page screenshot is saved for a person to look at
//! (target/tmp/report-screenshot.png).

mod common;

use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{json, Value};

use common::{demo_dir, hlh};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Kills ChromeDriver (and with it the browser) however the test ends.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn call(method: &str, url: &str, body: Option<Value>) -> Value {
    let request = ureq::request(method, url).timeout(Duration::from_secs(60));
    let response = match body {
        Some(body) => request.send_json(body),
        None => request.call(),
    };
    let response = match response {
        Ok(r) => r,
        Err(ureq::Error::Status(code, r)) => panic!(
            "{method} {url}: {code} {}",
            r.into_string().unwrap_or_default()
        ),
        Err(e) => panic!("{method} {url}: {e}"),
    };
    let mut text = String::new();
    response.into_reader().read_to_string(&mut text).unwrap();
    serde_json::from_str(&text).unwrap()
}

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
    if !(Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists()) {
        // A newcomer's `cargo test` passes without a browser; CI (which installs it) must run the test.
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but Chromium or ChromeDriver is missing: apt-get install chromium chromium-driver (.ci/run does)"
        );
        eprintln!(
            "skipped: this test needs Chromium and ChromeDriver ({CHROMIUM}, {CHROMEDRIVER}); on Debian or Ubuntu: apt-get install chromium chromium-driver"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let report = write_demo_report(dir.path());
    let port = free_port();
    let _driver = Driver(
        Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let base = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    while ureq::get(&format!("{base}/status")).call().is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "chromedriver did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let profile = dir.path().join("profile");
    let session = call(
        "POST",
        &format!("{base}/session"),
        Some(json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--hide-scrollbars", "--window-size=1100,1400",
                    format!("--user-data-dir={}", profile.display()),
                ],
            },
            "goog:loggingPrefs": {"browser": "ALL", "performance": "ALL"},
        }}})),
    );
    let id = session["value"]["sessionId"]
        .as_str()
        .expect("a session")
        .to_string();
    let session_url = format!("{base}/session/{id}");
    let page_url = format!("file://{}", report.display());
    call(
        "POST",
        &format!("{session_url}/url"),
        Some(json!({"url": page_url})),
    );

    // What the reader sees: every table and figure laid out with a size.
    let layout = call(
        "POST",
        &format!("{session_url}/execute/sync"),
        Some(json!({"script": "return {
            title: document.title,
            tables: document.querySelectorAll('table').length,
            figures: Array.from(document.querySelectorAll('figure svg')).map(s => { const r = s.getBoundingClientRect(); return [r.width, r.height]; }),
            height: document.documentElement.scrollHeight,
            width: document.documentElement.scrollWidth,
            viewport: window.innerWidth,
        };", "args": []})),
    )["value"]
        .clone();
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
    let console = call(
        "POST",
        &format!("{session_url}/se/log"),
        Some(json!({"type": "browser"})),
    );
    assert_eq!(console["value"], json!([]), "console: {console}");
    // No request made by the report's document but the report itself.
    let performance = call(
        "POST",
        &format!("{session_url}/se/log"),
        Some(json!({"type": "performance"})),
    );
    let requests: Vec<String> = performance["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|entry| serde_json::from_str::<Value>(entry["message"].as_str()?).ok())
        .filter(|m| m["message"]["method"] == "Network.requestWillBeSent")
        .filter(|m| m["message"]["params"]["documentURL"] == page_url.as_str())
        .filter_map(|m| {
            m["message"]["params"]["request"]["url"]
                .as_str()
                .map(String::from)
        })
        .collect();
    assert!(
        !requests.is_empty(),
        "the performance log records the page load"
    );
    assert!(
        requests.iter().all(|url| *url == page_url),
        "requests: {requests:?}"
    );

    // A full-page screenshot for a person to look at.
    let height = layout["height"].as_u64().unwrap().min(100_000);
    call(
        "POST",
        &format!("{session_url}/window/rect"),
        Some(json!({"width": 1100, "height": height})),
    );
    let screenshot = call("GET", &format!("{session_url}/screenshot"), None);
    let png = base64::engine::general_purpose::STANDARD
        .decode(screenshot["value"].as_str().unwrap())
        .unwrap();
    assert!(png.starts_with(b"\x89PNG"));
    let saved = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-screenshot.png");
    std::fs::write(&saved, &png).unwrap();
    eprintln!("screenshot saved to {}", saved.display());
    call("DELETE", &session_url, None);
}
