#!/usr/bin/env python3
"""The fuzz campaign (`make fuzz-long`): run each libFuzzer target in turn
through `make fuzz-long-<target>` (one process at a time, under nice), then
print one row per target: executions, time, exec/s, coverage and result.

    tests/fuzz/campaign.py [--build build] [--runs N] [--seconds S]
                           [--budget TOTAL] [targets]
    tests/fuzz/campaign.py --table [--markdown] [targets]   (logs only)

Each run leaves $BUILD/fuzz/long/<target>.log (libFuzzer's output, ending in
its `#N DONE cov: ...` line and final stats) and <target>.json (exit status,
the bounds it ran with, wall time, the date and commit it started at, and
which of the target's own sources had uncommitted changes then). The exit status is 1 if
any target crashed, leaked, timed out or reported anything."""

import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import time

DONE = re.compile(r"^#(\d+)\s+DONE\s+cov: (\d+) ft: (\d+) corp: (\d+)/\S+.*exec/s: (\d+)")
RUNS = re.compile(r"^Done (\d+) runs in (\d+) second")
EXECUTED = re.compile(r"^stat::number_of_executed_units: (\d+)")
ARTIFACT = re.compile(r"Test unit written to (\S+)")


def sources(build, target):
    """The files a target is built from: its harness, the firmware sources and
    every header they include (the compiler's own list, from make's command)."""
    out = subprocess.run(["make", "--no-print-directory", "-n", "-B", f"BUILD={build}",
                          f"{build}/fuzz/{target}"], capture_output=True, text=True).stdout
    cmd = next((line.split() for line in out.splitlines() if "-fsanitize=fuzzer" in line), None)
    if not cmd or "-o" not in cmd:
        return []
    i = cmd.index("-o")
    deps = subprocess.run(cmd[:i] + ["-M"] + cmd[i + 2:], capture_output=True, text=True).stdout
    top = os.getcwd() + os.sep
    files = {os.path.normpath(w[len(top):] if w.startswith(top) else w)
             for w in deps.replace("\\\n", " ").split() if not w.endswith(":")}
    return sorted(f for f in files if not os.path.isabs(f))


def commit(paths):
    """The commit the target is built at, and which of its files (paths) have
    uncommitted changes: other work in the tree that the target does not build
    from is not counted."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], check=True,
                              capture_output=True, text=True).stdout.strip()
        changed = subprocess.run(["git", "diff", "--name-only", "HEAD", "--", *paths],
                                 check=True, capture_output=True, text=True).stdout.split()
        return head, changed
    except (OSError, subprocess.CalledProcessError):
        return "unknown", []


def run_one(build, target, runs, seconds):
    """One target through make; its exit status and bounds go next to its log."""
    longdir = os.path.join(build, "fuzz", "long")
    os.makedirs(longdir, exist_ok=True)
    cmd = ["make", "--no-print-directory", f"BUILD={build}", f"fuzz-long-{target}"]
    if runs:
        cmd.append(f"FUZZ_RUNS={runs}")
    if seconds:
        cmd.append(f"FUZZ_LONG_SECONDS={seconds}")
    # The tree as make builds it, at the start: a run can last an hour while
    # other work is committed.
    head, changed = commit(sources(build, target))
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    start = time.monotonic()
    rc = subprocess.run(cmd).returncode
    meta = {
        "rc": rc,
        "runs": runs or int(os.environ.get("FUZZ_RUNS", 10000000)),
        "seconds": seconds or int(os.environ.get("FUZZ_LONG_SECONDS", 3600)),
        "wall": round(time.monotonic() - start),
        "date": date,
        "commit": head + ("-dirty" if changed else ""),
        "uncommitted": changed,
    }
    with open(os.path.join(longdir, f"{target}.json"), "w") as f:
        json.dump(meta, f)
    return rc


def summarize(build, target):
    """A row from a target's log: what libFuzzer said it did, and the verdict."""
    longdir = os.path.join(build, "fuzz", "long")
    row = {"target": target, "execs": None, "secs": None, "rate": None, "cov": None,
           "ft": None, "corp": None, "result": "not run", "date": None, "commit": None}
    try:
        with open(os.path.join(longdir, f"{target}.log"), errors="replace") as f:
            lines = f.read().splitlines()
        with open(os.path.join(longdir, f"{target}.json")) as f:
            meta = json.load(f)
    except OSError:
        return row
    artifact = None
    for line in lines:
        m = DONE.match(line)
        if m:
            row["execs"], row["cov"], row["ft"], row["corp"], row["rate"] = map(int, m.groups())
        m = RUNS.match(line)
        if m:
            row["execs"], row["secs"] = int(m.group(1)), int(m.group(2))
        m = EXECUTED.match(line)
        if m:
            row["execs"] = int(m.group(1))
        m = ARTIFACT.search(line)
        if m:
            artifact = m.group(1)
    if row["secs"] is None:
        row["secs"] = meta["wall"]
    row.update(date=meta["date"], commit=meta["commit"].replace("-dirty", "")[:7])
    if meta.get("uncommitted"):
        row["commit"] += " + uncommitted " + ", ".join(meta["uncommitted"])
    elif meta["commit"].endswith("-dirty"):
        row["commit"] += " (tree dirty)"
    if meta["rc"] != 0:
        row["result"] = "FAILED" + (f": {artifact}" if artifact else f" (exit {meta['rc']})")
    elif row["execs"] is None:
        row["result"] = "no DONE line"
    elif row["execs"] >= meta["runs"]:
        row["result"] = f"clean, {meta['runs']:g} runs reached".replace("e+0", "e")
    else:
        row["result"] = f"clean, stopped by the {meta['seconds']} s bound"
    return row


