#!/usr/bin/env python3
"""Runs every libFuzzer target for a while: `python3 Tests/run_fuzzers.py --seconds N [target ...]`.

Expects the binary built by `make fuzz` (`.build-fuzz/release/fuzz-switchyard`, libFuzzer and
AddressSanitizer). Each target starts from its committed seeds in `Tests/Fuzz/<target>/` in a scratch
corpus (the committed folder keeps seeds and crashers only). An input that crashes or breaks a property
is copied into `Tests/Fuzz/<target>/` as `crash-<sha1>`, where the unit tests replay it on every run,
and the run fails. Prints one line per target and a total of inputs tried.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, ".build-fuzz", "release", "fuzz-switchyard")
CORPORA = os.path.join(ROOT, "Tests", "Fuzz")


def run_target(target, seconds, scratch):
    corpus = os.path.join(scratch, target)
    artifacts = os.path.join(scratch, target + "-artifacts") + "/"
    os.makedirs(corpus)
    os.makedirs(artifacts)
    for name in os.listdir(os.path.join(CORPORA, target)):
        shutil.copy(os.path.join(CORPORA, target, name), corpus)
    env = {**os.environ, "SWITCHYARD_FUZZ_TARGET": target, "SWIFT_BACKTRACE": "enable=no",
           "ASAN_OPTIONS": "detect_leaks=0:allocator_may_return_null=1"}
    result = subprocess.run([BINARY, f"-max_total_time={seconds}", "-max_len=4096", "-timeout=10", "-rss_limit_mb=2048",
                             f"-artifact_prefix={artifacts}", corpus], env=env, capture_output=True, text=True, errors="replace")
    runs = [int(m) for m in re.findall(r"^Done (\d+) runs", result.stderr, re.M)]
    found = sorted(os.listdir(artifacts))
    for name in found:
        shutil.copy(os.path.join(artifacts, name), os.path.join(CORPORA, target, name))
    return (runs[0] if runs else 0), found, result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("targets", nargs="*")
    args = parser.parse_args()
    if not os.path.exists(BINARY):
        sys.exit(f"{BINARY} is missing: build it with `make fuzz`")
    targets = args.targets or sorted(os.listdir(CORPORA))
    total, failed = 0, []
    with tempfile.TemporaryDirectory(prefix="switchyard-fuzz-") as scratch:
        for target in targets:
            runs, found, result = run_target(target, args.seconds, scratch)
            total += runs
            status = "ok" if result.returncode == 0 and not found else f"FAILED (exit {result.returncode})"
            print(f"{target:18} {runs:>10,} inputs in {args.seconds} s  {status}", flush=True)
            if status != "ok":
                failed.append(target)
                print("\n".join(result.stderr.splitlines()[-40:]))
                for name in found:
                    print(f"  saved Tests/Fuzz/{target}/{name}: `swift test --filter FuzzCorpus` replays it")
    print(f"total: {total:,} inputs over {len(targets)} targets, {len(failed)} failing", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
