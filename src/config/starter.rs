//! The commented configuration `authlint init` writes.

/// The commented configuration `authlint init` writes.
pub const STARTER_CONFIG: &str = r#"# authlint.toml: configuration for authlint (https://github.com/authlint/authlint)
#
# authlint looks for this file in the directory of each linted file and then in
# every parent directory; the nearest one wins. `authlint lint --config PATH`
# forces one file. Every key is optional. Unknown keys or values stop the run.

# Inherit another config; keys here win over the inherited ones.
# extends = "../authlint.toml"

# Lint only these paths (globs relative to this file's directory; a pattern
# without `/` matches at any depth).
# include = ["supabase/functions/**", "src/**"]

# Never lint these. node_modules and .gitignored files are always skipped.
# exclude = ["**/*.test.ts", "**/__tests__/**"]

# Per-rule level: "off", "info", "warning" or "error".
[rules]
# require-www-authenticate = "error"
# require-401-logging = "warning"
# prefer-403-for-authorization = "warning"
# prefer-401-for-authentication = "warning"
# valid-www-authenticate = "error"
# no-forwarded-401 = "warning"
# no-401-for-server-error = "warning"
# no-401-for-non-credential-error = "warning"
# no-error-detail-in-401 = "warning"
# bearer-error-code = "info"
# bearer-insufficient-scope = "info"
# mcp-resource-metadata = "warning"
# unused-suppression = "warning"
#
# The table form is the same thing:
# [rules.require-401-logging]
# level = "off"

# The challenge the require-www-authenticate fix inserts.
# The default is `Bearer realm="api"`; set `realm = ""` for a bare scheme.
[challenge]
# scheme = "Bearer"
# realm = "api"
# or the whole header value at once (not with scheme/realm):
# value = 'Basic realm="admin", charset="UTF-8"'

# What counts as logging for require-401-logging, besides console.*, logger,
# log, Sentry.capture* and Python's logging.
[logging]
# loggers = ["audit", "this.telemetry"]
# print = false   # Python: does print() count as logging?

# Your own response helpers, so `jsonError("Missing token", 401)` is checked
# where it is called. `status` and `message` are 0-based argument indexes.
# A class whose construction builds the response is named `new ApiError`.
# [[helpers]]
# name = "jsonError"
# status = 1
# message = 0

# Different rule levels for some paths (globs relative to this file).
# [[overrides]]
# files = ["legacy/**"]
# rules = { prefer-403-for-authorization = "off" }

# Report only findings at least this sure: "high", "medium" (the default) or
# "low" (everything, including guesses from words alone).
# min-confidence = "medium"

# Your own framework packs: an in-house response helper, error class or
# framework described as data (see docs/packs.md).
# packs = ["authlint/acme-http.toml"]

# What part files play, when the built-in detection (test and docs folders,
# generated code, published packages) gets it wrong. Globs relative to this
# file; the first role listed whose globs match wins. Roles: app, library,
# docs, test, generated. Each rule's page says which roles it applies to.
# [roles]
# app = ["examples/**"]
# library = ["packages/auth/**"]
"#;
