//! What `hlh serve` gives, over real HTTP, against what the command line gives for the same study and
//! protocol: the same report, analysis and Word bytes, the protocol edited and downloaded, and the
//! bedside scores of `hlh score`.

#![cfg(feature = "serve")]

mod common;

use std::io::Read as _;

use serde_json::Value;

use common::server::Server;
use common::{demo_dir, hlh, GDL_06_FINDINGS};

fn cli_output(args: &[&str]) -> Vec<u8> {
    let output = hlh(args);
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

#[test]
fn the_downloads_are_the_bytes_the_command_line_writes_before_and_after_a_protocol_edit() {
    let dir = tempfile::tempdir().unwrap();
    let demo = demo_dir();
    let demo = demo.to_str().unwrap();
    let server = Server::start(&[demo]);
    let token = server.form_token();

    for edited in [false, true] {
        if edited {
            let reply = server.post_form(
                "/protocol",
                &format!("form_token={token}&action=analyse&fever.sustained_days=3&fever.threshold_celsius=38.0"),
            );
            assert_eq!(reply.status, 303, "{}", reply.text());
            assert_eq!(reply.header("location"), Some("/report"));
            assert!(server
                .get("/report")
                .text()
                .contains("fever.sustained_days = 3"));
        }
        let protocol = server.get("/download/protocol.toml");
        assert_eq!(protocol.status, 200);
        let protocol_file = dir.path().join(format!("protocol-{edited}.toml"));
        std::fs::write(&protocol_file, &protocol.body).unwrap();
        let protocol_text = protocol.text();
        assert_eq!(
            protocol_text.contains("\nsustained_days = 3\n"),
            edited,
            "{protocol_text}"
        );
        let protocol_arg = protocol_file.to_str().unwrap();

        let html = dir.path().join("report.html");
        cli_output(&[
            "report",
            demo,
            "--protocol",
            protocol_arg,
            "--out",
            html.to_str().unwrap(),
        ]);
        let served = server.get("/download/report.html");
        assert_eq!(served.status, 200);
        assert_eq!(
            served.header("content-disposition"),
            Some("attachment; filename=\"report.html\"")
        );
        assert!(
            served.body == std::fs::read(&html).unwrap(),
            "report.html differs (edited: {edited})"
        );
        assert!(
            server.get("/report/view").body == served.body,
            "the frame shows the same report"
        );

        let docx = dir.path().join("report.docx");
        cli_output(&[
            "report",
            demo,
            "--protocol",
            protocol_arg,
            "--out",
            docx.to_str().unwrap(),
        ]);
        assert!(server.get("/download/report.docx").body == std::fs::read(&docx).unwrap());

        let json = cli_output(&["analyze", demo, "--protocol", protocol_arg, "--json", "-"]);
        let served: Value =
            serde_json::from_slice(&server.get("/download/analysis.json").body).unwrap();
        let expected: Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(served, expected, "analysis.json (edited: {edited})");
        let sustained = &served["protocol"]["fever"]["sustained_days"];
        assert_eq!(sustained.as_i64(), Some(if edited { 3 } else { 2 }));

        // The Markdown, zipped with its figures as `hlh report --out` lays them out.
        let markdown = dir.path().join("report").with_extension("md");
        cli_output(&[
            "report",
            demo,
            "--protocol",
            protocol_arg,
            "--out",
            markdown.to_str().unwrap(),
        ]);
        let zipped = server.get("/download/report-markdown.zip").body;
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zipped)).unwrap();
        let mut names: Vec<String> = archive.file_names().map(String::from).collect();
        names.sort();
        let mut expected_names: Vec<String> = std::fs::read_dir(dir.path().join("report-figures"))
            .unwrap()
            .map(|e| {
                format!(
                    "report-figures/{}",
                    e.unwrap().file_name().to_string_lossy()
                )
            })
            .chain([markdown.file_name().unwrap().to_string_lossy().into_owned()])
            .collect();
        expected_names.sort();
        assert_eq!(names, expected_names);
        for name in &names {
            let mut bytes = Vec::new();
            archive
                .by_name(name)
                .unwrap()
                .read_to_end(&mut bytes)
                .unwrap();
            assert!(
                bytes == std::fs::read(dir.path().join(name)).unwrap(),
                "{name}"
            );
        }
    }
    // Back to the study's protocol.
    let reply = server.post_form("/protocol", &format!("form_token={token}&action=reset"));
    assert_eq!(reply.status, 303);
    assert!(!server
        .get("/download/protocol.toml")
        .text()
        .contains("\nsustained_days = 3\n"));
}

