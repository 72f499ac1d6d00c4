#!/usr/bin/env node
// The `authlint` command of the npm package: runs the native binary from the
// platform package that npm installed as an optional dependency
// (@authlint/cli-linux-x64, @authlint/cli-darwin-arm64, ...), passing the
// arguments, standard input/output and the exit status through.
//
// AUTHLINT_BINARY=/path/to/authlint overrides the lookup.
"use strict";

const { spawnSync } = require("node:child_process");
const path = require("node:path");
const fs = require("node:fs");

// process.platform-process.arch -> the platform packages to try, in order.
// A musl build is static, so it also runs on glibc systems.
const PACKAGES = {
  "linux-x64": ["@authlint/cli-linux-x64", "@authlint/cli-linux-x64-musl"],
  "linux-x64-musl": ["@authlint/cli-linux-x64-musl"],
  "linux-arm64": ["@authlint/cli-linux-arm64"],
  "darwin-x64": ["@authlint/cli-darwin-x64"],
  "darwin-arm64": ["@authlint/cli-darwin-arm64"],
  "win32-x64": ["@authlint/cli-win32-x64"],
  // Windows on Arm runs x64 programs.
  "win32-arm64": ["@authlint/cli-win32-x64"],
};

const SUPPORTED =
  "Linux x64 (glibc or musl), Linux arm64, macOS x64 and arm64, Windows x64";

function isMusl() {
  if (process.platform !== "linux") return false;
  try {
    // Node's own report says which C library it runs on.
    const report = process.report && process.report.getReport();
    const header = report && (typeof report === "string" ? JSON.parse(report) : report).header;
    if (header) return !header.glibcVersionRuntime;
  } catch {
    // fall through
  }
  try {
    return fs.readFileSync("/usr/bin/ldd", "utf8").includes("musl");
  } catch {
    return false;
  }
}

function platformKey() {
  const key = `${process.platform}-${process.arch}`;
  return key === "linux-x64" && isMusl() ? "linux-x64-musl" : key;
}

function fail(message) {
  process.stderr.write(`authlint: ${message}\n`);
  process.exit(2);
}

function findBinary() {
  const override = process.env.AUTHLINT_BINARY;
  if (override) {
    if (!fs.existsSync(override)) fail(`AUTHLINT_BINARY is set to ${override}, which does not exist.`);
    return override;
  }
  const key = platformKey();
  const candidates = PACKAGES[key];
  if (!candidates) {
    fail(
      `there is no prebuilt authlint for ${process.platform} ${process.arch}.\n` +
        `Prebuilt binaries exist for ${SUPPORTED}.\n` +
        "Build it from source with Rust instead:\n" +
        "  cargo install --locked --git https://github.com/authlint/authlint authlint\n" +
        "then run that `authlint`, or set AUTHLINT_BINARY to its path.",
    );
  }
  const exe = process.platform === "win32" ? "authlint.exe" : "authlint";
  for (const pkg of candidates) {
    let dir;
    try {
      dir = path.dirname(require.resolve(`${pkg}/package.json`));
    } catch {
      continue;
    }
    const bin = path.join(dir, exe);
    if (fs.existsSync(bin)) return bin;
  }
  fail(
    `the authlint binary for this platform (${key}) is missing: the package ${candidates[0]} is not installed.\n` +
      "npm installs it as an optional dependency of authlint; it is skipped when optional dependencies are\n" +
      "omitted (--omit=optional, --no-optional) or when a lockfile made on another platform was installed.\n" +
      "Reinstall authlint with optional dependencies, e.g.\n" +
      "  rm -rf node_modules package-lock.json && npm install\n" +
      `or install the platform package yourself: npm install ${candidates[0]}`,
  );
}

const bin = findBinary();
const result = spawnSync(bin, process.argv.slice(2), { stdio: "inherit", windowsHide: true });
if (result.error) {
  if (result.error.code === "EACCES" && process.platform !== "win32") {
    fail(`${bin} is not executable (chmod +x it): ${result.error.message}`);
  }
  fail(`could not run ${bin}: ${result.error.message}`);
}
if (result.signal) {
  // Die the way the binary died, so the shell sees the same signal.
  process.kill(process.pid, result.signal);
}
process.exit(result.status === null ? 1 : result.status);
