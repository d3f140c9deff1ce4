//! `hlh serve` attacked over real HTTP on loopback (docs/serve.md, "Security"): every refusal has its
//! status, nothing is read or written outside the study and the private folder, and the server goes on
//! answering afterwards.

#![cfg(feature = "serve")]

mod common;

use std::io::Write as _;
use std::path::Path;

use common::demo_dir;
use common::server::{request, Reply, Server};

/// What every response carries, a refusal included.
fn assert_locked_down(reply: &Reply) {
    let policy = reply.header("content-security-policy").unwrap_or_default();
    assert!(policy.contains("default-src 'none'"), "{:?}", reply.headers);
    assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(reply.header("cache-control"), Some("no-store"));
}

fn assert_still_answers(server: &Server) {
    let reply = server.get("/problems");
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(reply.text().contains("<h1>Problems</h1>"));
}

/// The form of the path field, as the browser encodes it.
fn encoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut archive = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for (name, bytes) in entries {
        archive.start_file(*name, options).unwrap();
        archive.write_all(bytes).unwrap();
    }
    archive.finish().unwrap().into_inner()
}

/// Every file under `dir` with its size and modification time, to see that nothing changed.
fn listing(dir: &Path) -> Vec<(String, u64, std::time::SystemTime)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            let metadata = entry.metadata().unwrap();
            (
                entry.file_name().to_string_lossy().into_owned(),
                metadata.len(),
                metadata.modified().unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn a_wrong_host_no_token_or_a_wrong_token_is_refused() {
    let server = Server::start(&[demo_dir().to_str().unwrap()]);
    // DNS rebinding: a name that resolves here but is not the server's.
    for host in [
        "evil.example",
        "evil.example:80",
        &format!("127.0.0.1:{}", server.port + 1),
    ] {
        let reply = request(
            server.port,
            &format!(
                "GET / HTTP/1.1\r\nHost: {host}\r\nCookie: {}\r\nConnection: close\r\n\r\n",
                server.cookie()
            ),
            b"",
        );
        assert_eq!(reply.status, 400, "Host {host}");
        assert_locked_down(&reply);
        assert!(!reply.text().contains("problem-count"));
    }
    let no_host = request(server.port, "GET / HTTP/1.0\r\n\r\n", b"");
    assert_eq!(no_host.status, 400);

    // No token, a wrong one, a wrong cookie.
    let host = server.host();
    for head in [
        format!("GET /problems HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
        format!("GET /?token=00{} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n", &server.token[2..]),
        format!("GET /problems HTTP/1.1\r\nHost: {host}\r\nCookie: hlh_token=wrong\r\nConnection: close\r\n\r\n"),
        format!("GET /download/analysis.json HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
    ] {
        let reply = request(server.port, &head, b"");
        assert_eq!(reply.status, 403, "{head}");
        assert_locked_down(&reply);
        assert!(reply.header("set-cookie").is_none());
    }

    // The printed address sets the cookie and takes the token out of the address bar.
    let reply = request(
        server.port,
        &format!(
            "GET /?token={} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n",
            server.token
        ),
        b"",
    );
    assert_eq!(reply.status, 303);
    assert_eq!(reply.header("location"), Some("/"));
    let cookie = reply.header("set-cookie").unwrap();
    assert!(cookie.starts_with(&server.cookie()), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    // localhost names the same server.
    let reply = request(
        server.port,
        &format!(
            "GET /problems HTTP/1.1\r\nHost: localhost:{}\r\nCookie: {}\r\nConnection: close\r\n\r\n",
            server.port,
            server.cookie()
        ),
        b"",
    );
    assert_eq!(reply.status, 200);
    assert_still_answers(&server);
}

#[test]
fn a_post_needs_the_servers_origin_and_its_form_token() {
    let server = Server::start(&[]);
    let token = server.form_token();
    let body = format!(
        "form_token={token}&path={}",
        encoded(demo_dir().to_str().unwrap())
    );
    let host = server.host();
    let post = |origin: Option<&str>, body: &str| {
        let origin = origin.map_or(String::new(), |o| format!("Origin: {o}\r\n"));
        request(
            server.port,
            &format!(
                "POST /open HTTP/1.1\r\nHost: {host}\r\nCookie: {}\r\n{origin}Content-Type: application/x-www-form-urlencoded\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n",
                server.cookie(),
                body.len()
            ),
            body.as_bytes(),
        )
    };
    for origin in [
        Some("http://evil.example"),
        Some("null"),
        None,
        Some(&format!("https://{host}")),
    ] {
        let reply = post(origin, &body);
        assert_eq!(reply.status, 403, "Origin {origin:?}");
        assert_locked_down(&reply);
    }
    let no_study = server.get("/problems").text();
    assert!(
        no_study.contains("No study is open"),
        "nothing was opened by a refused POST"
    );
    let origin = format!("http://{host}");
    let without_form_token = format!("path={}", encoded(demo_dir().to_str().unwrap()));
    assert_eq!(post(Some(&origin), &without_form_token).status, 403);
    let wrong_form_token = format!("form_token={}&path=x", "0".repeat(64));
    assert_eq!(post(Some(&origin), &wrong_form_token).status, 403);
    // The same request from the server's own page opens the study.
    let reply = post(Some(&origin), &body);
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(reply.header("location"), Some("/problems"));
    assert!(server
        .get("/problems")
        .text()
        .contains("0 errors, 0 warnings"));
    // The bedside form too.
    let reply = server.post_form("/score", "value%3Aferritin=8500");
    assert_eq!(reply.status, 403, "no form token");
}

#[test]
fn path_traversal_in_every_parameter_reads_nothing() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("patients.csv");
    std::fs::write(&secret, "SECRET-OUTSIDE\n").unwrap();
    let study = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(demo_dir()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), study.path().join(entry.file_name())).unwrap();
    }
    let before = listing(study.path());
    let server = Server::start(&[study.path().to_str().unwrap()]);
    let relative = format!("../../../../../../..{}", secret.display());
    for path in [
        "/download/../../../../etc/passwd".to_string(),
        "/download/..%2F..%2F..%2Fetc%2Fpasswd".to_string(),
        format!("/download/{}", encoded(&relative)),
        "/download/report.html%00.txt".to_string(),
        "/app.css/../../../etc/passwd".to_string(),
        "/report/view/../../etc/passwd".to_string(),
        "/%2e%2e/%2e%2e/etc/passwd".to_string(),
    ] {
        let reply = server.get(&path);
        assert!(
            reply.status == 404 || reply.status == 400,
            "{path}: {}",
            reply.status
        );
        assert!(
            !reply.text().contains("root:") && !reply.text().contains("SECRET"),
            "{path}"
        );
    }
    for query in [
        format!("file={}", encoded(&relative)),
        "file=..%2F..%2Fetc%2Fpasswd".to_string(),
        "severity=..%2F..%2Fetc%2Fpasswd".to_string(),
    ] {
        let reply = server.get(&format!("/problems?{query}"));
        assert_eq!(reply.status, 400, "{query}");
        assert!(!reply.text().contains("SECRET"), "{query}");
    }
    let token = server.form_token();
    // A path that is not a study is refused; the server reads no file of it.
    for path in [
        "/etc/passwd",
        "/etc",
        "/proc/self/environ",
        &format!("{}/../../../etc", study.path().display()),
    ] {
        let reply = server.post_form(
            "/open",
            &format!("form_token={token}&path={}", encoded(path)),
        );
        assert_eq!(reply.status, 400, "{path}: {}", reply.text());
        assert!(!reply.text().contains("root:"), "{path}");
    }
    // An archive entry that climbs out, or is absolute, refuses the whole archive.
    let boundary = "XbOuNdArYx";
    for entry in [
        "../patients.csv",
        "study/../../patients.csv",
        "/tmp/patients.csv",
        "..\\patients.csv",
    ] {
        let archive = zip_of(&[(entry, b"patient_id\nP1\n".as_slice())]);
        let body = common::server::multipart(
            boundary,
            &[
                ("form_token", None, token.as_bytes()),
                ("kind", None, b"archive"),
                ("file", Some("study.zip"), &archive),
            ],
        );
        let reply = server.post_multipart(boundary, &body);
        assert_eq!(reply.status, 400, "{entry}: {}", reply.text());
        assert_locked_down(&reply);
    }
    // An uploaded workbook's own name is never a path.
    let body = common::server::multipart(
        boundary,
        &[
            ("form_token", None, token.as_bytes()),
            ("kind", None, b"workbook"),
            (
                "file",
                Some("../../../../../tmp/hlh-escaped.xlsx"),
                b"not really a workbook",
            ),
        ],
    );
    let reply = server.post_multipart(boundary, &body);
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert!(!Path::new("/tmp/hlh-escaped.xlsx").exists());
    let parent = server.private_folder.parent().unwrap();
    assert!(!parent.join("hlh-escaped.xlsx").exists());
    // The study folder is never written to.
    assert_eq!(listing(study.path()), before);
    assert_still_answers(&server);
}

#[test]
fn oversized_uploads_zip_bombs_and_malformed_bodies_are_refused() {
    let server = Server::start(&[]);
    let token = server.form_token();
    let host = server.host();
    let boundary = "XbOuNdArYx";
    // Declared too large: refused before the body is read.
    let declared = request(
        server.port,
        &format!(
            "POST /upload HTTP/1.1\r\nHost: {host}\r\nCookie: {}\r\nOrigin: http://{host}\r\n\
             Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            server.cookie(),
            200 * 1024 * 1024
        ),
        b"--XbOuNdArYx\r\n",
    );
    assert_eq!(declared.status, 413);
    assert_locked_down(&declared);
    // Sent too large, in chunks with no declared length.
    let big = vec![b'a'; hlh_server::MAX_UPLOAD_BYTES + 1024];
    let body = common::server::multipart(
        boundary,
        &[
            ("form_token", None, token.as_bytes()),
            ("kind", None, b"workbook"),
            ("file", Some("big.xlsx"), &big),
        ],
    );
    let mut chunked = Vec::new();
    for chunk in body.chunks(1 << 20) {
        write!(chunked, "{:x}\r\n", chunk.len()).unwrap();
        chunked.extend_from_slice(chunk);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let streamed = request(
        server.port,
        &format!(
            "POST /upload HTTP/1.1\r\nHost: {host}\r\nCookie: {}\r\nOrigin: http://{host}\r\n\
             Content-Type: multipart/form-data; boundary={boundary}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
            server.cookie(),
        ),
        &chunked,
    );
    assert_eq!(streamed.status, 413, "{}", streamed.text());

    // A zip bomb: one small entry that unpacks beyond the limit (counted while unpacking).
    let bomb = zip_of(&[(
        "patients.csv",
        &vec![b'0'; (hlh_server::MAX_UNPACKED_BYTES as usize) + 1],
    )]);
    assert!(bomb.len() < 4 * 1024 * 1024, "{}", bomb.len());
    let body = common::server::multipart(
        boundary,
        &[
            ("form_token", None, token.as_bytes()),
            ("kind", None, b"archive"),
            ("file", Some("bomb.zip"), &bomb),
        ],
    );
    let reply = server.post_multipart(boundary, &body);
    assert_eq!(reply.status, 413, "{}", reply.text());
    assert!(
        reply.text().contains("unpacks to more than"),
        "{}",
        reply.text()
    );

    // Malformed multipart bodies.
    for (content_type, body) in [
        (
            format!("multipart/form-data; boundary={boundary}"),
            b"garbage without any boundary".to_vec(),
        ),
        (
            format!("multipart/form-data; boundary={boundary}"),
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nwork")
                .into_bytes(),
        ),
        ("multipart/form-data".to_string(), b"--x\r\n\r\n".to_vec()),
        ("text/plain".to_string(), b"kind=archive".to_vec()),
    ] {
        let reply = request(
            server.port,
            &format!(
                "POST /upload HTTP/1.1\r\nHost: {host}\r\nCookie: {}\r\nOrigin: http://{host}\r\n\
                 Content-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                server.cookie(),
                body.len()
            ),
            &body,
        );
        assert!(
            reply.status == 400 || reply.status == 415,
            "{content_type} {:?}: {}",
            String::from_utf8_lossy(&body),
            reply.status
        );
    }
    // A zip that is not one, and one without a study.
    for (archive, expected) in [
        (b"PK\x03\x04 not a zip".to_vec(), "not a zip archive"),
        (zip_of(&[("notes.txt", b"x".as_slice())]), "no patients.csv"),
    ] {
        let body = common::server::multipart(
            boundary,
            &[
                ("form_token", None, token.as_bytes()),
                ("kind", None, b"archive"),
                ("file", Some("s.zip"), &archive),
            ],
        );
        let reply = server.post_multipart(boundary, &body);
        assert_eq!(reply.status, 400);
        assert!(reply.text().contains(expected), "{}", reply.text());
    }
    assert_still_answers(&server);
}

#[test]
fn two_hundred_requests_from_twenty_clients_are_all_answered_and_the_private_folder_goes_at_exit() {
    let mut server = Server::start(&[demo_dir().to_str().unwrap()]);
    let token = server.form_token();
    let pages = [
        "/",
        "/problems",
        "/protocol",
        "/report",
        "/score",
        "/app.css",
    ];
    let answered = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for client in 0..20 {
            let (server, answered, token) = (&server, &answered, &token);
            scope.spawn(move || {
                for request in 0..10 {
                    if (client + request) % 5 == 0 {
                        let reply = server.post_form(
                            "/score",
                            &format!(
                                "form_token={token}&value%3Aferritin=8500&unit%3Aferritin=ug%2FL"
                            ),
                        );
                        assert_eq!(reply.status, 200);
                        assert!(reply.text().contains("id=\"hscore-total\""));
                    } else {
                        let page = pages[(client * 10 + request) % pages.len()];
                        let reply = server.get(page);
                        assert_eq!(reply.status, 200, "{page}");
                        assert!(!reply.body.is_empty(), "{page}");
                    }
                    answered.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            });
        }
    });
    assert_eq!(answered.into_inner(), 200);
    let private = server.private_folder.clone();
    assert!(private.is_dir());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&private).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "the private folder is this user's only");
    }
    let (status, stderr) = server.stop();
    assert!(status.success(), "{status:?} {stderr}");
    assert!(!private.exists(), "the private folder is removed at exit");
}

#[test]
fn another_address_than_loopback_is_used_only_when_named_and_with_a_warning() {
    let output = common::hlh(&["serve", "--help"]);
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(help.contains("[default: 127.0.0.1]"), "{help}");
    let mut server = Server::start(&["--bind", "0.0.0.0"]);
    assert!(
        server
            .startup_messages
            .contains("warning: listening on 0.0.0.0"),
        "{}",
        server.startup_messages
    );
    assert!(
        server.url.starts_with("http://127.0.0.1:"),
        "{}",
        server.url
    );
    server.stop();
    let server = Server::start(&[]);
    assert!(
        server.startup_messages.is_empty(),
        "{}",
        server.startup_messages
    );
}