/// The report page's threshold: the frame and every download suppressed as `hlh report --min-cell` and
/// `hlh analyze --json --min-cell` suppress, the summary (every count) not shown; a threshold that is not
/// a number, or absurdly large, refused.
#[test]
fn the_downloads_for_sharing_are_suppressed_as_the_command_line_suppresses() {
    let dir = tempfile::tempdir().unwrap();
    let demo = demo_dir();
    let demo = demo.to_str().unwrap();
    let server = Server::start(&[demo]);

    let page = server.get("/report?min_cell=5").text();
    assert!(page.contains("Counts below 5 are suppressed"), "{page}");
    assert!(!page.contains("19/21"), "the summary is not shown");
    for file in [
        "report.html",
        "report.docx",
        "report-markdown.zip",
        "analysis.json",
    ] {
        assert!(
            page.contains(&format!("href=\"/download/{file}?min_cell=5\"")),
            "{file} is linked with the threshold"
        );
    }
    assert!(page.contains("src=\"/report/view?min_cell=5\""));
    assert!(
        server.get("/report").text().contains("19/21"),
        "the summary, unsuppressed"
    );

    for extension in ["html", "docx"] {
        let out = dir.path().join(format!("shared.{extension}"));
        cli_output(&[
            "report",
            demo,
            "--min-cell",
            "5",
            "--out",
            out.to_str().unwrap(),
        ]);
        let served = server.get(&format!("/download/report.{extension}?min_cell=5"));
        assert_eq!(served.status, 200);
        assert!(
            served.body == std::fs::read(&out).unwrap(),
            "report.{extension}"
        );
        let open = server.get(&format!("/download/report.{extension}"));
        assert!(
            open.body != served.body,
            "report.{extension} is not the open one"
        );
    }
    assert!(
        server.get("/report/view?min_cell=5").body
            == server.get("/download/report.html?min_cell=5").body
    );
    let json = cli_output(&["analyze", demo, "--json", "-", "--min-cell", "5"]);
    let served = server.get("/download/analysis.json?min_cell=5");
    assert!(served.body == json, "analysis.json with --min-cell 5");
    let served: Value = serde_json::from_slice(&served.body).unwrap();
    assert!(served.get("patients").is_none());
    // 0 suppresses nothing, an empty field is no threshold.
    let open = cli_output(&["analyze", demo, "--json", "-"]);
    for query in ["?min_cell=0", "?min_cell=", ""] {
        assert!(
            server.get(&format!("/download/analysis.json{query}")).body == open,
            "{query:?}"
        );
    }
    for query in ["?min_cell=five", "?min_cell=-1", "?min_cell=1001"] {
        assert_eq!(
            server
                .get(&format!("/download/analysis.json{query}"))
                .status,
            400,
            "{query}"
        );
        assert_eq!(
            server.get(&format!("/report{query}")).status,
            400,
            "{query}"
        );
    }
}

#[test]
fn an_invalid_setting_is_shown_with_its_message_and_changes_nothing() {
    let server = Server::start(&[demo_dir().to_str().unwrap()]);
    let token = server.form_token();
    for (setting, value, expected) in [
        ("fever.sustained_days", "many", "fever.sustained_days"),
        ("fever.timing", "sometimes", "fever.timing"),
        ("fever.sustained_days", "3%2C5", "not a value"),
    ] {
        let reply = server.post_form(
            "/protocol",
            &format!("form_token={token}&action=analyse&{setting}={value}"),
        );
        assert_eq!(reply.status, 422, "{setting}={value}");
        let text = reply.text();
        assert!(text.contains("id=\"protocol-problems\""), "{text}");
        assert!(text.contains(expected), "{setting}={value}: {text}");
    }
    let protocol = server.get("/download/protocol.toml").text();
    assert!(protocol.contains("\nsustained_days = 2\n"), "{protocol}");
}

