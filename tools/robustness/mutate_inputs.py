#!/usr/bin/env python3
"""Robustness check: no input makes `hlh` panic.

Runs `hlh validate`, `hlh analyze --json` and `hlh report` on randomly mutated copies of the demo study
(cells replaced by edge values, rows repeated or removed, files cut to their header, headers shuffled),
then `hlh analyze` and `hlh report` on the demo study with random protocols (reversed windows, extreme
and non-finite values, unknown names). Every run must exit 0 (success) or 1 (invalid input, reported);
anything else, or a panic message, is printed and makes the script exit 1.

    cargo build --release -p hlh-cli
    python3 tools/robustness/mutate_inputs.py [--studies 350] [--protocols 300] [--seed 1]
"""
import argparse
import pathlib
import random
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
HLH = ROOT / "target" / "release" / "hlh"
DEMO = ROOT / "crates" / "hlh-cli" / "demo"
FILES = ["patients.csv", "observations.csv", "treatments.csv", "events.csv"]
EDGE_CELLS = [
    "", " ", "0", "-1", "-0", "0.0000001", "1e308", "-1e308", "NaN", "inf", "99999999999999999999",
    "9999-12-31", "0000-01-01", "1900-01-01", "2100-12-31", "2020-02-30", "2020-01-01T25:00",
    "2020-01-01 23:59:59", "2016-03-13", "2016-03-14", "2016-03-21", "<", "<=", ">1e400", '"', '""',
    "yes", "no", "unknown", "anakinra", "death", "first", "second", "P1", "é", "µg/L", "[degF]", "mg/dl",
    "temperature", "ferritin", "adverse_event", "response_assessment", "complete", "none", "sjia",
    "aosd;sjia", ";;", "25", "38", "42", "45", "200", "5", "mg", "qd", "sc", "inefficacy",
]
PROTOCOL_VALUES = {
    "days.day0_window": ["[-2, 0]", "[0, -2]", "[-100000, 100000]", "[0, 0]", "[1]", '"x"',
                         "[2147483647, 2147483647]", "[-2147483648, 0]"],
    "days.day7_window": ["[5, 9]", "[9, 5]", "[-2147483648, 2147483647]", "[]"],
    "days.day7_target": ["7", "-2147483648", "2147483647", "7.5", '"7"'],
    "scores.window": ["[-3, 3]", "[3, -3]", "[-2147483648, 2147483647]"],
    "scores.hscore_cutoff": ["169", "0", "-1", "4294967296", "1e9"],
    "scores.hlh2004_required": ["5", "0", "9", "-1", "100"],
    "scores.hlh2004_preset": ['"henter2007"', '"bogus"', "1"],
    "fever.threshold_celsius": ["38.0", "-1e308", "nan", "inf", "0", "100"],
    "fever.baseline_days": ["[-1, 0]", "[0, -1]", "[-2147483648, 2147483647]"],
    "fever.sustained_days": ["2", "0", "-1", "2147483647", "-2147483648"],
    "fever.resolved_by_day": ["7", "-1", "2147483647", "-2147483648"],
    "response.day": ["7", "-2147483648", "2147483647"],
    "response.recorded_window": ["[0, 14]", "[14, 0]", "[-2147483648, 2147483647]"],
    "response.source": ['"derived"', '"recorded"', '"x"'],
    "stats.quantile_type": ["7", "0", "1", "9", "10", "-1"],
    "stats.confidence": ["0.95", "0", "1", "-0.5", "2", "nan"],
    "stats.km_conf_type": ['"log-log"', '"log"', '"plain"', '"x"'],
    "stats.proportion_ci": ['"wilson"', '"clopper-pearson"', '"x"'],
    "stats.primary_paired_test": ['"paired_t"', '"wilcoxon"', '"x"'],
    "index_drug": ['"anakinra"', '"prednisone"', '"etoposide"', '"x"'],
}


def mutate(folder: pathlib.Path, rng: random.Random) -> None:
    for _ in range(rng.randint(1, 12)):
        path = folder / rng.choice(FILES)
        lines = path.read_text(encoding="utf-8").split("\n")
        kind = rng.random()
        i = rng.randrange(1, max(2, len(lines) - 1))
        if kind < 0.6 and i < len(lines) and lines[i]:
            cells = lines[i].split(",")
            j = rng.randrange(len(cells))
            cells[j] = rng.choice(EDGE_CELLS) if rng.random() < 0.8 else cells[rng.randrange(len(cells))]
            lines[i] = ",".join(cells)
        elif kind < 0.7 and len(lines) > 2:
            lines.insert(i, lines[rng.randrange(1, len(lines) - 1)])
        elif kind < 0.8 and len(lines) > 3:
            del lines[i]
        elif kind < 0.85:
            lines = lines[:1]
        elif kind < 0.9:
            cells = lines[0].split(",")
            rng.shuffle(cells)
            lines[0] = ",".join(cells)
        elif i < len(lines):
            lines.insert(i, lines[i].replace("-0", "-1", 1))
        path.write_text("\n".join(lines), encoding="utf-8")


def random_protocol(rng: random.Random) -> str:
    tables: dict[str, list[str]] = {}
    for setting in rng.sample(sorted(PROTOCOL_VALUES), rng.randint(1, 5)):
        table, _, key = setting.rpartition(".")
        tables.setdefault(table, []).append(f"{key} = {rng.choice(PROTOCOL_VALUES[setting])}")
    return "\n".join(("" if table == "" else f"[{table}]\n") + "\n".join(lines) for table, lines in sorted(tables.items()))


def run(command: list[str], context: str) -> bool:
    completed = subprocess.run([str(HLH), *command], capture_output=True, text=True)
    if completed.returncode in (0, 1) and "panicked" not in completed.stderr:
        return True
    print(f"{context}: hlh {command[0]} exited {completed.returncode}\n{completed.stderr[-2000:]}")
    return False


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--studies", type=int, default=350)
    parser.add_argument("--protocols", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if not HLH.exists():
        sys.exit("build first: cargo build --release -p hlh-cli")
    rng = random.Random(args.seed)
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for trial in range(args.studies):
            study = pathlib.Path(tmp) / f"study{trial}"
            shutil.copytree(DEMO, study)
            mutate(study, rng)
            for command in (["validate", str(study)], ["analyze", str(study), "--json", str(study / "a.json")],
                            ["report", str(study), "--out", str(study / "r.html")]):
                if not run(command, f"mutated study {trial} (copied to target/failing-study-{trial})"):
                    failures += 1
                    shutil.copytree(study, ROOT / "target" / f"failing-study-{trial}", dirs_exist_ok=True)
            shutil.rmtree(study)
        protocol = pathlib.Path(tmp) / "protocol.toml"
        for trial in range(args.protocols):
            protocol.write_text(random_protocol(rng))
            for command in (["analyze", str(DEMO), "--protocol", str(protocol), "--json", str(pathlib.Path(tmp) / "a.json")],
                            ["report", str(DEMO), "--protocol", str(protocol), "--out", str(pathlib.Path(tmp) / "r.html")]):
                if not run(command, f"protocol {trial}:\n{protocol.read_text()}"):
                    failures += 1
    runs = 3 * args.studies + 2 * args.protocols
    print(f"{runs} runs, {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
