// package.json and the code must agree: settings, languages, commands, the
// fix-all kind, and the bundle must be self-contained.

import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import { builtinModules } from "node:module";
import * as path from "node:path";
import { describe, it } from "node:test";
import {
  CLIENT_KEYS,
  COMMANDS,
  DEFAULT_CHALLENGE,
  FIX_ALL_KIND,
  LANGUAGES,
  LEVELS,
  RULE_IDS,
  SERVER_KEYS,
  toServerSettings,
} from "../src/settings";

// Compiled to out/test/, so the package root is two levels up.
const ROOT = path.resolve(__dirname, "..", "..");
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

interface Property {
  type: string | string[];
  default?: unknown;
  markdownDescription?: string;
  enum?: string[];
  properties?: Record<string, { enum?: string[] }>;
  additionalProperties?: { enum?: string[] };
}
const props: Record<string, Property> = pkg.contributes.configuration.properties;

describe("package.json", () => {
  it("declares exactly the authlint.* settings the code reads", () => {
    const expected = [...SERVER_KEYS, ...CLIENT_KEYS].map((k) => `authlint.${k}`).sort();
    assert.deepEqual(Object.keys(props).sort(), expected);
  });

  it("offers every rule id with the four severities", () => {
    const rules = props["authlint.rules"];
    assert.deepEqual(Object.keys(rules.properties ?? {}).sort(), [...RULE_IDS].sort());
    for (const [id, p] of Object.entries(rules.properties ?? {})) {
      assert.deepEqual(p.enum, [...LEVELS], id);
    }
    assert.deepEqual(rules.additionalProperties?.enum, [...LEVELS]);
  });

  it("has defaults that map to the server's defaults", () => {
    const defaults: Record<string, unknown> = {};
    for (const k of SERVER_KEYS) {
      defaults[k] = props[`authlint.${k}`].default;
    }
    const { settings, problems } = toServerSettings({ get: <T>(k: string) => defaults[k] as T });
    assert.deepEqual(problems, []);
    // Nothing overrides authlint.toml until the user sets it.
    assert.deepEqual(settings, { enable: true, rules: {}, challenge: null, loggers: [], configPath: null });
    assert.match(props["authlint.challenge"].markdownDescription ?? "", new RegExp(DEFAULT_CHALLENGE));
    assert.deepEqual(props["authlint.trace.server"].enum, ["off", "messages", "verbose"]);
  });

  it("activates for every linted language", () => {
    for (const lang of LANGUAGES) {
      assert.ok(pkg.activationEvents.includes(`onLanguage:${lang}`), lang);
    }
  });

  it("contributes the commands the extension registers", () => {
    const declared = pkg.contributes.commands.map((c: { command: string }) => c.command).sort();
    assert.deepEqual(declared, [...COMMANDS].sort());
    const source = fs.readFileSync(path.join(ROOT, "src", "extension.ts"), "utf8");
    const registered = [...source.matchAll(/registerCommand\("([^"]+)"/g)].map((m) => m[1]).sort();
    assert.deepEqual(registered, [...COMMANDS].sort());
  });

  it("declares the fix-all code action kind for codeActionsOnSave", () => {
    const kinds = pkg.contributes.codeActions.flatMap((c: { actions: { kind: string }[] }) =>
      c.actions.map((a) => a.kind),
    );
    assert.ok(kinds.includes(FIX_ALL_KIND));
    for (const entry of pkg.contributes.codeActions) {
      assert.deepEqual([...entry.languages].sort(), [...LANGUAGES].sort());
    }
  });

  it("pins every dependency exactly", () => {
    for (const [name, version] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })) {
      assert.match(String(version), /^\d+\.\d+\.\d+$/, `${name}@${version}`);
    }
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));
    assert.equal(lock.packages[""].dependencies["vscode-languageclient"], pkg.dependencies["vscode-languageclient"]);
    assert.equal(lock.packages["node_modules/vscode-languageclient"].version, pkg.dependencies["vscode-languageclient"]);
  });

  it("keeps @types/vscode no newer than the minimum engine", () => {
    const engine = String(pkg.engines.vscode).replace(/^\^/, "");
    assert.equal(pkg.devDependencies["@types/vscode"], engine);
  });
});

describe("dist/extension.js", () => {
  const bundle = path.join(ROOT, "dist", "extension.js");

  it("is built and needs nothing but vscode and Node built-ins at run time", () => {
    assert.ok(fs.existsSync(bundle), "run `npm run bundle` first");
    const code = fs.readFileSync(bundle, "utf8");
    const required = new Set([...code.matchAll(/\brequire\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1]));
    assert.ok(required.has("vscode"), "the bundle must load vscode");
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    const foreign = [...required].filter((m) => m !== "vscode" && !builtins.has(m));
    assert.deepEqual(foreign, [], "these would be missing from the .vsix");
    // vscode-languageclient is inside, not external.
    assert.ok(code.includes("workspace/didChangeConfiguration"));
    assert.ok(code.includes(FIX_ALL_KIND));
  });
});
