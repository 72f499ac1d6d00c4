#!/usr/bin/env python3
"""How authlint's cost grows with the size of one file, shape by shape.

For each shape a file is generated at N and 4N units of work; the CPU time
(user+system, median of --rounds runs) of `authlint lint --format F` is taken
for every output format, and the ratio 4N/N printed. Linear cost gives about
4; the check fails (exit 1) when a ratio is over --limit (5 by default), and
reports the load average so a noisy machine can be recognised.

    python3 benches/growth.py --build target/release/authlint [--n 4000]

Shapes: a minified bundle (every site on one line), one site per line, one
handler with N statements before its 401, the same three in Python, and a
bundle of non-ASCII text (columns counted in characters).
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile

JS_SITE = "function h(r){if(!r.u)return new Response('x',{status:401})}"
PY_SITE = "def h{i}(request):\n    if not request.user:\n        abort(401)\n"

SHAPES = {
    "js-one-line": ("b.js", lambda n: ";".join([JS_SITE] * n) + "\n"),
    "js-one-line-utf8": (
        "u.js",
        lambda n: ";".join([JS_SITE.replace("'x'", "'é'")] * n) + "\n",
    ),
    "js-line-per-site": ("l.js", lambda n: "\n".join([JS_SITE] * n) + "\n"),
    "js-statements": (
        "s.js",
        lambda n: "function h(r){\n"
        + "".join(f"  const v{i} = r.q{i};\n" for i in range(n))
        + "  if(!r.u) return new Response('x',{status:401})\n}\n",
    ),
    "py-line-per-site": (
        "p.py",
        lambda n: "from flask import abort\n\n"
        + "\n".join(PY_SITE.format(i=i) for i in range(n)),
    ),
    "py-statements": (
        "q.py",
        lambda n: "from flask import abort\n\ndef h(request):\n"
        + "".join(f"    v{i} = request.args.get('q{i}')\n" for i in range(n))
        + "    if not request.user:\n        abort(401)\n",
    ),
}

FORMATS = ["json", "sarif", "pretty", "github"]


def cpu(cmd, cwd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="target/release/authlint")
    ap.add_argument("--n", type=int, default=4000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--limit", type=float, default=5.0)
    ap.add_argument("--shape", action="append", help="only these shapes")
    ap.add_argument("--format", action="append", help="only these formats")
    args = ap.parse_args()
    binary = os.path.abspath(args.build)
    shapes = args.shape or list(SHAPES)
    formats = args.format or FORMATS
    print(f"load before: {os.getloadavg()}")
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        # Generated shapes look like bundles: lint them as application code.
        with open(os.path.join(tmp, "authlint.toml"), "w") as f:
            f.write('[roles]\napp = ["**"]\n')
        print(f"{'shape':<20}{'format':<8}{'N s':>8}{'4N s':>8}{'ratio':>7}")
        for shape in shapes:
            name, make = SHAPES[shape]
            paths = []
            for n in (args.n, 4 * args.n):
                path = os.path.join(tmp, f"{n}-{name}")
                with open(path, "w", encoding="utf-8") as f:
                    f.write(make(n))
                paths.append(path)
            for fmt in formats:
                times = []
                for path in paths:
                    cmd = [binary, "lint", "--format", fmt, path]
                    times.append(statistics.median(cpu(cmd, tmp) for _ in range(args.rounds)))
                ratio = times[1] / max(times[0], 0.01)
                worst = max(worst, ratio)
                flag = "  over the limit" if ratio > args.limit else ""
                print(f"{shape:<20}{fmt:<8}{times[0]:>8.2f}{times[1]:>8.2f}{ratio:>7.1f}{flag}")
    print(f"load after: {os.getloadavg()}")
    print(f"worst ratio {worst:.1f} (limit {args.limit})")
    return 1 if worst > args.limit else 0


if __name__ == "__main__":
    sys.exit(main())
