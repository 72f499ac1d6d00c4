import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import {
  checkExecutable,
  describeAttempts,
  expandPath,
  findServer,
  needsShell,
  summarizeFailure,
  type FileSystem,
  type LookupInput,
} from "../src/lookup";

let root: string;

/** Creates `rel` under the temp root; executable unless told otherwise. Returns its absolute path. */
function file(rel: string, executable = true): string {
  const p = path.join(root, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, "#!/bin/sh\n");
  fs.chmodSync(p, executable ? 0o755 : 0o644);
  return p;
}

function dir(rel: string): string {
  const p = path.join(root, rel);
  fs.mkdirSync(p, { recursive: true });
  return p;
}

/** A layout where every source has a usable binary. */
function everything(): LookupInput {
  file("custom/authlint-dev");
  file("ws/node_modules/.bin/authlint");
  file("pathdir/authlint");
  file("ext/bin/authlint");
  return {
    configuredPath: path.join(root, "custom/authlint-dev"),
    workspaceFolders: [path.join(root, "ws")],
    extensionPath: path.join(root, "ext"),
    env: { PATH: path.join(root, "pathdir") },
    platform: "linux",
    homeDir: path.join(root, "home"),
  };
}

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "authlint-lookup-"));
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe("lookup order", () => {
  it("prefers the authlint.path setting", () => {
    const r = findServer(everything());
    assert.deepEqual(r.found, { source: "setting", path: path.join(root, "custom/authlint-dev") });
    assert.equal(r.attempts.length, 1);
  });

  it("then the workspace's node_modules/.bin", () => {
    const r = findServer({ ...everything(), configuredPath: null });
    assert.deepEqual(r.found, { source: "workspace", path: path.join(root, "ws/node_modules/.bin/authlint") });
  });

  it("then PATH, in PATH order", () => {
    const input = everything();
    fs.rmSync(path.join(root, "ws/node_modules"), { recursive: true });
    file("pathfirst/authlint");
    const r = findServer({
      ...input,
      configuredPath: "",
      env: { PATH: [path.join(root, "empty"), path.join(root, "pathfirst"), path.join(root, "pathdir")].join(":") },
    });
    assert.deepEqual(r.found, { source: "PATH", path: path.join(root, "pathfirst/authlint") });
    assert.deepEqual(
      r.attempts.map((a) => [a.source, a.path, a.problem]),
      [
        ["workspace", path.join(root, "ws/node_modules/.bin/authlint"), "not found"],
        ["PATH", path.join(root, "empty/authlint"), "not found"],
        ["PATH", path.join(root, "pathfirst/authlint"), undefined],
      ],
    );
  });

  it("then the bundled binary", () => {
    const input = everything();
    const r = findServer({ ...input, configuredPath: undefined, workspaceFolders: [], env: {} });
    assert.deepEqual(r.found, { source: "bundled", path: path.join(root, "ext/bin/authlint") });
  });

  it("looks in every workspace folder, in order", () => {
    file("b/node_modules/.bin/authlint");
    const r = findServer({
      workspaceFolders: [path.join(root, "a"), path.join(root, "b")],
      extensionPath: path.join(root, "ext"),
      env: {},
      platform: "linux",
    });
    assert.deepEqual(r.found, { source: "workspace", path: path.join(root, "b/node_modules/.bin/authlint") });
    assert.equal(r.attempts[0].path, path.join(root, "a/node_modules/.bin/authlint"));
  });
});

