// Finding the `authlint` executable. Plain Node: no `vscode` import, so the
// unit tests run under `node --test` without an editor.
//
// Order (first usable candidate wins):
//   1. the `authlint.path` setting
//   2. `node_modules/.bin/authlint` in each workspace folder
//   3. `authlint` on PATH
//   4. the binary bundled in the extension (`bin/authlint[.exe]`)
// Every candidate looked at is recorded, so a failure can say exactly what
// was tried and why each candidate was rejected.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export type Source = "setting" | "workspace" | "PATH" | "bundled";

export interface Attempt {
  source: Source;
  /** Absolute path that was checked. */
  path: string;
  /** Why it was rejected; undefined when it is usable. */
  problem?: string;
}

export interface LookupInput {
  /** The `authlint.path` setting (null/empty when unset). */
  configuredPath?: string | null;
  /** File-system paths of the workspace folders, in order. */
  workspaceFolders: readonly string[];
  /** The extension's install directory (holds `bin/`). */
  extensionPath: string;
  /** Usually `process.env`. Only PATH/Path and PATHEXT are read. */
  env: Readonly<Record<string, string | undefined>>;
  platform?: NodeJS.Platform;
  homeDir?: string;
}

export interface Found {
  source: Source;
  path: string;
}

export interface LookupResult {
  found?: Found;
  attempts: Attempt[];
}

/** The subset of `fs` the lookup uses; injectable for tests. */
export interface FileSystem {
  statSync(p: string): { isFile(): boolean; isDirectory(): boolean };
  accessSync(p: string, mode: number): void;
}

const nodeFs: FileSystem = fs;

/** Expands `~`, `${userHome}` and `${workspaceFolder}` in a user-supplied path. */
export function expandPath(p: string, workspaceFolder: string | undefined, homeDir: string): string {
  let out = p.trim();
  if (out === "~") {
    out = homeDir;
  } else if (out.startsWith("~/") || out.startsWith("~\\")) {
    out = path.join(homeDir, out.slice(2));
  }
  out = out.split("${userHome}").join(homeDir);
  if (workspaceFolder !== undefined) {
    out = out.split("${workspaceFolder}").join(workspaceFolder);
  }
  return out;
}

function pathApi(platform: NodeJS.Platform): typeof path.posix {
  return platform === "win32" ? path.win32 : path.posix;
}

/** Why `p` cannot be executed, or undefined when it can. */
export function checkExecutable(p: string, platform: NodeJS.Platform, fsImpl: FileSystem = nodeFs): string | undefined {
  let st;
  try {
    st = fsImpl.statSync(p);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      return "not found";
    }
    return `cannot be read (${code ?? String(e)})`;
  }
  if (st.isDirectory()) {
    return "is a directory";
  }
  if (!st.isFile()) {
    return "is not a regular file";
  }
  if (platform !== "win32") {
    try {
      fsImpl.accessSync(p, fs.constants.X_OK);
    } catch {
      return "is not executable (chmod +x it)";
    }
  }
  return undefined;
}

function executableNames(platform: NodeJS.Platform, env: LookupInput["env"], base: string): string[] {
  if (platform !== "win32") {
    return [base];
  }
  const exts = (env.PATHEXT ?? env.Pathext ?? ".COM;.EXE;.BAT;.CMD")
    .split(";")
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e.length > 0);
  // `.exe` first: it needs no shell.
  const ordered = [".exe", ...exts.filter((e) => e !== ".exe")];
  return ordered.map((e) => base + e);
}

function pathEntries(platform: NodeJS.Platform, env: LookupInput["env"]): string[] {
  const raw = env.PATH ?? env.Path ?? "";
  const delimiter = platform === "win32" ? ";" : ":";
  const seen = new Set<string>();
  const out: string[] = [];
  for (let dir of raw.split(delimiter)) {
    dir = dir.trim();
    if (platform === "win32" && dir.startsWith('"') && dir.endsWith('"') && dir.length >= 2) {
      dir = dir.slice(1, -1);
    }
    // An empty entry means the current directory, which is meaningless for
    // an editor process: skip it rather than guess.
    if (dir === "" || seen.has(dir)) {
      continue;
    }
    seen.add(dir);
    out.push(dir);
  }
  return out;
}

