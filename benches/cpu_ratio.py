#!/usr/bin/env python3
"""CPU time of `authlint lint` builds against `rg -c -e 401 -e 403`, per tree.

Runs every command on every tree, interleaved round by round (this machine is
shared and noisy: a side-by-side comparison in one run is what counts), and
prints the median user+system CPU seconds of each and its ratio to ripgrep's,
with the load average before and after.

    python3 benches/cpu_ratio.py --build new=target/release/authlint \\
        --build old=/tmp/authlint-old --rounds 7 TREE [TREE...]

Each authlint build runs `lint --format json <tree>` (the exit code is
ignored); findings are compared between builds and differences reported.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys


def cpu(cmd, cwd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return used, run.stdout


def findings(out):
    try:
        return sorted(
            (d["path"], d["range"]["start"]["line"], d["rule"])
            for d in json.loads(out)["diagnostics"]
        )
    except (ValueError, KeyError):
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", action="append", required=True, help="NAME=PATH of an authlint binary")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("trees", nargs="+")
    args = ap.parse_args()
    builds = [b.split("=", 1) for b in args.build]
    print(f"load average before: {os.getloadavg()}")
    for tree in args.trees:
        times = {name: [] for name, _ in builds}
        times["rg"] = []
        outputs = {}
        for _ in range(args.rounds):
            t, _ = cpu(["rg", "-c", "-e", "401", "-e", "403"], tree)
            times["rg"].append(t)
            for name, path in builds:
                t, out = cpu([os.path.abspath(path), "lint", "--format", "json", "."], tree)
                times[name].append(t)
                outputs[name] = out
        rg = statistics.median(times["rg"])
        print(f"\n{tree}")
        print(f"  {'command':<12}{'CPU s (median)':>16}{'x rg':>8}")
        print(f"  {'rg':<12}{rg:>16.3f}{1.0:>8.1f}")
        for name, _ in builds:
            m = statistics.median(times[name])
            print(f"  {name:<12}{m:>16.3f}{m / rg if rg else float('inf'):>8.1f}")
        base_name = builds[0][0]
        base = findings(outputs[base_name])
        for name, _ in builds[1:]:
            other = findings(outputs[name])
            if base is None or other is None:
                print(f"  findings: no JSON from {base_name if base is None else name}")
                continue
            gone = len(set(other) - set(base))
            new = len(set(base) - set(other))
            print(f"  findings: {base_name} {len(base)}, {name} {len(other)} ({new} only in {base_name}, {gone} only in {name})")
    print(f"\nload average after: {os.getloadavg()}")


if __name__ == "__main__":
    sys.exit(main())
