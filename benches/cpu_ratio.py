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

Trees used in docs/performance.md:

- the bench corpus: `benches/cli.sh` writes it to /tmp/authlint-bench/corpus;
- a generated tree where every file mentions a status but none a 401 or
  403: `python3 benches/cpu_ratio.py --make-status-tree /tmp/status-tree`;
- netbox-community/netbox at 43fe81f9e833228c9869f7ddadb67e6c5f145060
  (Django) and hoppscotch/hoppscotch at
  afc2cf181c16e56647b099e5d18cfe55710c6cdd (TypeScript): `git clone` each
  and `git checkout` that commit.
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


TS_STATUS = """import express from 'express'
import {{ load }} from './store'

export const router{i} = express.Router()

router{i}.get('/items/{i}', async (req, res) => {{
  const item = await load(req.params.id, {i})
  if (!item) {{
    return res.status(404).json({{ error: 'not found' }})
  }}
  const upstream = await fetch(`https://example.com/api/{i}/${{item.id}}`)
  const body = await upstream.json()
  res.status(200).json({{ item, body, status: upstream.status === 200 }})
}})
"""

PY_STATUS = """from rest_framework import status
from rest_framework.response import Response

from .models import Item


def item_{i}(request, pk):
    item = Item.objects.filter(pk=pk, n={i}).first()
    if item is None:
        return Response({{"error": "not found"}}, status=status.HTTP_404_NOT_FOUND)
    reply = item.fetch_remote()
    return Response({{"item": item.pk, "ok": reply.status_code == 200}}, status=200)
"""


def make_status_tree(root, files):
    """`files` handlers, half TypeScript and half Python, each writing a
    status (200, 404) and reading an upstream one, none a 401 or 403."""
    os.makedirs(root, exist_ok=True)
    for i in range(files):
        ts = i % 2 == 0
        name = os.path.join(root, f"route{i}.ts" if ts else f"view{i}.py")
        with open(name, "w") as f:
            f.write((TS_STATUS if ts else PY_STATUS).format(i=i))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--make-status-tree", metavar="DIR", help="write the generated status tree and stop")
    ap.add_argument("--files", type=int, default=2000, help="files in the status tree")
    ap.add_argument("--build", action="append", help="NAME=PATH of an authlint binary")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("trees", nargs="*")
    args = ap.parse_args()
    if args.make_status_tree:
        make_status_tree(args.make_status_tree, args.files)
        return 0
    if not args.build:
        ap.error("--build is required")
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