describe("missing server", () => {
  it("reports every candidate it tried, in order", () => {
    const input: LookupInput = {
      configuredPath: path.join(root, "nope/authlint"),
      workspaceFolders: [path.join(root, "ws")],
      extensionPath: path.join(root, "ext"),
      env: { PATH: [path.join(root, "p1"), "", path.join(root, "p2"), path.join(root, "p1")].join(":") },
      platform: "linux",
    };
    const r = findServer(input);
    assert.equal(r.found, undefined);
    assert.deepEqual(
      r.attempts.map((a) => [a.source, a.path, a.problem]),
      [
        ["setting", path.join(root, "nope/authlint"), "not found"],
        ["workspace", path.join(root, "ws/node_modules/.bin/authlint"), "not found"],
        // The empty PATH entry and the duplicate p1 are skipped.
        ["PATH", path.join(root, "p1/authlint"), "not found"],
        ["PATH", path.join(root, "p2/authlint"), "not found"],
        ["bundled", path.join(root, "ext/bin/authlint"), "not found"],
      ],
    );
    const text = describeAttempts(r.attempts);
    for (const a of r.attempts) {
      assert.ok(text.includes(a.path), `${a.path} missing from:\n${text}`);
    }
    assert.match(text, /^the authlint\.path setting:\n/);
    assert.match(text, /\nPATH:\n/);
    const summary = summarizeFailure(input, r.attempts);
    assert.match(summary, /authlint\.path = .*nope\/authlint \(not found\)/);
    assert.match(summary, /node_modules\/\.bin in the workspace \(not found\)/);
    assert.match(summary, /PATH \(2 directories, not found\)/);
    assert.match(summary, /bundled .*ext\/bin\/authlint \(not found\)/);
  });

  it("says when no folder is open and the setting is unset", () => {
    const input: LookupInput = { workspaceFolders: [], extensionPath: path.join(root, "ext"), env: {}, platform: "linux" };
    const r = findServer(input);
    assert.equal(r.found, undefined);
    assert.deepEqual(
      r.attempts.map((a) => a.source),
      ["bundled"],
    );
    const summary = summarizeFailure(input, r.attempts);
    assert.match(summary, /authlint\.path \(not set\)/);
    assert.match(summary, /no workspace folder open/);
    assert.match(summary, /PATH \(0 directories, not found\)/);
  });
});

