#!/usr/bin/env python3
"""Re-runs the audit of authlint on fetched checkouts of real repositories.

Reads every `judgments/*.tsv` beside this script, runs authlint on
`<checkouts>/<owner>__<name>` (which must be at the pinned commit), matches
each finding to a judgment by (path, line, rule) and prints precision and
recall per rule. See README.md beside this script for the data format.

Usage:
    python3 audit/run.py --checkouts /tmp/audit --authlint target/release/authlint
    python3 audit/run.py ... -- --min-confidence low   # extra arguments for `authlint lint`
"""

import argparse
import collections
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
VERDICTS = {"true", "debatable", "false", "missed", "ok-silent"}


def load(path):
    """A judgments file: its header fields and its rows."""
    header, rows = {}, []
    columns = None
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip():
                continue
            if line.startswith("#"):
                key, _, value = line[1:].partition(":")
                header[key.strip()] = value.strip()
                continue
            cells = line.split("\t")
            if columns is None:
                columns = cells
                continue
            row = dict(zip(columns, cells))
            if row.get("verdict") not in VERDICTS:
                sys.exit(f"{path}:{n}: unknown verdict {row.get('verdict')!r}")
            try:
                row["line"] = int(row["line"])
            except (KeyError, ValueError):
                sys.exit(f"{path}:{n}: the line is not a number")
            row["path"] = norm(row["path"])
            rows.append(row)
    for key in ("repo", "commit"):
        if key not in header:
            sys.exit(f"{path}: the header has no `# {key}:` line")
    return header, rows


def norm(p):
    p = p.replace("\\", "/")
    while p.startswith("./"):
        p = p[2:]
    return p


