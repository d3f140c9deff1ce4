//! `hlh pool` as a coordinating centre runs it: the demo study split by centre and pooled again, clashing
//! identifiers, a patient sent twice, a centre not named, protocols that disagree.

mod common;

use std::path::{Path, PathBuf};

use serde_json::Value;

use common::{demo_dir, hlh};

/// The demo's rows of one centre, as that centre's own study (its study.toml naming it alone).
fn centre_half(dir: &Path, centre: &str, folder: &str, title: Option<&str>) -> PathBuf {
    let out = dir.join(folder);
    std::fs::create_dir_all(&out).unwrap();
    let patients = std::fs::read_to_string(demo_dir().join("patients.csv")).unwrap();
    let ids: Vec<String> = patients
        .lines()
        .skip(1)
        .filter(|line| line.split(',').nth(1) == Some(centre))
        .map(|line| line.split(',').next().unwrap().to_string())
        .collect();
    for file in [
        "patients.csv",
        "observations.csv",
        "treatments.csv",
        "events.csv",
    ] {
        let text = std::fs::read_to_string(demo_dir().join(file)).unwrap();
        let mut lines = text.lines();
        let mut kept = vec![lines.next().unwrap().to_string()];
        kept.extend(
            lines
                .filter(|line| ids.iter().any(|id| line.split(',').next() == Some(id)))
                .map(String::from),
        );
        std::fs::write(out.join(file), kept.join("\n") + "\n").unwrap();
    }
    let toml = std::fs::read_to_string(demo_dir().join("study.toml")).unwrap();
    let toml = toml.replace(
        "centres = [\"Synthetic centre A\", \"Synthetic centre B\"]",
        &format!("centres = [\"{centre}\"]"),
    );
    let toml = match title {
        Some(title) => toml.replacen(
            toml.lines().next().unwrap(),
            &format!("title = \"{title}\""),
            1,
        ),
        None => toml,
    };
    std::fs::write(out.join("study.toml"), toml).unwrap();
    out
}

