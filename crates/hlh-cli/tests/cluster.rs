//! `hlh omop find --cluster` on a real Ballista cluster of `hlh cluster` processes on loopback: a
//! scheduler and executors started by each test, on ports of their own, and stopped at its end however
//! it ends. Every wait is bounded.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use common::browser::free_port;
use common::{folder_files, hlh};
use serde_json::Value;

/// A process a test started; killed when the test ends.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct Cluster {
    /// The scheduler's port (gRPC and REST).
    port: u16,
    executors: Vec<(Process, PathBuf)>,
    _scheduler: Process,
    _work: tempfile::TempDir,
}

impl Cluster {
    fn url(&self) -> String {
        format!("df://127.0.0.1:{}", self.port)
    }

    fn api(&self, path: &str) -> Value {
        ureq::get(&format!("http://127.0.0.1:{}/api/{path}", self.port))
            .timeout(Duration::from_secs(10))
            .call()
            .unwrap_or_else(|e| panic!("GET /api/{path}: {e}"))
            .into_json()
            .unwrap()
    }

    fn jobs(&self) -> Vec<Value> {
        self.api("jobs").as_array().cloned().unwrap_or_default()
    }
}

fn hlh_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hlh"));
    command
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

/// A scheduler and `executors` executors of one slot each, once the scheduler lists them all. An
/// executor is started inside `hide`'s mount namespace, with an empty folder over `hide`, when given.
fn start_cluster(executors: usize, hide: Option<&Path>) -> Cluster {
    let work = tempfile::tempdir().unwrap();
    let port = free_port();
    let scheduler = Process(
        hlh_command()
            .args(["cluster", "scheduler", "--port", &port.to_string()])
            .args(["--executor-timeout", "10"])
            .spawn()
            .expect("the scheduler starts"),
    );
    let mut started = Vec::new();
    for i in 0..executors {
        let work_dir = work.path().join(format!("executor{i}"));
        let mut command = match hide {
            None => hlh_command(),
            Some(hidden) => {
                let mut command = Command::new("unshare");
                command
                    .args([
                        "--mount",
                        "sh",
                        "-c",
                        "mount -t tmpfs none \"$0\" && exec \"$@\"",
                    ])
                    .arg(hidden)
                    .arg(env!("CARGO_BIN_EXE_hlh"))
                    .stdout(Stdio::null())
                    .stderr(Stdio::null());
                command
            }
        };
        let child = command
            .args(["cluster", "executor", "--scheduler"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["--port", &free_port().to_string()])
            .args(["--grpc-port", &free_port().to_string()])
            .arg("--work-dir")
            .arg(&work_dir)
            .args(["--slots", "1"])
            .spawn()
            .expect("an executor starts");
        started.push((Process(child), work_dir));
    }
    let cluster = Cluster {
        port,
        executors: started,
        _scheduler: scheduler,
        _work: work,
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let listed = ureq::get(&format!("http://127.0.0.1:{port}/api/executors"))
            .timeout(Duration::from_secs(2))
            .call()
            .ok()
            .and_then(|reply| reply.into_json::<Value>().ok())
            .and_then(|list| list.as_array().map(Vec::len));
        if listed == Some(executors) {
            return cluster;
        }
        assert!(
            Instant::now() < deadline,
            "the scheduler lists {listed:?} executors, not {executors}, after 60 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A synthetic CDM laid out as Spark writes one (40 part files a table), so that scans have several
/// partitions to share out.
fn synthetic_cdm(dir: &Path, persons: u64) -> PathBuf {
    let cdm = dir.join("cdm");
    let output = hlh(&[
        "omop",
        "synth",
        "--persons",
        &persons.to_string(),
        "--layout",
        "spark",
        "--out",
        cdm.to_str().unwrap(),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    cdm
}

/// `hlh omop find` started, its standard error kept.
fn start_find(cdm: &Path, out: &Path, cluster: Option<&str>) -> Process {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hlh"));
    command
        .args(["omop", "find", "--cdm"])
        .arg(cdm)
        .arg("--out")
        .arg(out)
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(url) = cluster {
        command.args(["--cluster", url]);
    }
    Process(command.spawn().expect("hlh omop find starts"))
}

/// The end of a process, with its standard error; failed if it runs past the deadline.
fn ended(mut process: Process, deadline: Duration) -> (ExitStatus, String) {
    let started = Instant::now();
    loop {
        if let Some(status) = process.0.try_wait().unwrap() {
            let mut stderr = String::new();
            if let Some(pipe) = process.0.stderr.as_mut() {
                std::io::Read::read_to_string(pipe, &mut stderr).unwrap();
            }
            return (status, stderr);
        }
        assert!(
            started.elapsed() < deadline,
            "hlh did not end within {deadline:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `hlh omop find` to its end, within a deadline.
fn find(cdm: &Path, out: &Path, cluster: Option<&str>, deadline: Duration) -> (ExitStatus, String) {
    ended(start_find(cdm, out, cluster), deadline)
}

/// A run that stopped as invalid input: exit 1, saying each of `says`, nothing written to `out`.
fn refused((status, stderr): &(ExitStatus, String), out: &Path, says: &[&str]) {
    assert_eq!(status.code(), Some(1), "{stderr}");
    for words in says {
        assert!(stderr.contains(words), "{words:?} not in: {stderr}");
    }
    assert!(!out.exists(), "{} was written", out.display());
}

fn succeeded((status, stderr): &(ExitStatus, String)) {
    assert!(status.success(), "{stderr}");
}

#[test]
fn a_loopback_cluster_writes_the_embedded_study_and_lists_its_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let cdm = synthetic_cdm(dir.path(), 3000);
    let embedded = dir.path().join("embedded");
    succeeded(&find(&cdm, &embedded, None, Duration::from_secs(120)));

    let cluster = start_cluster(2, None);
    let distributed = dir.path().join("distributed");
    succeeded(&find(
        &cdm,
        &distributed,
        Some(&cluster.url()),
        Duration::from_secs(300),
    ));
    let (expected, written) = (folder_files(&embedded), folder_files(&distributed));
    assert!(expected.len() > 10 && expected.keys().any(|p| p.starts_with("ohdsi")));
    assert_eq!(
        expected.keys().collect::<Vec<_>>(),
        written.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &expected {
        assert!(written[path] == *bytes, "{path} differs");
    }

    // Every query was a job of the scheduler, completed.
    let jobs = cluster.jobs();
    assert!(jobs.len() >= 8, "{jobs:?}");
    for job in &jobs {
        assert_eq!(job["status"], "Completed", "{job}");
        assert_eq!(job["job_name"], "hlh omop find", "{job}");
    }
    assert_eq!(cluster.api("executors").as_array().map(Vec::len), Some(2));
    // No page of another site may read the job list (its plans list person ids) through a browser.
    for origin in ["https://nightlies.apache.org", "http://localhost:8080"] {
        let reply = ureq::get(&format!("http://127.0.0.1:{}/api/jobs", cluster.port))
            .set("Origin", origin)
            .call()
            .unwrap();
        assert_eq!(
            reply.header("access-control-allow-origin"),
            None,
            "{origin}"
        );
    }
    // Both executors ran some of them: each wrote the shuffle files of a job under its work folder.
    let job_ids: Vec<&str> = jobs.iter().filter_map(|j| j["job_id"].as_str()).collect();
    for (_, work_dir) in &cluster.executors {
        let ran = std::fs::read_dir(work_dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter(|e| job_ids.contains(&&*e.file_name().to_string_lossy()))
                    .count()
            })
            .unwrap_or(0);
        assert!(ran > 0, "{} ran no job of {job_ids:?}", work_dir.display());
    }
}

#[test]
fn an_unreachable_scheduler_is_said_within_seconds_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let cdm = synthetic_cdm(dir.path(), 200);
    let out = dir.path().join("study");
    let url = format!("df://127.0.0.1:{}", free_port());
    let started = Instant::now();
    let result = find(&cdm, &out, Some(&url), Duration::from_secs(30));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    refused(
        &result,
        &out,
        &[&url, "cannot reach the Ballista scheduler"],
    );
}

#[test]
fn an_executor_killed_mid_job_leaves_the_job_to_the_other_or_a_clear_failure() {
    let dir = tempfile::tempdir().unwrap();
    let cdm = synthetic_cdm(dir.path(), 20_000);
    let embedded = dir.path().join("embedded");
    succeeded(&find(&cdm, &embedded, None, Duration::from_secs(300)));

    let mut cluster = start_cluster(2, None);
    let out = dir.path().join("distributed");
    let mut finding = start_find(&cdm, &out, Some(&cluster.url()));
    // The moment a job runs, one executor is killed.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if cluster.jobs().iter().any(|job| job["status"] == "Running") {
            break;
        }
        assert!(
            finding.0.try_wait().unwrap().is_none(),
            "find ended before a job ran"
        );
        assert!(Instant::now() < deadline, "no job ran within 120 s");
        std::thread::sleep(Duration::from_millis(20));
    }
    let (mut killed, _) = cluster.executors.remove(0);
    killed.0.kill().unwrap();
    killed.0.wait().unwrap();

    let result = ended(finding, Duration::from_secs(180));
    if result.0.success() {
        eprintln!("the job finished on the other executor");
        assert_eq!(
            folder_files(&embedded),
            folder_files(&out),
            "the study differs from the embedded one"
        );
    } else {
        eprintln!("find failed: {}", result.1);
        let said = format!("the Ballista cluster at {}", cluster.url());
        refused(&result, &out, &[said.as_str()]);
    }
}

/// Whether this machine lets a test give a process a mount namespace of its own (Linux, as root).
fn private_mounts_available(test: &str) -> bool {
    let works = Command::new("unshare")
        .args(["--mount", "sh", "-c", "mount -t tmpfs none /mnt"])
        .output()
        .is_ok_and(|Output { status, .. }| status.success());
    if works {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{test} needs `unshare --mount` (util-linux, as root) under CI"
    );
    eprintln!("skipped {test}: it needs `unshare --mount` (util-linux, as root) to hide a folder from an executor");
    false
}

#[test]
fn a_cdm_an_executor_cannot_see_is_named_with_the_shared_path_rule() {
    if !private_mounts_available("a_cdm_an_executor_cannot_see_is_named_with_the_shared_path_rule")
    {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cdm = synthetic_cdm(dir.path(), 200);
    // The executor sees an empty folder where the client and the scheduler see the CDM.
    let cluster = start_cluster(1, Some(&cdm));
    let out = dir.path().join("study");
    let result = find(&cdm, &out, Some(&cluster.url()), Duration::from_secs(180));
    refused(
        &result,
        &out,
        &[&cdm.to_string_lossy(), "same absolute path"],
    );
}

#[test]
fn a_gzip_csv_table_is_refused_before_the_cluster_is_asked_anything() {
    let dir = tempfile::tempdir().unwrap();
    let cdm = synthetic_cdm(dir.path(), 200);
    let gzip = Command::new("gzip")
        .arg(cdm.join("concept_ancestor.csv"))
        .status()
        .expect("gzip runs");
    assert!(gzip.success());
    let cluster = start_cluster(0, None);
    let out = dir.path().join("study");
    let result = find(&cdm, &out, Some(&cluster.url()), Duration::from_secs(60));
    refused(
        &result,
        &out,
        &[
            "concept_ancestor.csv.gz (table concept_ancestor)",
            "cannot read a gzip CSV file",
        ],
    );
    assert!(cluster.jobs().is_empty());
}
