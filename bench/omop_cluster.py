#!/usr/bin/env python3
"""`hlh omop find` embedded against the same run on a loopback Ballista cluster, on the same CDM.

Writes the CDM once with `hlh omop synth`, then alternates the two (embedded, cluster, embedded, ...).
Each cluster run gets a fresh cluster of `hlh cluster` processes on loopback (a scheduler and
`--executors` executors of `--slots` slots), started and registered before the clock starts. Reports
wall time, the peak resident memory of the client (/usr/bin/time) and of each executor (VmHWM), checks
that the two studies are the same bytes, and prints the jobs of the last cluster run and the stages of
its longest, as the scheduler's REST API gives them (/api/jobs, /api/job/ID/stages).

    python3 bench/omop_cluster.py --persons 1000000 --runs 3

Needs: a release build with the cluster feature (cargo build --release --features cluster).
"""

import argparse
import filecmp
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from omop_vs_duckdb import timed


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/{path}", timeout=10) as reply:
        return json.load(reply)


def peak_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class Cluster:
    def __init__(self, hlh, executors, slots, workdir):
        self.port = free_port()
        quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.scheduler = subprocess.Popen([hlh, "cluster", "scheduler", "--port", str(self.port)], **quiet)
        self.executors = []
        for i in range(executors):
            self.executors.append(subprocess.Popen(
                [hlh, "cluster", "executor", "--scheduler", f"127.0.0.1:{self.port}",
                 "--port", str(free_port()), "--grpc-port", str(free_port()),
                 "--work-dir", os.path.join(workdir, f"executor{i}"), "--slots", str(slots)], **quiet))
        deadline = time.time() + 60
        while True:
            try:
                if len(api(self.port, "executors")) == executors:
                    break
            except OSError:
                pass
            if time.time() > deadline:
                self.stop()
                sys.exit("the executors did not register within 60 s")
            time.sleep(0.1)

    def stop(self):
        for process in self.executors + [self.scheduler]:
            process.kill()
            process.wait()


def same_files(a, b):
    compared = filecmp.dircmp(a, b)
    if compared.left_only or compared.right_only or compared.diff_files or compared.funny_files:
        return False
    return all(same_files(os.path.join(a, d), os.path.join(b, d)) for d in compared.common_dirs)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--executors", type=int, default=2)
    parser.add_argument("--slots", type=int, default=1)
    parser.add_argument("--hlh", default="target/release/hlh")
    parser.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "hlh-omop-bench"))
    args = parser.parse_args()

    version = subprocess.run([args.hlh, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"machine: {os.cpu_count()} cores; {version}; cluster: {args.executors} executors x {args.slots} slots")
    os.makedirs(args.workdir, exist_ok=True)
    cdm = os.path.join(args.workdir, f"cdm-spark-{args.persons}")
    if not os.path.exists(os.path.join(cdm, "ground_truth.csv")):
        seconds, _ = timed([args.hlh, "omop", "synth", "--persons", str(args.persons), "--out", cdm,
                            "--seed", "1", "--layout", "spark"])
        print(f"synth {args.persons} persons: {seconds:.1f} s")
    embedded_study = os.path.join(args.workdir, f"embedded-{args.persons}")
    cluster_study = os.path.join(args.workdir, f"cluster-{args.persons}")
    embedded, distributed, executor_peaks = [], [], []
    for _ in range(args.runs):
        embedded.append(timed([args.hlh, "omop", "find", "--cdm", cdm, "--out", embedded_study]))
        with tempfile.TemporaryDirectory(dir=args.workdir) as work:
            cluster = Cluster(args.hlh, args.executors, args.slots, work)
            try:
                distributed.append(timed([args.hlh, "omop", "find", "--cdm", cdm, "--out", cluster_study,
                                          "--cluster", f"df://127.0.0.1:{cluster.port}"]))
                executor_peaks.append([peak_mib(e.pid) for e in cluster.executors])
                jobs = api(cluster.port, "jobs")
                stages = {job["job_id"]: api(cluster.port, f"job/{job['job_id']}/stages")["stages"] for job in jobs}
            finally:
                cluster.stop()
    same = "the same bytes" if same_files(embedded_study, cluster_study) else "DIFFERENT studies"
    best_embedded = min(t for t, _ in embedded)
    best_cluster = min(t for t, _ in distributed)
    print(f"\n{args.persons} persons; the two studies are {same}")
    print(f"  embedded : best {best_embedded:.2f} s of {[round(t, 2) for t, _ in embedded]}, "
          f"peak {max(m for _, m in embedded):.0f} MiB")
    print(f"  cluster  : best {best_cluster:.2f} s of {[round(t, 2) for t, _ in distributed]}, "
          f"client peak {max(m for _, m in distributed):.0f} MiB, executor peaks "
          f"{[[round(m) for m in run] for run in executor_peaks]} MiB")
    print(f"  wall-time ratio cluster/embedded: {best_cluster / best_embedded:.2f}")
    print(f"\nlast cluster run: {len(jobs)} jobs, {sum(len(s) for s in stages.values())} stages, all "
          f"{sorted({job['status'] for job in jobs})}")
    print("  job            duration  stages  tasks")
    for job in sorted(jobs, key=lambda job: job["start_time"]):
        tasks = sum(len(stage["tasks"]) for stage in stages[job["job_id"]])
        print(f"  {job['job_id']}  {job['end_time'] - job['start_time']:>6} ms  {job['num_stages']:>6}  {tasks:>5}")
    longest = max(jobs, key=lambda job: job["end_time"] - job["start_time"])
    print(f"its longest job ({longest['job_id']}), stage by stage:")
    print("  stage  status      input rows  output rows  compute   tasks")
    for stage in stages[longest["job_id"]]:
        print(f"  {stage['stage_id']:>5}  {stage['stage_status']:<10}  {stage['input_rows']:>10}  "
              f"{stage['output_rows']:>11}  {stage['elapsed_compute'] or '-':>8}  {len(stage['tasks']):>5}")

if __name__ == "__main__":
    main()