fn pool(studies: &[&Path], out: &Path) -> std::process::Output {
    let mut args = vec!["pool".to_string()];
    args.extend(studies.iter().map(|s| s.display().to_string()));
    args.extend(["--out".to_string(), out.display().to_string()]);
    hlh(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

fn analysis(study: &Path) -> Value {
    let output = hlh(&["analyze", study.to_str().unwrap(), "--json", "-"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn two_centres_halves_pool_into_the_demo_study() {
    let dir = tempfile::tempdir().unwrap();
    let a = centre_half(
        dir.path(),
        "Synthetic centre A",
        "a",
        Some("Centre A's extract"),
    );
    let b = centre_half(dir.path(), "Synthetic centre B", "b", None);
    let pooled = dir.path().join("pooled");
    let output = pool(&[&a, &b], &pooled);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("Synthetic centre A (11), Synthetic centre B (10)"),
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("warning: the studies have different titles"),
        "{stderr}"
    );

    let mut pooled_analysis = analysis(&pooled);
    let demo = analysis(&demo_dir());
    // Each row's origin names its centre, study, file and line.
    let origins = pooled_analysis["study"]["origins"]
        .as_array()
        .unwrap()
        .clone();
    assert!(origins
        .iter()
        .any(|o| o["origin"].as_str().unwrap().starts_with(&format!(
            "Synthetic centre B: {}/observations.csv:",
            b.display()
        ))));
    let observations = std::fs::read_to_string(demo_dir().join("observations.csv")).unwrap();
    assert_eq!(
        origins
            .iter()
            .filter(|o| o["file"] == "observations.csv")
            .count(),
        observations.lines().count() - 1
    );
    // The rest equals the demo's analysis in every number and word, the title aside.
    let study = pooled_analysis["study"].as_object_mut().unwrap();
    study.remove("origins");
    assert!(study["title"]
        .as_str()
        .unwrap()
        .starts_with("Pooled study: Centre A's extract; hlhkit demo"));
    study.insert("title".into(), demo["study"]["title"].clone());
    assert_eq!(pooled_analysis, demo);

    // The order the studies are given in does not matter.
    let other_order = dir.path().join("other-order");
    assert!(pool(&[&b, &a], &other_order).status.success());
    for file in [
        "patients.csv",
        "observations.csv",
        "treatments.csv",
        "events.csv",
        "origins.csv",
    ] {
        assert_eq!(
            std::fs::read(pooled.join(file)).unwrap(),
            std::fs::read(other_order.join(file)).unwrap(),
            "{file}"
        );
    }
    // The case cards of the report name where each row came from.
    let report = dir.path().join("report.html");
    let output = hlh(&[
        "report",
        pooled.to_str().unwrap(),
        "--out",
        report.to_str().unwrap(),
    ]);
    assert!(output.status.success());
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains(&format!(
        "Synthetic centre A: {}/observations.csv:",
        a.display()
    )));
}

#[test]
fn an_identifier_used_by_two_centres_is_told_apart_and_one_sent_twice_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let write = |folder: &str, centre: &str, id: &str| -> PathBuf {
        let study = dir.path().join(folder);
        std::fs::create_dir_all(&study).unwrap();
        std::fs::write(
            study.join("patients.csv"),
            format!(
                "patient_id,centre,sex,age_years,diagnosis_date\n{id},{centre},F,40,2020-01-01\n"
            ),
        )
        .unwrap();
        std::fs::write(
            study.join("treatments.csv"),
            format!("patient_id,drug,start\n{id},anakinra,2020-01-02\n"),
        )
        .unwrap();
        std::fs::write(
            study.join("observations.csv"),
            format!("patient_id,time,analyte,value,unit\n{id},2020-01-02,crp,100,mg/L\n"),
        )
        .unwrap();
        study
    };
    let lyon = write("lyon", "Lyon", "P01");
    let dijon = write("dijon", "Dijon", "P01");
    let pooled = dir.path().join("pooled");
    let output = pool(&[&lyon, &dijon], &pooled);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let patients = std::fs::read_to_string(pooled.join("patients.csv")).unwrap();
    assert!(
        patients.contains("P01@Dijon,Dijon") && patients.contains("P01@Lyon,Lyon"),
        "{patients}"
    );
    let treatments = std::fs::read_to_string(pooled.join("treatments.csv")).unwrap();
    assert!(treatments.contains("P01@Dijon,anakinra") && treatments.contains("P01@Lyon,anakinra"));
    assert_eq!(analysis(&pooled)["n_patients"], 2);

    // Lyon's extract sent twice: one patient twice, both places named, nothing written.
    let again = write("lyon-again", "Lyon", "P01");
    let refused = dir.path().join("refused");
    let output = pool(&[&lyon, &again], &refused);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "centre \"Lyon\" sends one patient twice: {}/patients.csv:2 and {}/patients.csv:2",
            lyon.display(),
            again.display()
        )),
        "{stderr}"
    );
    assert!(!refused.exists());
}

#[test]
fn a_patient_without_a_centre_is_an_error_and_disagreeing_protocols_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let a = centre_half(dir.path(), "Synthetic centre A", "a", None);
    let b = centre_half(dir.path(), "Synthetic centre B", "b", None);
    // Centre B forgets its centre: no column values, and its study.toml names none.
    let patients = std::fs::read_to_string(b.join("patients.csv")).unwrap();
    std::fs::write(
        b.join("patients.csv"),
        patients.replace(",Synthetic centre B,", ",,"),
    )
    .unwrap();
    let toml = std::fs::read_to_string(b.join("study.toml")).unwrap();
    std::fs::write(
        b.join("study.toml"),
        toml.replace("centres = [\"Synthetic centre B\"]\n", ""),
    )
    .unwrap();
    let out = dir.path().join("pooled");
    let output = pool(&[&a, &b], &out);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "{}/patients.csv:2: the patient has no centre",
            b.display()
        )),
        "{stderr}"
    );
    assert!(!out.exists());

    // Centres named again, but centre B analyses with a three-day fever rule.
    std::fs::write(
        b.join("study.toml"),
        format!("{toml}[protocol.fever]\nsustained_days = 3\n"),
    )
    .unwrap();
    std::fs::write(b.join("patients.csv"), patients).unwrap();
    let output = pool(&[&a, &b], &out);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("warning: the studies' [protocol] tables differ"),
        "{stderr}"
    );
    let pooled_toml = std::fs::read_to_string(out.join("study.toml")).unwrap();
    assert!(!pooled_toml.contains("[protocol"), "{pooled_toml}");
}
