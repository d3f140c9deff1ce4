//! A real `hlh serve` process on loopback, and a plain HTTP/1.1 client that sends exactly the bytes a
//! test gives it (a wrong Host, a cross-origin POST, a malformed body).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// `hlh serve` started by a test; killed however the test ends.
pub struct Server {
    child: Child,
    pub port: u16,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// The printed address, with the start token.
    pub url: String,
    pub token: String,
    pub private_folder: PathBuf,
    /// What it wrote to standard error before it listened (a warning).
    pub startup_messages: String,
    /// What it wrote to standard error after its first line.
    stderr: Option<BufReader<std::process::ChildStderr>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// `hlh serve ARGS --port 0`, once it has printed its address.
    pub fn start(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hlh"))
            .arg("serve")
            .args(args)
            .args(["--port", "0"])
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("hlh serve starts");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let url = line
            .split_whitespace()
            .find(|word| word.starts_with("http://"))
            .unwrap_or_else(|| {
                let mut rest = String::new();
                let _ = stderr.read_to_string(&mut rest);
                panic!("no address printed: {line:?} {rest}")
            })
            .to_string();
        let mut startup_messages = String::new();
        let private_folder = loop {
            let mut message = String::new();
            assert!(
                stderr.read_line(&mut message).unwrap() > 0,
                "no private folder printed: {startup_messages}"
            );
            if let Some(folder) = message
                .strip_prefix("Uploads go to ")
                .and_then(|rest| rest.split(" (only you").next())
            {
                break PathBuf::from(folder);
            }
            startup_messages.push_str(&message);
        };
        let (base, token) = url.split_once("/?token=").expect("a token in the address");
        let port = base.rsplit(':').next().unwrap().parse().unwrap();
        Server {
            child,
            port,
            base: base.to_string(),
            url: url.clone(),
            token: token.to_string(),
            private_folder,
            startup_messages,
            stderr: Some(stderr),
        }
    }

    /// The cookie a browser holds after opening the printed address.
    pub fn cookie(&self) -> String {
        format!("hlh_token={}", self.token)
    }

    /// The `Host` and `Cookie` of a legitimate request.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// A GET as a browser holding the cookie sends it.
    pub fn get(&self, path: &str) -> Reply {
        request(
            self.port,
            &format!(
                "GET {path} HTTP/1.1\r\nHost: {}\r\nCookie: {}\r\nConnection: close\r\n\r\n",
                self.host(),
                self.cookie()
            ),
            b"",
        )
    }

    /// A form POST from the server's own page.
    pub fn post_form(&self, path: &str, body: &str) -> Reply {
        request(
            self.port,
            &format!(
                "POST {path} HTTP/1.1\r\nHost: {host}\r\nCookie: {}\r\nOrigin: http://{host}\r\n\
                 Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                self.cookie(),
                body.len(),
                host = self.host(),
            ),
            body.as_bytes(),
        )
    }

    /// A multipart POST of `body` (made by [`multipart`] with `boundary`) from the server's own page.
    pub fn post_multipart(&self, boundary: &str, body: &[u8]) -> Reply {
        request(
            self.port,
            &format!(
                "POST /upload HTTP/1.1\r\nHost: {host}\r\nCookie: {}\r\nOrigin: http://{host}\r\n\
                 Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                self.cookie(),
                body.len(),
                host = self.host()
            ),
            body,
        )
    }

    /// An upload of (field name, file name, bytes) parts, as a browser sends the form.
    pub fn upload(&self, parts: &[(&str, Option<&str>, &[u8])]) -> Reply {
        let boundary = "hlhTestBoundary7d1";
        self.post_multipart(boundary, &multipart(boundary, parts))
    }

    /// The form token of a page's forms.
    pub fn form_token(&self) -> String {
        let home = self.get("/").text();
        let start = home
            .find("name=\"form_token\" value=\"")
            .expect("a form token")
            + 25;
        home[start..start + 64].to_string()
    }

    /// SIGTERM, as a service manager stops it; waits (bounded) for it to end.
    pub fn stop(&mut self) -> (ExitStatus, String) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                let mut rest = String::new();
                if let Some(mut stderr) = self.stderr.take() {
                    let _ = stderr.read_to_string(&mut rest);
                }
                return (status, rest);
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "hlh serve did not stop on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// An HTTP response.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `head` and `body` as they are, and reads the whole response (the request says
/// `Connection: close`).
pub fn request(port: u16, head: &str, body: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("the server answers");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    // The server may refuse before the whole body is sent (a declared length over the limit).
    let _ = stream.write_all(body);
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    parse(&raw)
}

fn parse(raw: &[u8]) -> Reply {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no response head: {:?}", String::from_utf8_lossy(raw)));
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse().ok())
        .expect("a status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_string(), value.trim().to_string()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    let chunked = headers.iter().any(|(name, value)| {
        name.eq_ignore_ascii_case("transfer-encoding") && value.eq_ignore_ascii_case("chunked")
    });
    if chunked {
        body = dechunk(&body);
    }
    Reply {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = data.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(
            String::from_utf8_lossy(&data[..line_end])
                .split(';')
                .next()
                .unwrap()
                .trim(),
            16,
        )
        .unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = line_end + 2;
        out.extend_from_slice(&data[start..(start + size).min(data.len())]);
        data = &data[(start + size + 2).min(data.len())..];
    }
    out
}

/// A multipart body of `fields` (name, file name, bytes).
pub fn multipart(boundary: &str, fields: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, file_name, bytes) in fields {
        let file = file_name.map_or(String::new(), |f| format!("; filename=\"{f}\""));
        write!(
            body,
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"{file}\r\n\r\n"
        )
        .unwrap();
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    write!(body, "--{boundary}--\r\n").unwrap();
    body
}
