"""Shared by the scripts in packaging/: the release targets, the version, paths.

Plain Python 3.8+ standard library (the release workflow runs these on Linux,
macOS and Windows runners).
"""

import json
import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"

# Rust target -> how each ecosystem names the platform.
#   npm:  the platform package's suffix (@authlint/cli-<npm>), with the
#         package.json os/cpu/libc fields npm uses to pick it;
#   vsce: `vsce package --target`;
#   exe:  the binary's file name.
TARGETS = {
    "x86_64-unknown-linux-gnu": {"npm": "linux-x64", "os": "linux", "cpu": "x64", "libc": "glibc", "vsce": "linux-x64"},
    "aarch64-unknown-linux-gnu": {"npm": "linux-arm64", "os": "linux", "cpu": "arm64", "libc": "glibc", "vsce": "linux-arm64"},
    "x86_64-unknown-linux-musl": {"npm": "linux-x64-musl", "os": "linux", "cpu": "x64", "libc": "musl", "vsce": "alpine-x64"},
    "x86_64-apple-darwin": {"npm": "darwin-x64", "os": "darwin", "cpu": "x64", "libc": None, "vsce": "darwin-x64"},
    "aarch64-apple-darwin": {"npm": "darwin-arm64", "os": "darwin", "cpu": "arm64", "libc": None, "vsce": "darwin-arm64"},
    "x86_64-pc-windows-msvc": {"npm": "win32-x64", "os": "win32", "cpu": "x64", "libc": None, "vsce": "win32-x64"},
}

NPM_SCOPE = "@authlint"


def die(message):
    print(f"{Path(sys.argv[0]).name}: {message}", file=sys.stderr)
    sys.exit(2)


def target_info(target):
    if target not in TARGETS:
        die(f"unknown target {target!r}; known: {', '.join(TARGETS)}")
    info = dict(TARGETS[target])
    info["exe"] = "authlint.exe" if "windows" in target else "authlint"
    return info


def host_target():
    """The Rust target of this machine, as rustc names it."""
    out = subprocess.run(["rustc", "-vV"], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith("host:"):
            return line.split(":", 1)[1].strip()
    die("rustc -vV printed no host line")


def version():
    """The package version from Cargo.toml's [package] table."""
    text = (ROOT / "Cargo.toml").read_text(encoding="utf-8")
    section = None
    for line in text.splitlines():
        m = re.match(r"^\s*\[([^\]]+)\]\s*$", line)
        if m:
            section = m.group(1).strip()
            continue
        m = re.match(r'^\s*version\s*=\s*"([^"]+)"', line)
        if m and section == "package":
            return m.group(1)
    die("no version in Cargo.toml's [package]")


def npm_platform_package(target):
    return f"{NPM_SCOPE}/cli-{target_info(target)['npm']}"


def tarball_name(package, ver):
    """The file name `npm pack` gives a package."""
    return package.lstrip("@").replace("/", "-") + f"-{ver}.tgz"


def run(cmd, **kwargs):
    print("+ " + " ".join(str(c) for c in cmd), file=sys.stderr, flush=True)
    return subprocess.run([str(c) for c in cmd], check=True, **kwargs)


def npm():
    # On Windows npm is npm.cmd.
    return shutil.which("npm") or die("npm is not on PATH")


def npm_pack(package_dir, out_dir):
    """`npm pack` a folder into out_dir; returns the tarball's path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    res = run([npm(), "pack", "--json", "--pack-destination", out_dir.resolve()], cwd=package_dir, capture_output=True, text=True)
    info = json.loads(res.stdout)
    return out_dir / info[0]["filename"]


def copy_license_files(dest):
    for name in ("LICENSE-MIT", "LICENSE-APACHE"):
        shutil.copy2(ROOT / name, dest / name)


def is_windows_host():
    return platform.system() == "Windows" or os.name == "nt"


MATURIN_VERSION = "1.16.0"


def tool_venv_bin(name):
    venv = ROOT / "target" / "packaging-venv"
    bindir = venv / ("Scripts" if is_windows_host() else "bin")
    exe = bindir / (name + (".exe" if is_windows_host() else ""))
    return venv, bindir, exe


def find_maturin():
    if os.environ.get("MATURIN"):
        return os.environ["MATURIN"]
    venv, bindir, exe = tool_venv_bin("maturin")
    if exe.exists():
        return str(exe)
    on_path = shutil.which("maturin")
    if on_path:
        return on_path
    print(f"installing maturin {MATURIN_VERSION} into {venv}", file=sys.stderr)
    run([sys.executable, "-m", "venv", venv])
    run([bindir / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", f"maturin=={MATURIN_VERSION}"])
    return str(exe)