def findings(binary, checkout, paths, extra):
    cmd = [binary, "lint", "--format", "json", *extra, *(paths or ["."])]
    run = subprocess.run(cmd, cwd=checkout, capture_output=True, text=True)
    if run.returncode not in (0, 1):
        print(f"  authlint exited {run.returncode}: {run.stderr.strip()[:400]}", file=sys.stderr)
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        print(f"  no JSON report from {cmd} in {checkout}", file=sys.stderr)
        return []
    out = []
    for d in report.get("diagnostics", []):
        out.append((norm(d["path"]), d["range"]["start"]["line"], d["rule"], d.get("message", "")))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkouts", required=True, help="folder holding <owner>__<name> checkouts")
    ap.add_argument("--authlint", default="target/release/authlint", help="the binary to audit")
    ap.add_argument("--only", help="audit only repositories whose name contains this")
    ap.add_argument("--round", help="audit only the repositories of this audit round (`# round:` header)")
    ap.add_argument("--quiet", action="store_true", help="do not list unjudged findings and missed sites")
    ap.add_argument("--list", default="", help="also list the reported findings judged so (comma-separated verdicts, e.g. false,debatable)")
    ap.add_argument("--clone-commands", action="store_true", help="print the commands that fetch every checkout at its commit, and stop")
    ap.add_argument("extra", nargs="*", help="extra arguments for `authlint lint` (after --)")
    args = ap.parse_args()
    binary = os.path.abspath(args.authlint)

    if args.clone_commands:
        for name in sorted(os.listdir(os.path.join(HERE, "judgments"))):
            if name.endswith(".tsv"):
                header, _ = load(os.path.join(HERE, "judgments", name))
                d = os.path.join(args.checkouts, name[: -len(".tsv")])
                if "npm" in header:
                    # Judged on an npm package (`# npm: name@version in folder`):
                    # unpack it into that folder of the checkout.
                    spec, _, folder = header["npm"].partition(" in ")
                    target = os.path.join(d, folder.strip() or ".")
                    print(f"mkdir -p {target} && curl -sL $(npm view {spec} dist.tarball) | tar xz -C {target} --strip-components=1")
                    continue
                if "sdist" in header:
                    # Judged on a PyPI source distribution (`# sdist: name==version`):
                    # unpack it, with the repository's layout, into the checkout.
                    pkg, _, version = header["sdist"].partition("==")
                    sdist = f"{pkg.replace('-', '_')}-{version}.tar.gz"
                    print(
                        f"mkdir -p {d} && curl -sL $(curl -s -H 'Accept: application/vnd.pypi.simple.v1+json'"
                        f" https://pypi.org/simple/{pkg}/ | python3 -c 'import json,sys;"
                        f" print(next(f[\"url\"] for f in json.load(sys.stdin)[\"files\"] if f[\"filename\"] == \"{sdist}\"))')"
                        f" | tar xz -C {d} --strip-components=1"
                    )
                    continue
                print(f"git clone -q https://github.com/{header['repo']} {d} && git -C {d} checkout -q {header['commit']}")
        return

    # per rule: true, debatable, false, unjudged findings; must-finds found and total
    stats = collections.defaultdict(collections.Counter)
    unjudged, lost, listed = [], [], []
    wanted = {v for v in args.list.split(",") if v}
    audited = 0
    for name in sorted(os.listdir(os.path.join(HERE, "judgments"))):
        if not name.endswith(".tsv") or (args.only and args.only not in name):
            continue
        header, rows = load(os.path.join(HERE, "judgments", name))
        if args.round and header.get("round") != args.round:
            continue
        checkout = os.path.join(args.checkouts, name[: -len(".tsv")])
        if not os.path.isdir(checkout):
            print(f"{header['repo']}: not fetched (expected {checkout}); skipped", file=sys.stderr)
            continue
        head = subprocess.run(["git", "-C", checkout, "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
        if head and head != header["commit"] and "sdist" not in header and "npm" not in header:
            print(f"{header['repo']}: checkout is at {head[:12]}, the judgments are for {header['commit'][:12]}", file=sys.stderr)
        audited += 1
        judged = {(r["path"], r["line"], r["rule"]): r for r in rows}
        found = set()
        for path, line, rule, message in findings(binary, checkout, header.get("paths", "").split(), args.extra):
            key = nearest(judged, found, path, line, rule)
            if key in found:
                continue
            found.add(key)
            row = judged.get(key)
            verdict = row["verdict"] if row else None
            if verdict in wanted:
                listed.append(f"{header['repo']}: {path}:{line} {rule} [{verdict}]: {row.get('reason', '')}")
            if verdict in ("true", "missed"):
                stats[rule]["true"] += 1
            elif verdict in ("false", "ok-silent"):
                stats[rule]["false"] += 1
            elif verdict == "debatable":
                stats[rule]["debatable"] += 1
            else:
                stats[rule]["unjudged"] += 1
                unjudged.append(f"{header['repo']}: {path}:{line} {rule}: {message[:110]}")
        for key, row in judged.items():
            if row["verdict"] in ("true", "missed"):
                stats[row["rule"]]["must"] += 1
                if key in found:
                    stats[row["rule"]]["must_found"] += 1
                else:
                    lost.append(f"{header['repo']}: {row['path']}:{row['line']} {row['rule']}: {row.get('reason', '')}")

    if not audited:
        sys.exit("no checkout found: fetch the repositories first (see audit/README.md)")
    print(f"{audited} repositories, authlint {' '.join(args.extra) or '(default settings)'}\n")
    head = f"{'rule':<36}{'reported':>9}{'true':>6}{'debat.':>7}{'false':>6}{'unjudged':>9}{'precision':>10}{'strict':>8}{'must':>6}{'recall':>8}"
    print(head)
    print("-" * len(head))
    total = collections.Counter()
    for rule in sorted(stats):
        s = stats[rule]
        total.update(s)
        print(row_text(rule, s))
    print("-" * len(head))
    print(row_text("all rules", total))
    if listed:
        print(f"\nReported findings judged {args.list} ({len(listed)}):")
        print("\n".join("  " + x for x in listed))
    if not args.quiet:
        if unjudged:
            print(f"\nUnjudged findings ({len(unjudged)}): judge them in the repository's file")
            print("\n".join("  " + u for u in unjudged))
        if lost:
            print(f"\nMust-finds not reported ({len(lost)}):")
            print("\n".join("  " + m for m in lost))


def nearest(judged, found, path, line, rule):
    """The judgment a finding stands for: the one on its line, else the
    nearest one of the same rule within a few lines (rules anchor a site
    differently: the statement, the status literal) not already taken."""
    key = (path, line, rule)
    if key in judged:
        return key
    for delta in (1, -1, 2, -2, 3, -3):
        near = (path, line + delta, rule)
        if near in judged and near not in found:
            return near
    return key


def ratio(a, b):
    return f"{a / b:.2f}" if b else "-"


def row_text(rule, s):
    reported = s["true"] + s["debatable"] + s["false"] + s["unjudged"]
    return (
        f"{rule:<36}{reported:>9}{s['true']:>6}{s['debatable']:>7}{s['false']:>6}{s['unjudged']:>9}"
        f"{ratio(s['true'], s['true'] + s['false']):>10}{ratio(s['true'], reported):>8}"
        f"{s['must']:>6}{ratio(s['must_found'], s['must']):>8}"
    )


if __name__ == "__main__":
    main()
