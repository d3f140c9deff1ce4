//! Headless Chromium through ChromeDriver (Debian packages chromium and chromium-driver; `.ci/run`
//! installs them), spoken to in WebDriver's JSON over HTTP.

use std::io::Read;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{json, Value};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Whether the browser is here; without it a newcomer's test skips with a message, but CI (which
/// installs it) must run the test.
pub fn available(test: &str) -> bool {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI is set but Chromium or ChromeDriver is missing: apt-get install chromium chromium-driver (.ci/run does)"
    );
    eprintln!(
        "skipped {test}: it needs Chromium and ChromeDriver ({CHROMIUM}, {CHROMEDRIVER}); on Debian or Ubuntu: apt-get install chromium chromium-driver"
    );
    false
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One WebDriver call; a failure names the call and what the driver said.
pub fn call(method: &str, url: &str, body: Option<Value>) -> Value {
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

/// A browser session; ChromeDriver (and with it the browser) is stopped however the test ends.
pub struct Browser {
    driver: Child,
    /// The session's base URL at ChromeDriver.
    pub session: String,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = ureq::delete(&self.session).call();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Browser {
    /// Starts ChromeDriver and a headless Chromium with a fresh profile in `profile`, logging the
    /// console and the network.
    pub fn start(profile: &Path) -> Browser {
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while ureq::get(&format!("{base}/status")).call().is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let mut browser = Browser {
            driver,
            session: String::new(),
        };
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
        browser.session = format!("{base}/session/{id}");
        browser
    }

    pub fn go(&self, url: &str) {
        call(
            "POST",
            &format!("{}/url", self.session),
            Some(json!({"url": url})),
        );
    }

    /// Runs `script` (a function body) in the page and gives its return value.
    pub fn run(&self, script: &str) -> Value {
        call(
            "POST",
            &format!("{}/execute/sync", self.session),
            Some(json!({"script": script, "args": []})),
        )["value"]
            .clone()
    }

    /// The element that `css` selects (the first).
    pub fn element(&self, css: &str) -> String {
        let found = call(
            "POST",
            &format!("{}/element", self.session),
            Some(json!({"using": "css selector", "value": css})),
        );
        found["value"]
            .as_object()
            .and_then(|object| object.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {css}: {found}"))
            .to_string()
    }

    /// Types `text` into the element `css` selects (for a file input: the path of the file to upload).
    pub fn type_into(&self, css: &str, text: &str) {
        let element = self.element(css);
        call(
            "POST",
            &format!("{}/element/{element}/clear", self.session),
            Some(json!({})),
        );
        call(
            "POST",
            &format!("{}/element/{element}/value", self.session),
            Some(json!({"text": text})),
        );
    }

    /// Types into a file input (which cannot be cleared).
    pub fn choose_file(&self, css: &str, path: &Path) {
        let element = self.element(css);
        call(
            "POST",
            &format!("{}/element/{element}/value", self.session),
            Some(json!({"text": path.display().to_string()})),
        );
    }

    /// Clicks a form's button and waits (bounded) until the page it sends to has loaded: WebDriver's
    /// click does not always wait for the navigation it starts.
    pub fn submit(&self, css: &str) {
        self.run("window.__hlh_before_submit = true; return null;");
        self.click(css);
        let started = Instant::now();
        while self.run(
            "return window.__hlh_before_submit === true || document.readyState !== 'complete';",
        ) != json!(false)
        {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the form sent by {css} did not load a page"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn click(&self, css: &str) {
        let element = self.element(css);
        call(
            "POST",
            &format!("{}/element/{element}/click", self.session),
            Some(json!({})),
        );
    }

    /// Into the `index`th frame of the page, or back to the page with `None`.
    pub fn frame(&self, index: Option<u64>) {
        let id = index.map_or(Value::Null, |index| json!(index));
        call(
            "POST",
            &format!("{}/frame", self.session),
            Some(json!({"id": id})),
        );
    }

    /// The console messages since the last call.
    pub fn console(&self) -> Value {
        call(
            "POST",
            &format!("{}/se/log", self.session),
            Some(json!({"type": "browser"})),
        )["value"]
            .clone()
    }

    /// The URL of every request sent since the last call by a page whose address starts with
    /// `documents` (the browser's own pages, its new-tab page, are not the test's).
    pub fn requests(&self, documents: &str) -> Vec<String> {
        let performance = call(
            "POST",
            &format!("{}/se/log", self.session),
            Some(json!({"type": "performance"})),
        );
        performance["value"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|entry| serde_json::from_str::<Value>(entry["message"].as_str()?).ok())
            .filter(|m| m["message"]["method"] == "Network.requestWillBeSent")
            .filter(|m| {
                m["message"]["params"]["documentURL"]
                    .as_str()
                    .is_some_and(|document| document.starts_with(documents))
            })
            .filter_map(|m| {
                m["message"]["params"]["request"]["url"]
                    .as_str()
                    .map(String::from)
            })
            .collect()
    }

    /// A full-page screenshot, saved as `name` under the test's target folder.
    pub fn screenshot(&self, name: &str) {
        let height = self
            .run("return document.documentElement.scrollHeight;")
            .as_u64()
            .unwrap_or(1400)
            .clamp(600, 100_000);
        call(
            "POST",
            &format!("{}/window/rect", self.session),
            Some(json!({"width": 1100, "height": height})),
        );
        let screenshot = call("GET", &format!("{}/screenshot", self.session), None);
        let png = base64::engine::general_purpose::STANDARD
            .decode(screenshot["value"].as_str().unwrap())
            .unwrap();
        assert!(png.starts_with(b"\x89PNG"));
        let saved = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
        std::fs::write(&saved, &png).unwrap();
        eprintln!("screenshot saved to {}", saved.display());
    }
}
