import { strict as assert } from "node:assert";
import * as path from "node:path";
import { describe, it } from "node:test";
import {
  changeNeedsRestart,
  DEFAULT_CHALLENGE,
  parseLevel,
  SERVER_KEYS,
  toServerSettings,
  type ConfigReader,
} from "../src/settings";

/** A ConfigReader over a plain object, like WorkspaceConfiguration.get. */
function reader(values: Record<string, unknown>): ConfigReader {
  return {
    get<T>(key: string): T | undefined {
      return values[key] as T | undefined;
    },
  };
}

const WS = path.resolve("/work/project");
const HOME = path.resolve("/home/dev");

describe("toServerSettings", () => {
  it("overrides nothing when nothing is set", () => {
    const { settings, problems } = toServerSettings(reader({}), { homeDir: HOME });
    // challenge null: authlint.toml's challenge (or the server's default) applies.
    assert.deepEqual(settings, {
      enable: true,
      rules: {},
      challenge: null,
      loggers: [],
      configPath: null,
    });
    assert.deepEqual(Object.keys(settings), [...SERVER_KEYS]);
    assert.deepEqual(problems, []);
  });

  it("maps every setting to the server's shape", () => {
    const { settings, problems } = toServerSettings(
      reader({
        enable: false,
        rules: { "require-401-logging": "off", "no-forwarded-401": "error" },
        challenge: 'Basic realm="admin", charset="UTF-8"',
        loggers: ["audit", "metrics"],
        configPath: "config/authlint.toml",
        // Client-only settings never reach the server.
        path: "/opt/authlint",
        "trace.server": "verbose",
      }),
      { workspaceFolder: WS, homeDir: HOME },
    );
    assert.deepEqual(settings, {
      enable: false,
      rules: { "no-forwarded-401": "error", "require-401-logging": "off" },
      challenge: 'Basic realm="admin", charset="UTF-8"',
      loggers: ["audit", "metrics"],
      configPath: path.join(WS, "config/authlint.toml"),
    });
    assert.deepEqual(problems, []);
    // What goes over the wire: exactly these keys, JSON-serializable.
    assert.deepEqual(JSON.parse(JSON.stringify(settings)), settings);
  });

  it("normalizes severities and drops values that are not severities", () => {
    const { settings, problems } = toServerSettings(
      reader({
        rules: {
          "require-www-authenticate": "WARN",
          "prefer-403-for-authorization": " Information ",
          "valid-www-authenticate": "loud",
          "require-401-logging": 2,
        },
      }),
    );
    assert.deepEqual(settings.rules, {
      "prefer-403-for-authorization": "info",
      "require-www-authenticate": "warning",
    });
    assert.equal(problems.length, 2);
    assert.match(problems.join("\n"), /valid-www-authenticate.*"loud"/);
    assert.match(problems.join("\n"), /require-401-logging.*2/);
  });

  it("passes unknown rule ids through but reports them", () => {
    const { settings, problems } = toServerSettings(reader({ rules: { "some-future-rule": "error" } }));
    assert.deepEqual(settings.rules, { "some-future-rule": "error" });
    assert.equal(problems.length, 1);
    assert.match(problems[0], /unknown rule "some-future-rule"/);
  });

  it("ignores a rules value that is not an object", () => {
    const { settings, problems } = toServerSettings(reader({ rules: ["require-401-logging"] }));
    assert.deepEqual(settings.rules, {});
    assert.equal(problems.length, 1);
  });

  it("sends a challenge only when one is set", () => {
    const blank = toServerSettings(reader({ challenge: "   " }));
    assert.equal(blank.settings.challenge, null);
    assert.equal(blank.problems.length, 1);
    assert.deepEqual(toServerSettings(reader({ challenge: "" })).problems, []);
    assert.equal(toServerSettings(reader({ challenge: "" })).settings.challenge, null);
    const wrongType = toServerSettings(reader({ challenge: 42 }));
    assert.equal(wrongType.settings.challenge, null);
    assert.match(wrongType.problems[0], new RegExp(DEFAULT_CHALLENGE.replace(/"/g, '"')));
    assert.equal(toServerSettings(reader({ challenge: '  Bearer realm="x"  ' })).settings.challenge, 'Bearer realm="x"');
  });

  it("cleans up logger names", () => {
    const { settings, problems } = toServerSettings(reader({ loggers: [" audit ", "audit", "", 3, "pino"] }));
    assert.deepEqual(settings.loggers, ["audit", "pino"]);
    assert.equal(problems.length, 2);
    assert.deepEqual(toServerSettings(reader({ loggers: "audit" })).settings.loggers, ["audit"]);
  });

  it("resolves configPath", () => {
    const map = (configPath: unknown) => toServerSettings(reader({ configPath }), { workspaceFolder: WS, homeDir: HOME });
    assert.equal(map(null).settings.configPath, null);
    assert.equal(map("").settings.configPath, null);
    assert.equal(map("  ").settings.configPath, null);
    assert.equal(map("/etc/authlint.toml").settings.configPath, "/etc/authlint.toml");
    assert.equal(map("~/authlint.toml").settings.configPath, path.join(HOME, "authlint.toml"));
    assert.equal(map("${workspaceFolder}/ci/authlint.toml").settings.configPath, `${WS}/ci/authlint.toml`);
    assert.equal(map("../shared/authlint.toml").settings.configPath, path.resolve(WS, "../shared/authlint.toml"));
    const noFolder = toServerSettings(reader({ configPath: "authlint.toml" }), { homeDir: HOME });
    assert.equal(noFolder.settings.configPath, "authlint.toml");
    assert.equal(noFolder.problems.length, 1);
    assert.equal(map(42).settings.configPath, null);
    assert.equal(map(42).problems.length, 1);
  });

  it("treats a non-boolean enable as true and says so", () => {
    const { settings, problems } = toServerSettings(reader({ enable: "no" }));
    assert.equal(settings.enable, true);
    assert.equal(problems.length, 1);
  });
});

describe("parseLevel", () => {
  it("accepts the four levels and common spellings", () => {
    assert.equal(parseLevel("off"), "off");
    assert.equal(parseLevel("Info"), "info");
    assert.equal(parseLevel("hint"), "info");
    assert.equal(parseLevel("warning"), "warning");
    assert.equal(parseLevel("warn"), "warning");
    assert.equal(parseLevel("ERROR"), "error");
    assert.equal(parseLevel("fatal"), undefined);
    assert.equal(parseLevel(undefined), undefined);
    assert.equal(parseLevel(true), undefined);
  });
});

describe("configuration changes", () => {
  const affects = (...keys: string[]) => (k: string) => keys.some((key) => key === k || key.startsWith(`${k}.`));

  it("restarts only when the executable changes", () => {
    assert.equal(changeNeedsRestart(affects("authlint.path")), true);
    assert.equal(changeNeedsRestart(affects("authlint.rules")), false);
    assert.equal(changeNeedsRestart(affects("authlint.trace.server")), false);
  });
});