describe("unusable candidates", () => {
  it("skips a file that is not executable and says so", () => {
    const notExec = file("custom/authlint", false);
    file("pathdir/authlint");
    const r = findServer({
      configuredPath: notExec,
      workspaceFolders: [],
      extensionPath: path.join(root, "ext"),
      env: { PATH: path.join(root, "pathdir") },
      platform: "linux",
    });
    assert.deepEqual(r.found, { source: "PATH", path: path.join(root, "pathdir/authlint") });
    assert.equal(r.attempts[0].path, notExec);
    assert.match(r.attempts[0].problem ?? "", /not executable/);
  });

  it("skips a non-executable file on PATH and reports it in the summary", () => {
    file("p/authlint", false);
    const input: LookupInput = {
      workspaceFolders: [],
      extensionPath: path.join(root, "ext"),
      env: { PATH: path.join(root, "p") },
      platform: "linux",
    };
    const r = findServer(input);
    assert.equal(r.found, undefined);
    assert.match(summarizeFailure(input, r.attempts), /p\/authlint \(is not executable/);
  });

  it("rejects a directory", () => {
    const d = dir("custom/authlint");
    assert.equal(checkExecutable(d, "linux"), "is a directory");
    const r = findServer({ configuredPath: d, workspaceFolders: [], extensionPath: root, env: {}, platform: "linux" });
    assert.equal(r.attempts[0].problem, "is a directory");
  });

  it("accepts an executable file", () => {
    assert.equal(checkExecutable(file("x/authlint"), "linux"), undefined);
    assert.equal(checkExecutable(path.join(root, "x/missing"), "linux"), "not found");
    // A path through a regular file, not a directory.
    assert.equal(checkExecutable(path.join(root, "x/authlint/sub"), "linux"), "not found");
  });
});

describe("the authlint.path setting", () => {
  it("resolves a relative path against the first workspace folder", () => {
    file("ws/tools/authlint");
    const r = findServer({
      configuredPath: "tools/authlint",
      workspaceFolders: [path.join(root, "ws"), path.join(root, "other")],
      extensionPath: root,
      env: {},
      platform: "linux",
    });
    assert.deepEqual(r.found, { source: "setting", path: path.join(root, "ws/tools/authlint") });
  });

  it("expands ~ and ${workspaceFolder}", () => {
    const home = path.join(root, "home");
    file("home/bin/authlint");
    file("ws/target/debug/authlint");
    const base = { workspaceFolders: [path.join(root, "ws")], extensionPath: root, env: {}, platform: "linux" as const, homeDir: home };
    assert.equal(findServer({ ...base, configuredPath: "~/bin/authlint" }).found?.path, path.join(home, "bin/authlint"));
    assert.equal(
      findServer({ ...base, configuredPath: "${workspaceFolder}/target/debug/authlint" }).found?.path,
      path.join(root, "ws/target/debug/authlint"),
    );
    assert.equal(expandPath("~", undefined, home), home);
    assert.equal(expandPath("${userHome}/x", undefined, home), `${home}/x`);
    // Without a folder ${workspaceFolder} is left alone (and then not found).
    assert.equal(expandPath("${workspaceFolder}/x", undefined, home), "${workspaceFolder}/x");
  });

  it("looks a bare command name up on PATH", () => {
    file("p/authlint-nightly");
    file("p/authlint");
    const r = findServer({
      configuredPath: "authlint-nightly",
      workspaceFolders: [],
      extensionPath: root,
      env: { PATH: path.join(root, "p") },
      platform: "linux",
    });
    assert.deepEqual(r.found, { source: "setting", path: path.join(root, "p/authlint-nightly") });
  });

  it("cannot resolve a relative path without a workspace folder", () => {
    const r = findServer({ configuredPath: "./bin/authlint", workspaceFolders: [], extensionPath: path.join(root, "ext"), env: {}, platform: "linux" });
    assert.equal(r.attempts[0].source, "setting");
    assert.match(r.attempts[0].problem ?? "", /no workspace folder/);
  });
});

describe("Windows", () => {
  /** A fake file system holding exactly `files` (Windows has no execute bit to test). */
  function fakeFs(files: string[]): FileSystem {
    const set = new Set(files.map((f) => f.toLowerCase()));
    return {
      statSync(p: string) {
        if (!set.has(p.toLowerCase())) {
          throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
        }
        return { isFile: () => true, isDirectory: () => false };
      },
      accessSync() {
        throw new Error("accessSync must not be called on Windows");
      },
    };
  }

  it("finds npm's .cmd shim in node_modules/.bin and needs a shell for it", () => {
    const shim = "C:\\proj\\node_modules\\.bin\\authlint.cmd";
    const r = findServer(
      { workspaceFolders: ["C:\\proj"], extensionPath: "C:\\ext", env: { Path: "C:\\tools" }, platform: "win32" },
      fakeFs([shim, "C:\\tools\\authlint.exe"]),
    );
    assert.deepEqual(r.found, { source: "workspace", path: shim });
    assert.equal(r.attempts[0].path, "C:\\proj\\node_modules\\.bin\\authlint.exe");
    assert.equal(needsShell(shim), true);
    assert.equal(needsShell("C:\\tools\\authlint.exe"), false);
    assert.equal(needsShell("/usr/bin/authlint"), false);
  });

  it("tries PATHEXT extensions on PATH, .exe first, and bundles authlint.exe", () => {
    const r = findServer(
      {
        workspaceFolders: [],
        extensionPath: "C:\\ext",
        env: { Path: '"C:\\a b";C:\\c', PATHEXT: ".COM;.EXE;.CMD" },
        platform: "win32",
      },
      fakeFs(["C:\\ext\\bin\\authlint.exe"]),
    );
    assert.deepEqual(
      r.attempts.map((a) => a.path),
      [
        "C:\\a b\\authlint.exe",
        "C:\\a b\\authlint.com",
        "C:\\a b\\authlint.cmd",
        "C:\\c\\authlint.exe",
        "C:\\c\\authlint.com",
        "C:\\c\\authlint.cmd",
        "C:\\ext\\bin\\authlint.exe",
      ],
    );
    assert.deepEqual(r.found, { source: "bundled", path: "C:\\ext\\bin\\authlint.exe" });
  });
});
