// Mapping VS Code's `authlint.*` settings to the JSON the server expects (in
// `initializationOptions`, in answers to `workspace/configuration` for the
// section "authlint", and in `workspace/didChangeConfiguration`). Plain Node:
// no `vscode` import, so it is unit-tested without an editor.

import * as os from "node:os";
import * as path from "node:path";
import { expandPath } from "./lookup";

export const SECTION = "authlint";

/** VS Code language ids the server lints (documentSelector, activation). */
export const LANGUAGES = ["typescript", "typescriptreact", "javascript", "javascriptreact", "python"] as const;

/** The fix-all code action kind the server offers. */
export const FIX_ALL_KIND = "source.fixAll.authlint";

/** Commands the extension registers. */
export const COMMANDS = ["authlint.restartServer", "authlint.fixAll", "authlint.showOutput"] as const;

export const RULE_IDS = [
  "require-www-authenticate",
  "require-401-logging",
  "prefer-403-for-authorization",
  "prefer-401-for-authentication",
  "valid-www-authenticate",
  "no-forwarded-401",
  "no-401-for-server-error",
  "no-error-detail-in-401",
  "bearer-error-code",
  "unused-suppression",
] as const;

export const LEVELS = ["off", "info", "warning", "error"] as const;
export type Level = (typeof LEVELS)[number];

/**
 * What the server uses when neither the editor nor `authlint.toml` sets a
 * challenge. The extension sends `challenge: null` unless the user set one,
 * so an `authlint.toml` challenge is not overridden by a default.
 */
export const DEFAULT_CHALLENGE = 'Bearer realm="api"';

/** Exactly the shape `authlint lsp` reads (null: no editor override). */
export interface ServerSettings {
  enable: boolean;
  rules: Record<string, Level>;
  challenge: string | null;
  loggers: string[];
  configPath: string | null;
}

/** The keys under `authlint.` that are sent to the server. */
export const SERVER_KEYS = ["enable", "rules", "challenge", "loggers", "configPath"] as const;
/** The keys under `authlint.` that only the extension reads. */
export const CLIENT_KEYS = ["path", "trace.server"] as const;

/** What `vscode.WorkspaceConfiguration` offers; a plain object works in tests. */
export interface ConfigReader {
  get<T>(key: string): T | undefined;
}

export interface MappingContext {
  /** Folder the settings apply to; resolves relative `configPath`. */
  workspaceFolder?: string;
  homeDir?: string;
}

export interface Mapped {
  settings: ServerSettings;
  /** Human-readable problems with the user's values (shown in the output). */
  problems: string[];
}

const LEVEL_ALIASES: Record<string, Level> = {
  off: "off",
  none: "off",
  info: "info",
  information: "info",
  hint: "info",
  warning: "warning",
  warn: "warning",
  error: "error",
};

/** Normalizes a severity as users write it; undefined when it is not one. */
export function parseLevel(value: unknown): Level | undefined {
  if (typeof value !== "string") {
    return undefined;
  }
  return LEVEL_ALIASES[value.trim().toLowerCase()];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Maps the `authlint.*` settings of one scope to the server's JSON. */
export function toServerSettings(cfg: ConfigReader, ctx: MappingContext = {}): Mapped {
  const problems: string[] = [];
  const home = ctx.homeDir ?? os.homedir();

  // enable
  const enableRaw = cfg.get<unknown>("enable");
  let enable = true;
  if (typeof enableRaw === "boolean") {
    enable = enableRaw;
  } else if (enableRaw !== undefined && enableRaw !== null) {
    problems.push(`authlint.enable must be true or false, got ${JSON.stringify(enableRaw)}; using true`);
  }

  // rules
  const rules: Record<string, Level> = {};
  const rulesRaw = cfg.get<unknown>("rules");
  if (isRecord(rulesRaw)) {
    for (const id of Object.keys(rulesRaw).sort()) {
      const level = parseLevel(rulesRaw[id]);
      if (level === undefined) {
        problems.push(
          `authlint.rules["${id}"]: ${JSON.stringify(rulesRaw[id])} is not one of ${LEVELS.join(", ")}; ignored`,
        );
        continue;
      }
      if (!(RULE_IDS as readonly string[]).includes(id)) {
        // Passed through: a newer server may know it.
        problems.push(`authlint.rules: unknown rule "${id}" (known: ${RULE_IDS.join(", ")})`);
      }
      rules[id] = level;
    }
  } else if (rulesRaw !== undefined && rulesRaw !== null) {
    problems.push(`authlint.rules must be an object of rule id to severity; ignored`);
  }

  // challenge: null leaves it to authlint.toml (or the server's default).
  const challengeRaw = cfg.get<unknown>("challenge");
  let challenge: string | null = null;
  if (typeof challengeRaw === "string" && challengeRaw.trim() !== "") {
    challenge = challengeRaw.trim();
  } else if (challengeRaw !== undefined && challengeRaw !== null && challengeRaw !== "") {
    problems.push(`authlint.challenge must be a string such as ${DEFAULT_CHALLENGE}; ignored`);
  }

  // loggers
  const loggers: string[] = [];
  const loggersRaw = cfg.get<unknown>("loggers");
  if (Array.isArray(loggersRaw)) {
    for (const l of loggersRaw) {
      if (typeof l === "string" && l.trim() !== "") {
        const name = l.trim();
        if (!loggers.includes(name)) {
          loggers.push(name);
        }
      } else {
        problems.push(`authlint.loggers: ${JSON.stringify(l)} is not a name; ignored`);
      }
    }
  } else if (typeof loggersRaw === "string" && loggersRaw.trim() !== "") {
    // A single name typed where a list was expected.
    loggers.push(loggersRaw.trim());
  } else if (loggersRaw !== undefined && loggersRaw !== null) {
    problems.push(`authlint.loggers must be a list of names; ignored`);
  }

  // configPath
  const configRaw = cfg.get<unknown>("configPath");
  let configPath: string | null = null;
  if (typeof configRaw === "string" && configRaw.trim() !== "") {
    const expanded = expandPath(configRaw, ctx.workspaceFolder, home);
    if (path.isAbsolute(expanded) || path.win32.isAbsolute(expanded)) {
      configPath = expanded;
    } else if (ctx.workspaceFolder !== undefined) {
      configPath = path.resolve(ctx.workspaceFolder, expanded);
    } else {
      configPath = expanded;
      problems.push(`authlint.configPath "${configRaw}" is relative but no workspace folder is open; sent as is`);
    }
  } else if (configRaw !== undefined && configRaw !== null && configRaw !== "") {
    problems.push(`authlint.configPath must be a path string; ignored`);
  }

  return { settings: { enable, rules, challenge, loggers, configPath }, problems };
}

/** Whether a configuration change (by affected key) needs a server restart rather than a push. */
export function changeNeedsRestart(affects: (key: string) => boolean): boolean {
  return affects(`${SECTION}.path`);
}