def fmt(v):
    return "-" if v is None else f"{v:,}" if isinstance(v, int) else str(v)


def print_table(rows, markdown):
    cols = [("target", "target"), ("execs", "executions"), ("secs", "time (s)"),
            ("rate", "exec/s"), ("cov", "cov"), ("ft", "ft"), ("corp", "corpus"),
            ("result", "result"), ("date", "date"), ("commit", "commit")]
    table = [[title for _, title in cols]] + [[fmt(r[k]) for k, _ in cols] for r in rows]
    if markdown:
        for i, cells in enumerate(table):
            print("| " + " | ".join(cells) + " |")
            if i == 0:
                print("|" + "|".join("---" for _ in cells) + "|")
        return
    widths = [max(len(row[i]) for row in table) for i in range(len(cols))]
    for cells in table:
        print("  ".join(c.ljust(w) if i in (0, 7, 8, 9) else c.rjust(w)
                        for i, (c, w) in enumerate(zip(cells, widths))).rstrip())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--runs", type=int, help="FUZZ_RUNS for this run (make's default: 10^7)")
    ap.add_argument("--seconds", type=int, help="FUZZ_LONG_SECONDS, the bound per target")
    ap.add_argument("--budget", type=int,
                    help="seconds for the whole run: each target gets at most an equal share of "
                    "what is left, so a target that finishes early leaves its time to the next")
    ap.add_argument("--table", action="store_true", help="only print the table from the logs")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("targets", nargs="*")
    args = ap.parse_args()
    targets = args.targets or sorted(
        f[:-2] for f in os.listdir("tests/fuzz") if f.startswith("fuzz_") and f.endswith(".c"))
    failed = 0
    if not args.table:
        end = time.monotonic() + args.budget if args.budget else None
        for i, t in enumerate(targets):
            seconds = args.seconds
            if end is not None:
                share = max(1, int((end - time.monotonic()) / (len(targets) - i)))
                seconds = min(seconds, share) if seconds else share
            failed |= run_one(args.build, t, args.runs, seconds) != 0
    rows = [summarize(args.build, t) for t in targets]
    print_table(rows, args.markdown)
    failed |= any(r["result"].startswith(("FAILED", "no DONE")) for r in rows if not args.table)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