/// The same case as the bedside form sends it.
const GDL_06_FORM: &str = "finding%3Aimmunosuppression=no&finding%3Ahepatomegaly=no&finding%3Asplenomegaly=no\
    &finding%3Abm_hemophagocytosis=no&value%3Atemperature=104&unit%3Atemperature=%5BdegF%5D\
    &value%3Aferritin=7000&unit%3Aferritin=ug%2FL&value%3Atriglycerides=5&unit%3Atriglycerides=mmol%2FL\
    &value%3Afibrinogen=2.5&unit%3Afibrinogen=mg%2FdL&value%3Aast=10&unit%3Aast=U%2FL\
    &value%3Ahemoglobin=8&unit%3Ahemoglobin=g%2FdL&value%3Aleukocytes=7&unit%3Aleukocytes=10*9%2FL\
    &value%3Aplatelets=250&unit%3Aplatelets=10*9%2FL";

/// The text of the element with `id` on a page.
fn by_id(page: &str, id: &str) -> String {
    let start = page
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}"));
    let open = page[start..].find('>').unwrap() + start + 1;
    let close = page[open..].find("</").unwrap() + open;
    page[open..close].to_string()
}

#[test]
fn the_bedside_form_scores_as_hlh_score_does() {
    let dir = tempfile::tempdir().unwrap();
    let findings = dir.path().join("findings.json");
    std::fs::write(&findings, GDL_06_FINDINGS).unwrap();
    let cli: Value = serde_json::from_slice(&cli_output(&[
        "score",
        findings.to_str().unwrap(),
        "--json",
    ]))
    .unwrap();
    assert_eq!(cli["hscore"]["score"], 193);

    let server = Server::start(&[]);
    let token = server.form_token();
    let reply = server.post_form("/score", &format!("form_token={token}&{GDL_06_FORM}"));
    assert_eq!(reply.status, 200, "{}", reply.text());
    let page = reply.text();
    assert_eq!(
        by_id(&page, "hscore-total"),
        cli["hscore"]["score"].to_string()
    );
    assert_eq!(
        by_id(&page, "hscore-probability"),
        cli["hscore"]["probability"]["text"].as_str().unwrap()
    );
    assert_eq!(
        by_id(&page, "hlh2004-diagnosis"),
        cli["hlh2004"]["diagnosis"]
            .as_str()
            .unwrap()
            .replace('_', " ")
    );
    assert!(
        by_id(&page, "ohi").ends_with(&cli["ohi"]["status"].as_str().unwrap().replace('_', " ")),
        "{}",
        by_id(&page, "ohi")
    );
    // The form comes back as it was sent (the values in the page, never in an address).
    assert!(page.contains("name=\"value:ferritin\" size=\"8\" value=\"7000\""));
    assert!(page.contains("<option value=\"[degF]\" selected>°F</option>"));

    // Typed units, as `hlh score --typed-units` reads them.
    let typed: Value = serde_json::from_slice(&cli_output(&[
        "score",
        findings.to_str().unwrap(),
        "--json",
        "--typed-units",
    ]))
    .unwrap();
    let page = server
        .post_form(
            "/score",
            &format!("form_token={token}&{GDL_06_FORM}&typed_units=on"),
        )
        .text();
    assert_eq!(
        by_id(&page, "hscore-total"),
        typed["hscore"]["score"].to_string()
    );

    // Nothing filled: every score unknown, with its range.
    let page = server
        .post_form("/score", &format!("form_token={token}"))
        .text();
    assert_eq!(by_id(&page, "hscore-total"), "0");
    assert!(
        page.contains("range 0–337"),
        "the range over every unknown item"
    );

    // A problem is named, as `hlh score` names it, and nothing is scored.
    let reply = server.post_form(
        "/score",
        &format!("form_token={token}&value%3Aferritin=3%2C5&value%3Acrp=-4&unit%3Acrp=mg%2FL"),
    );
    assert_eq!(reply.status, 422);
    let page = reply.text();
    assert!(page.contains("id=\"score-problems\""), "{page}");
    assert!(
        page.contains("Ferritin: &quot;3,5&quot; is not a number (write a decimal point: 3.5)"),
        "{page}"
    );
    assert!(!page.contains("id=\"hscore-total\""), "nothing is scored");
    // A value the form reads but FINDINGS.json refuses is named with `hlh score`'s own message.
    let reply = server.post_form(
        "/score",
        &format!("form_token={token}&value%3Acrp=-4&unit%3Acrp=mg%2FL"),
    );
    assert_eq!(reply.status, 422);
    std::fs::write(&findings, r#"{"crp": {"value": -4, "unit": "mg/L"}}"#).unwrap();
    let output = hlh(&["score", findings.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let message = String::from_utf8_lossy(&output.stderr);
    let message = message.trim().trim_start_matches("error: ").replacen(
        findings.to_str().unwrap(),
        "the form",
        1,
    );
    assert!(
        reply.text().contains(&message.replace('"', "&quot;")),
        "{message} in {}",
        reply.text()
    );
}

#[test]
fn an_uploaded_workbook_or_redcap_export_is_read_as_the_command_line_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let workbook = dir.path().join("study.xlsx");
    let demo = demo_dir();
    cli_output(&[
        "convert",
        demo.to_str().unwrap(),
        "--out",
        workbook.to_str().unwrap(),
    ]);
    let server = Server::start(&[]);
    let token = server.form_token();
    let bytes = std::fs::read(&workbook).unwrap();
    let reply = server.upload(&[
        ("form_token", None, token.as_bytes()),
        ("kind", None, b"workbook"),
        ("file", Some("C:\\Users\\me\\demo study.xlsx"), &bytes),
    ]);
    assert_eq!(reply.status, 303, "{}", reply.text());
    let problems = server.get("/problems").text();
    assert!(problems.contains("0 errors, 0 warnings"), "{problems}");
    assert!(
        problems.contains("Open study: <b>demo study.xlsx</b>"),
        "the name without its folder"
    );
    let json = cli_output(&["analyze", workbook.to_str().unwrap(), "--json", "-"]);
    let served: Value =
        serde_json::from_slice(&server.get("/download/analysis.json").body).unwrap();
    let expected: Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(served["n_patients"], 21);
    assert_eq!(served, expected);

    // A REDCap project not made from the template: `hlh redcap import`'s message, on the problems page.
    let fixture = |name: &str| {
        std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../hlh-redcap/tests/fixtures/redcapr-dag")
                .join(name),
        )
        .unwrap()
    };
    let (dictionary, records) = (fixture("dictionary.csv"), fixture("data.csv"));
    let reply = server.upload(&[
        ("form_token", None, token.as_bytes()),
        ("kind", None, b"redcap"),
        ("dictionary", Some("dictionary.csv"), &dictionary),
        ("records", Some("data.csv"), &records),
        ("missing_codes", None, b"UNK, -999"),
    ]);
    assert_eq!(reply.status, 303, "{}", reply.text());
    let problems = server.get("/problems").text();
    assert!(problems.contains("1 error"), "{problems}");
    assert!(
        problems.contains("the project was not made from hlh&#39;s template"),
        "{problems}"
    );
    // Only a dictionary: the records are asked for.
    let reply = server.upload(&[
        ("form_token", None, token.as_bytes()),
        ("kind", None, b"redcap"),
        ("dictionary", Some("dictionary.csv"), &dictionary),
    ]);
    assert_eq!(reply.status, 400);
    assert!(
        reply.text().contains("Choose the file to upload (records)"),
        "{}",
        reply.text()
    );
}