/** Looks for the server; see the module comment for the order. */
export function findServer(input: LookupInput, fsImpl: FileSystem = nodeFs): LookupResult {
  const platform = input.platform ?? process.platform;
  const p = pathApi(platform);
  const home = input.homeDir ?? os.homedir();
  const attempts: Attempt[] = [];

  const tryPath = (source: Source, candidate: string): Found | undefined => {
    const problem = checkExecutable(candidate, platform, fsImpl);
    attempts.push({ source, path: candidate, problem });
    return problem === undefined ? { source, path: candidate } : undefined;
  };
  const finish = (found: Found | undefined): LookupResult => ({ found, attempts });

  // 1. The setting.
  const configured = input.configuredPath?.trim();
  if (configured) {
    const firstFolder = input.workspaceFolders[0];
    const expanded = expandPath(configured, firstFolder, home);
    const hasSeparator = expanded.includes("/") || (platform === "win32" && expanded.includes("\\"));
    if (!hasSeparator) {
      // A bare command name (e.g. "authlint-nightly"): look it up on PATH.
      for (const dir of pathEntries(platform, input.env)) {
        for (const name of executableNames(platform, input.env, expanded)) {
          const found = tryPath("setting", p.join(dir, name));
          if (found) {
            return finish(found);
          }
        }
      }
      if (pathEntries(platform, input.env).length === 0) {
        attempts.push({ source: "setting", path: expanded, problem: "not found (PATH is empty)" });
      }
    } else {
      const abs = p.isAbsolute(expanded)
        ? expanded
        : firstFolder !== undefined
          ? p.resolve(firstFolder, expanded)
          : undefined;
      if (abs === undefined) {
        attempts.push({ source: "setting", path: expanded, problem: "is relative and no workspace folder is open" });
      } else {
        const found = tryPath("setting", abs);
        if (found) {
          return finish(found);
        }
      }
    }
  }

  // 2. node_modules/.bin of each workspace folder.
  const binNames = platform === "win32" ? ["authlint.exe", "authlint.cmd"] : ["authlint"];
  for (const folder of input.workspaceFolders) {
    for (const name of binNames) {
      const found = tryPath("workspace", p.join(folder, "node_modules", ".bin", name));
      if (found) {
        return finish(found);
      }
    }
  }

  // 3. PATH.
  for (const dir of pathEntries(platform, input.env)) {
    for (const name of executableNames(platform, input.env, "authlint")) {
      const found = tryPath("PATH", p.join(dir, name));
      if (found) {
        return finish(found);
      }
    }
  }

  // 4. Bundled with the extension.
  const bundled = p.join(input.extensionPath, "bin", platform === "win32" ? "authlint.exe" : "authlint");
  return finish(tryPath("bundled", bundled));
}

const SOURCE_LABEL: Record<Source, string> = {
  setting: "the authlint.path setting",
  workspace: "the workspace's node_modules/.bin",
  PATH: "PATH",
  bundled: "the binary bundled with the extension",
};

/** A one-line label for where the server came from, e.g. for the output log. */
export function describeFound(found: Found): string {
  return `${found.path} (from ${SOURCE_LABEL[found.source]})`;
}

/**
 * Every attempt, one per line, grouped by source in lookup order: what the
 * error message and the output channel show when no server was found.
 */
export function describeAttempts(attempts: readonly Attempt[]): string {
  const lines: string[] = [];
  let last: Source | undefined;
  for (const a of attempts) {
    if (a.source !== last) {
      lines.push(`${SOURCE_LABEL[a.source]}:`);
      last = a.source;
    }
    lines.push(`  ${a.path}: ${a.problem ?? "ok"}`);
  }
  return lines.join("\n");
}

/**
 * A short summary for a notification (the full list goes to the output):
 * one entry per source, e.g. `PATH (14 directories)`.
 */
export function summarizeFailure(input: Pick<LookupInput, "configuredPath">, attempts: readonly Attempt[]): string {
  const parts: string[] = [];
  const by = (s: Source) => attempts.filter((a) => a.source === s);
  const setting = by("setting");
  if (setting.length === 1) {
    parts.push(`authlint.path = ${setting[0].path} (${setting[0].problem ?? "ok"})`);
  } else if (setting.length > 1) {
    parts.push(`authlint.path = ${input.configuredPath ?? ""} (searched PATH: not found)`);
  } else {
    parts.push("authlint.path (not set)");
  }
  const ws = by("workspace");
  if (ws.length === 0) {
    parts.push("node_modules/.bin (no workspace folder open)");
  } else {
    const rejected = ws.filter((a) => a.problem !== "not found");
    parts.push(
      rejected.length === 0
        ? `node_modules/.bin in ${ws.length === 1 ? "the workspace" : "each workspace folder"} (not found)`
        : rejected.map((a) => `${a.path} (${a.problem})`).join(", "),
    );
  }
  const onPath = by("PATH");
  const rejectedOnPath = onPath.filter((a) => a.problem !== "not found");
  parts.push(
    rejectedOnPath.length === 0
      ? `PATH (${new Set(onPath.map((a) => pathDirname(a.path))).size} directories, not found)`
      : rejectedOnPath.map((a) => `${a.path} (${a.problem})`).join(", "),
  );
  for (const b of by("bundled")) {
    parts.push(`bundled ${b.path} (${b.problem ?? "ok"})`);
  }
  return parts.join("; ");
}

function pathDirname(p: string): string {
  return p.includes("\\") && !p.includes("/") ? path.win32.dirname(p) : path.posix.dirname(p);
}

/** Whether spawning needs a shell (Windows batch shims from npm). */
export function needsShell(executable: string): boolean {
  const lower = executable.toLowerCase();
  return lower.endsWith(".cmd") || lower.endsWith(".bat");
}
