//! End-to-end tests of `authlint lsp`: the real binary over pipes, spoken to
//! the way an editor does.

#[path = "support/lsp_client.rs"]
mod lsp_client;

use lsp_client::*;
use serde_json::{json, Value};

const RULE: &str = "require-www-authenticate";

/// A handler whose 401 has no challenge and no log line.
const HANDLER: &str = "export function handler(req: Request): Response {
  if (!req.headers.get(\"authorization\")) {
    return new Response('no', { status: 401 });
  }
  return new Response('ok');
}
";

fn codes(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}

fn find<'a>(diags: &'a [Value], code: &str) -> &'a Value {
    diags
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code} among {diags:#?}"))
}

/// The text a diagnostic's range covers.
fn covered<'a>(text: &'a str, d: &Value, utf8: bool) -> &'a str {
    &text[offset(text, &d["range"]["start"], utf8)..offset(text, &d["range"]["end"], utf8)]
}

fn code_actions(c: &mut LspClient, uri: &str, range: &Value, only: Option<&[&str]>) -> Vec<Value> {
    let mut context = json!({ "diagnostics": [] });
    if let Some(only) = only {
        context["only"] = json!(only);
    }
    c.request_ok(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": range, "context": context }),
    )
    .as_array()
    .cloned()
    .unwrap_or_default()
}

fn full_change(c: &LspClient, uri: &str, version: i64, text: &str) {
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] }),
    );
}

/// Waits for a `publishDiagnostics` of `uri` whose diagnostics satisfy `pred`.
fn diagnostics_where(c: &mut LspClient, uri: &str, pred: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let m = c.wait_for(&format!("matching diagnostics for {uri}"), |m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == uri
            && pred(m["params"]["diagnostics"].as_array().map_or(&[][..], |v| v))
    });
    m["params"]["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn initialize_negotiates_encoding_and_capabilities() {
    let (c, init) = LspClient::start(capabilities(false, true), Value::Null);
    let caps = &init["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-8");
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
    assert_eq!(caps["textDocumentSync"]["openClose"], true);
    let kinds = caps["codeActionProvider"]["codeActionKinds"]
        .as_array()
        .unwrap();
    assert!(kinds.contains(&json!("quickfix")));
    assert!(kinds.contains(&json!("source.fixAll.authlint")));
    assert_eq!(caps["hoverProvider"], true);
    assert!(
        caps.get("diagnosticProvider").is_none(),
        "push-only client: {caps}"
    );
    assert_eq!(init["serverInfo"]["name"], "authlint");
    assert!(c.shutdown().success());

    let (c, init) = LspClient::start(capabilities(true, false), Value::Null);
    let caps = &init["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["diagnosticProvider"]["identifier"], "authlint");
    assert_eq!(caps["diagnosticProvider"]["interFileDependencies"], true);
    assert!(c.shutdown().success());

    // A client that says nothing about encodings gets UTF-16.
    let (c, init) = LspClient::start(json!({}), Value::Null);
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    assert!(c.shutdown().success());
}

#[test]
fn diagnostics_are_pushed_on_open_and_every_change() {
    let (mut c, _) = LspClient::start(capabilities(false, false), Value::Null);
    let uri = "file:///tmp/authlint-lsp-push/handler.ts";
    c.open(uri, "typescript", 1, HANDLER);
    let diags = c.diagnostics(uri, 1);
    let d = find(&diags, RULE);
    assert_eq!(d["severity"], 1);
    assert_eq!(d["source"], "authlint");
    assert!(d["codeDescription"]["href"]
        .as_str()
        .unwrap()
        .ends_with("require-www-authenticate.md"));
    assert_eq!(
        covered(HANDLER, d, false),
        "new Response('no', { status: 401 })"
    );
    let related = d["relatedInformation"]
        .as_array()
        .expect("related information");
    assert_eq!(related[0]["location"]["uri"], uri);
    assert_eq!(covered(HANDLER, &related[0]["location"], false), "401");
    assert_eq!(find(&diags, "require-401-logging")["severity"], 2);

    // 401 -> 200, incrementally: the findings go.
    let at = HANDLER.find("401").unwrap();
    let text = c.change(uri, 2, HANDLER, at, at + 3, "200");
    assert_eq!(c.diagnostics(uri, 2), Vec::<Value>::new());
    // And come back.
    let text = c.change(uri, 3, &text, at, at + 3, "401");
    assert_eq!(text, HANDLER);
    assert!(codes(&c.diagnostics(uri, 3)).contains(&RULE.to_string()));
    assert!(c.shutdown().success());
}

/// A finding whose place stays the same while its text changes is
/// published with the new text (the server copies the JSON of findings it
/// published before only when they are the same in every field).
#[test]
fn a_finding_that_changes_only_its_text_is_published_anew() {
    let text = "export function handler(req: Request, user: User): Response {
  if (!check(user)) {
    return new Response('admin only', { status: 401 })
  }
  return new Response('ok')
}
";
    let (mut c, _) = LspClient::start(capabilities(false, false), Value::Null);
    let uri = "file:///tmp/authlint-lsp-same-place/handler.ts";
    c.open(uri, "typescript", 1, text);
    let before = find(&c.diagnostics(uri, 1), "prefer-403-for-authorization").clone();
    assert!(
        before["message"]
            .as_str()
            .unwrap()
            .contains("\"admin only\""),
        "{before}"
    );
    // The same length: every finding keeps its range.
    let at = text.find("admin only").unwrap();
    c.change(uri, 2, text, at + 6, at + 10, "role");
    let after = c.diagnostics(uri, 2);
    let d = find(&after, "prefer-403-for-authorization");
    assert_eq!(d["range"], before["range"]);
    assert!(d["message"].as_str().unwrap().contains("\"role\""), "{d}");
    assert!(c.shutdown().success());
}

/// The quick fix for a 401 without a challenge, in both encodings, on a
/// line where UTF-8 and UTF-16 columns differ.
#[test]
fn quick_fix_adds_the_challenge_header() {
    for utf8 in [false, true] {
        let text = HANDLER.replace("'no'", "'😀 no'");
        let (mut c, _) = LspClient::start(capabilities(false, utf8), Value::Null);
        assert_eq!(c.utf8, utf8);
        let uri = "file:///tmp/authlint-lsp-fix/handler.ts";
        c.open(uri, "typescript", 1, &text);
        let diags = c.diagnostics(uri, 1);
        let d = find(&diags, RULE);
        assert_eq!(
            covered(&text, d, utf8),
            "new Response('😀 no', { status: 401 })"
        );
        let actions = code_actions(&mut c, uri, &d["range"], None);
        let fix = actions
            .iter()
            .find(|a| {
                a["kind"] == "quickfix"
                    && a["diagnostics"][0]["code"] == RULE
                    && !a["title"].as_str().unwrap().starts_with("Ignore")
            })
            .unwrap_or_else(|| panic!("no quick fix in {actions:#?}"));
        assert_eq!(fix["isPreferred"], true, "safe fixes are preferred");
        let preferred = actions
            .iter()
            .filter(|a| a["isPreferred"] == true && a["diagnostics"][0]["code"] == RULE)
            .count();
        assert_eq!(preferred, 1);
        let fixed = apply_edits(&text, &edits_for(&fix["edit"], uri), utf8);
        assert!(
            fixed.contains("return new Response('😀 no', { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm=\"api\"' } });"),
            "{fixed}"
        );
        full_change(&c, uri, 2, &fixed);
        assert!(!codes(&c.diagnostics(uri, 2)).contains(&RULE.to_string()));
        assert!(c.shutdown().success());
    }
}

#[test]
fn ignore_actions_insert_suppression_comments() {
    let (mut c, _) = LspClient::start(capabilities(false, false), Value::Null);
    let uri = "file:///tmp/authlint-lsp-ignore/handler.ts";
    c.open(uri, "typescript", 1, HANDLER);
    let diags = c.diagnostics(uri, 1);
    let d = find(&diags, RULE);
    let actions = code_actions(&mut c, uri, &d["range"], Some(&["quickfix"]));
    let title = |t: &str| {
        actions
            .iter()
            .find(|a| a["title"] == t)
            .unwrap_or_else(|| panic!("no {t:?} in {actions:#?}"))
            .clone()
    };
    let line = title("Ignore require-www-authenticate for this line");
    let text = apply_edits(HANDLER, &edits_for(&line["edit"], uri), false);
    assert!(text.contains(
        "  if (!req.headers.get(\"authorization\")) {\n    // authlint-ignore require-www-authenticate: <reason>\n    return new Response("
    ));
    // With a reason filled in, the finding is gone (suppressed ones are hidden).
    let text = text.replace("<reason>", "legacy client cannot handle challenges");
    full_change(&c, uri, 2, &text);
    let after = c.diagnostics(uri, 2);
    assert!(!codes(&after).contains(&RULE.to_string()), "{after:#?}");
    assert!(codes(&after).contains(&"require-401-logging".to_string()));

    let file = title("Ignore require-401-logging for this file");
    let text = apply_edits(HANDLER, &edits_for(&file["edit"], uri), false);
    assert!(
        text.starts_with("// authlint-ignore-file require-401-logging: <reason>\nexport function")
    );
    assert!(c.shutdown().success());
}

#[test]
fn fix_all_applies_safe_fixes_only() {
    // One safe fix (challenge) + one safe fix (log line) in the first
    // handler; an unsafe 401 -> 403 swap in the second.
    let text = format!(
        "{HANDLER}
export function admin(req: Request, user: {{ isAdmin: boolean }}): Response {{
  if (!user.isAdmin) {{
    console.error('not admin');
    return new Response('admin only', {{ status: 401, headers: {{ 'WWW-Authenticate': 'Bearer' }} }});
  }}
  return new Response('ok');
}}
"
    );
    let (mut c, _) = LspClient::start(capabilities(false, false), Value::Null);
    let uri = "file:///tmp/authlint-lsp-fixall/handler.ts";
    c.open(uri, "typescript", 1, &text);
    let diags = c.diagnostics(uri, 1);
    let swap = find(&diags, "prefer-403-for-authorization");
    let everything =
        json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 999, "character": 0 } });

    let only_quickfix = code_actions(&mut c, uri, &everything, Some(&["quickfix"]));
    assert!(only_quickfix.iter().all(|a| a["kind"] == "quickfix"));
    let unsafe_fix = only_quickfix
        .iter()
        .find(|a| a["title"] == "Use 403 instead of 401")
        .expect("the unsafe fix is offered as a quick fix");
    assert_ne!(unsafe_fix["isPreferred"], true);
    let _ = swap;

    let fix_all = code_actions(&mut c, uri, &everything, Some(&["source.fixAll"]));
    assert_eq!(fix_all.len(), 1, "{fix_all:#?}");
    assert_eq!(fix_all[0]["kind"], "source.fixAll.authlint");
    let fixed = apply_edits(&text, &edits_for(&fix_all[0]["edit"], uri), false);
    assert!(
        fixed.contains("'WWW-Authenticate': 'Bearer realm=\"api\"'"),
        "{fixed}"
    );
    assert!(
        fixed.contains("console.warn('Returning 401 - reason:'"),
        "{fixed}"
    );
    assert!(
        fixed.contains("'admin only', { status: 401,"),
        "the unsafe swap stays out: {fixed}"
    );
    full_change(&c, uri, 2, &fixed);
    let after = codes(&c.diagnostics(uri, 2));
    assert_eq!(after, vec!["prefer-403-for-authorization".to_string()]);
    // Nothing safe left: no fix-all action.
    assert!(code_actions(&mut c, uri, &everything, Some(&["source.fixAll.authlint"])).is_empty());
    // An unrelated filter gets nothing.
    assert!(code_actions(&mut c, uri, &everything, Some(&["refactor"])).is_empty());
    assert!(c.shutdown().success());
}

#[test]
fn fix_all_command_applies_through_the_client() {
    let (mut c, _) = LspClient::start(capabilities(false, false), Value::Null);
    let uri = "file:///tmp/authlint-lsp-fixall-cmd/handler.ts";
    c.open(uri, "typescript", 1, HANDLER);
    c.diagnostics(uri, 1);
    c.request_ok(
        "workspace/executeCommand",
        json!({ "command": "authlint.server.fixAll", "arguments": [uri] }),
    );
    let apply = c.wait_for("workspace/applyEdit", |m| {
        m["method"] == "workspace/applyEdit"
    });
    let fixed = apply_edits(HANDLER, &edits_for(&apply["params"]["edit"], uri), false);
    assert!(fixed.contains("WWW-Authenticate"), "{fixed}");
    assert!(c.shutdown().success());
}

#[test]
fn hover_explains_flagged_code_and_suppression_comments() {
    let (mut c, _) = LspClient::start(capabilities(false, false), Value::Null);
    let uri = "file:///tmp/authlint-lsp-hover/handler.ts";
    let text =
        format!("// authlint-ignore-file require-401-logging: logged by the middleware\n{HANDLER}");
    c.open(uri, "typescript", 1, &text);
    let diags = c.diagnostics(uri, 1);
    let d = find(&diags, RULE);
    let hover = |c: &mut LspClient, pos: Value| {
        c.request_ok(
            "textDocument/hover",
            json!({ "textDocument": { "uri": uri }, "position": pos }),
        )
    };
    let h = hover(&mut c, d["range"]["start"].clone());
    assert_eq!(h["contents"]["kind"], "markdown");
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(md.contains("**require-www-authenticate**"), "{md}");
    assert!(md.contains("RFC 9110"), "{md}");
    assert!(!md.starts_with("# "), "the page title is trimmed");

    let on_comment = hover(&mut c, json!({ "line": 0, "character": 30 }));
    let md = on_comment["contents"]["value"].as_str().unwrap();
    assert!(md.contains("**require-401-logging**"), "{md}");
    assert_eq!(
        on_comment["range"]["start"],
        json!({ "line": 0, "character": 24 })
    );
    assert_eq!(
        on_comment["range"]["end"],
        json!({ "line": 0, "character": 43 })
    );

    // Nothing to explain on `export`.
    assert_eq!(
        hover(&mut c, json!({ "line": 1, "character": 2 })),
        Value::Null
    );
    assert!(c.shutdown().success());
}

#[test]
fn settings_come_from_init_options_and_reload_on_configuration_change() {
    let (mut c, _) = LspClient::start(
        capabilities(false, false),
        json!({ "enable": true, "rules": { "require-401-logging": "off" }, "configPath": null }),
    );
    let uri = "file:///tmp/authlint-lsp-settings/handler.ts";
    c.open(uri, "typescript", 1, HANDLER);
    let diags = c.diagnostics(uri, 1);
    assert_eq!(codes(&diags), vec![RULE.to_string()], "logging rule is off");

    *c.configuration.lock().unwrap() = json!({
        "rules": { "require-401-logging": "off", "require-www-authenticate": "info" },
        "challenge": "Basic realm=\"admin\"",
    });
    c.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": null }),
    );
    let diags = diagnostics_where(&mut c, uri, |d| {
        d.iter().any(|d| d["code"] == RULE && d["severity"] == 3)
    });
    assert_eq!(diags.len(), 1);
    // The configured challenge is what the fix inserts.
    let actions = code_actions(&mut c, uri, &diags[0]["range"], Some(&["quickfix"]));
    let fixed = apply_edits(HANDLER, &edits_for(&actions[0]["edit"], uri), false);
    assert!(
        fixed.contains("Basic realm=\\\"admin\\\"") || fixed.contains("Basic realm=\"admin\""),
        "{fixed}"
    );

    // `enable: false` clears everything.
    *c.configuration.lock().unwrap() = json!({ "enable": false });
    c.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": null }),
    );
    diagnostics_where(&mut c, uri, |d| d.is_empty());
    // The server asked for the `authlint` section.
    let asked = c.server_requests.lock().unwrap().clone();
    assert!(asked
        .iter()
        .any(|r| r["method"] == "workspace/configuration"
            && r["params"]["items"][0]["section"] == "authlint"));
    assert!(c.shutdown().success());
}

#[test]
fn settings_without_workspace_configuration_come_in_the_notification() {
    let mut caps = capabilities(false, false);
    caps["workspace"]["configuration"] = json!(false);
    let (mut c, _) = LspClient::start(caps, Value::Null);
    let uri = "file:///tmp/authlint-lsp-settings2/handler.ts";
    c.open(uri, "typescript", 1, HANDLER);
    assert_eq!(c.diagnostics(uri, 1).len(), 2);
    c.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "authlint": { "rules": { "require-www-authenticate": "off" } } } }),
    );
    let diags = diagnostics_where(&mut c, uri, |d| d.len() == 1);
    assert_eq!(codes(&diags), vec!["require-401-logging".to_string()]);
    assert!(c.shutdown().success());
}

#[test]
fn authlint_toml_is_read_watched_and_a_broken_one_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let config = root.join("authlint.toml");
    std::fs::write(&config, "[rules]\nrequire-401-logging = \"loud\"\n").unwrap();
    std::fs::create_dir_all(root.join("functions")).unwrap();
    let ts = root.join("functions/handler.ts");
    std::fs::write(&ts, HANDLER).unwrap();
    let (ts_uri, config_uri) = (file_uri(&ts), file_uri(&config));

    let (mut c, _) = LspClient::start_in(
        &root,
        Some(&file_uri(&root)),
        capabilities(false, false),
        Value::Null,
    );
    c.open(&ts_uri, "typescript", 1, HANDLER);
    let shown = c.wait_for("showMessage", |m| m["method"] == "window/showMessage");
    assert_eq!(shown["params"]["type"], 1, "an error: {shown}");
    let msg = shown["params"]["message"].as_str().unwrap();
    assert!(
        msg.contains("authlint.toml:3:") || msg.contains("authlint.toml:2:"),
        "{msg}"
    );
    // Linting goes on with the defaults.
    assert_eq!(c.diagnostics(&ts_uri, 1).len(), 2);
    // Open the config file: its problem is shown on it.
    c.open(
        &config_uri,
        "toml",
        1,
        "[rules]\nrequire-401-logging = \"loud\"\n",
    );
    let on_config = c.diagnostics(&config_uri, 1);
    assert_eq!(on_config.len(), 1, "{on_config:#?}");
    assert_eq!(on_config[0]["range"]["start"]["line"], 1);
    assert_eq!(on_config[0]["severity"], 1);

    // The server registered a watcher for authlint.toml.
    let registered = c.wait_for("registerCapability", |m| {
        m["method"] == "client/registerCapability"
    });
    let watchers = registered["params"]["registrations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["method"] == "workspace/didChangeWatchedFiles")
        .expect("watcher registration")["registerOptions"]["watchers"]
        .clone();
    assert!(watchers
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w["globPattern"] == "**/authlint.toml"));

    // Fix it on disk and tell the server.
    std::fs::write(&config, "[rules]\nrequire-401-logging = \"off\"\n").unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": config_uri, "type": 2 }] }),
    );
    let diags = diagnostics_where(&mut c, &ts_uri, |d| d.len() == 1);
    assert_eq!(codes(&diags), vec![RULE.to_string()]);
    diagnostics_where(&mut c, &config_uri, |d| d.is_empty());

    // Editor settings win over the file.
    *c.configuration.lock().unwrap() = json!({ "rules": { "require-401-logging": "error" } });
    c.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": null }),
    );
    let diags = diagnostics_where(&mut c, &ts_uri, |d| d.len() == 2);
    assert_eq!(find(&diags, "require-401-logging")["severity"], 1);
    assert!(c.shutdown().success());
}

#[test]
fn pull_diagnostics_when_the_client_supports_them() {
    let (mut c, init) = LspClient::start(capabilities(true, false), Value::Null);
    assert!(init["capabilities"]["diagnosticProvider"].is_object());
    let uri = "file:///tmp/authlint-lsp-pull/handler.ts";
    c.open(uri, "typescript", 1, HANDLER);
    let pull = |c: &mut LspClient| {
        c.request_ok(
            "textDocument/diagnostic",
            json!({ "textDocument": { "uri": uri } }),
        )
    };
    let report = pull(&mut c);
    assert_eq!(report["kind"], "full");
    let items = report["items"].as_array().unwrap().clone();
    assert!(codes(&items).contains(&RULE.to_string()));
    let at = HANDLER.find("401").unwrap();
    c.change(uri, 2, HANDLER, at, at + 3, "200");
    let report = pull(&mut c);
    assert_eq!(report["items"], json!([]));
    // Unknown documents get an empty report, not an error.
    let other = c.request_ok(
        "textDocument/diagnostic",
        json!({ "textDocument": { "uri": "file:///tmp/nowhere.ts" } }),
    );
    assert_eq!(other["items"], json!([]));
    // Pull clients are not pushed to (that would show everything twice).
    c.drain();
    assert!(!c
        .buffer
        .iter()
        .any(|m| m["method"] == "textDocument/publishDiagnostics"));
    assert!(c.shutdown().success());
}

/// A spread `corsHeaders` gaining `WWW-Authenticate` in its (unsaved)
/// buffer clears the finding in the file that imports it.
#[test]
fn imported_module_changes_relint_their_importers() {
    for pull in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("_shared")).unwrap();
        std::fs::create_dir_all(root.join("hello")).unwrap();
        let cors_text = "export const corsHeaders = {\n  'Access-Control-Allow-Origin': '*',\n}\n";
        let index_text = "import { corsHeaders } from '../_shared/cors.ts'\n\nDeno.serve(async (req) => {\n  if (!req.headers.get('Authorization')) {\n    console.error('Returning 401 - reason: missing header')\n    return new Response('no', { headers: { ...corsHeaders }, status: 401 })\n  }\n  return new Response('ok', { headers: corsHeaders })\n})\n";
        let cors = root.join("_shared/cors.ts");
        let index = root.join("hello/index.ts");
        std::fs::write(&cors, cors_text).unwrap();
        std::fs::write(&index, index_text).unwrap();
        let (cors_uri, index_uri) = (file_uri(&cors), file_uri(&index));
        let (mut c, _) = LspClient::start_in(
            &root,
            Some(&file_uri(&root)),
            capabilities(pull, false),
            Value::Null,
        );
        c.open(&index_uri, "typescript", 1, index_text);
        c.open(&cors_uri, "typescript", 1, cors_text);
        let pull_codes = |c: &mut LspClient| {
            let r = c.request_ok(
                "textDocument/diagnostic",
                json!({ "textDocument": { "uri": index_uri } }),
            );
            codes(r["items"].as_array().unwrap())
        };
        if pull {
            assert_eq!(pull_codes(&mut c), vec![RULE.to_string()]);
        } else {
            assert_eq!(codes(&c.diagnostics(&index_uri, 1)), vec![RULE.to_string()]);
        }
        let at = cors_text.find("}\n").unwrap();
        c.change(
            &cors_uri,
            2,
            cors_text,
            at,
            at,
            "  'WWW-Authenticate': 'Bearer realm=\"api\"',\n",
        );
        if pull {
            c.wait_for("diagnostic refresh", |m| {
                m["method"] == "workspace/diagnostic/refresh"
            });
            assert_eq!(pull_codes(&mut c), Vec::<String>::new());
        } else {
            diagnostics_where(&mut c, &index_uri, |d| d.is_empty());
        }
        // Closing the edited buffer falls back to the file on disk.
        c.notify(
            "textDocument/didClose",
            json!({ "textDocument": { "uri": cors_uri } }),
        );
        if pull {
            c.wait_for("diagnostic refresh", |m| {
                m["method"] == "workspace/diagnostic/refresh"
            });
            assert_eq!(pull_codes(&mut c), vec![RULE.to_string()]);
        } else {
            diagnostics_where(&mut c, &index_uri, |d| d.len() == 1);
        }
        // A change on disk, reported by the client's file watcher.
        std::fs::write(
            &cors,
            cors_text.replace("}\n", "  'WWW-Authenticate': 'Bearer',\n}\n"),
        )
        .unwrap();
        c.notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": cors_uri, "type": 2 }] }),
        );
        if pull {
            c.wait_for("diagnostic refresh", |m| {
                m["method"] == "workspace/diagnostic/refresh"
            });
            assert_eq!(pull_codes(&mut c), Vec::<String>::new());
        } else {
            diagnostics_where(&mut c, &index_uri, |d| d.is_empty());
        }
        assert!(c.shutdown().success());
    }
}

#[test]
fn malformed_and_unexpected_messages_do_not_kill_the_server() {
    let (mut c, _) = LspClient::start(capabilities(false, false), Value::Null);
    // Not JSON.
    c.send_raw(b"Content-Length: 9\r\n\r\n{not json");
    let err = c.wait_for("parse error", |m| m["error"]["code"] == -32700);
    assert_eq!(err["id"], Value::Null);
    // JSON, but not JSON-RPC.
    c.send(&json!({ "id": 77, "hello": "world" }));
    let err = c.wait_for("invalid request", |m| m["id"] == 77);
    assert_eq!(err["error"]["code"], -32600);
    // Headers with no length.
    c.send_raw(b"Content-Type: application/json\r\n\r\n");
    c.wait_for("parse error", |m| m["error"]["code"] == -32700);
    // A request without its params.
    let resp = c.request("textDocument/hover", Value::Null);
    assert!(resp["error"].is_object(), "{resp}");
    let resp = c.request("textDocument/codeAction", json!({ "textDocument": {} }));
    assert!(resp["error"].is_object(), "{resp}");
    // An unknown method.
    let resp = c.request("authlint/nope", json!({}));
    assert_eq!(resp["error"]["code"], -32601);
    // Unknown documents.
    let unknown = json!({ "textDocument": { "uri": "file:///tmp/unknown.ts" }, "position": { "line": 0, "character": 0 } });
    assert_eq!(c.request_ok("textDocument/hover", unknown), Value::Null);
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": "file:///tmp/unknown.ts", "version": 3 }, "contentChanges": [{ "text": "x" }] }),
    );
    c.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": "file:///tmp/unknown.ts" } }),
    );
    // A URI that does not parse, and a document with no language.
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": "not a uri", "languageId": "typescript", "version": 1, "text": "" } }),
    );
    c.open("untitled:Untitled-1", "plaintext", 1, "return 401");
    // Out-of-range positions clamp.
    let uri = "file:///tmp/authlint-lsp-malformed/handler.ts";
    c.open(uri, "typescript", 1, HANDLER);
    c.diagnostics(uri, 1);
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [
            { "range": { "start": { "line": 999, "character": 5 }, "end": { "line": 1000, "character": 0 } }, "text": "// end" },
            { "range": { "start": { "line": 0, "character": 999 }, "end": { "line": 0, "character": 1999 } }, "text": " " },
            { "range": { "start": { "line": 2, "character": 4 }, "end": { "line": 1, "character": 0 } }, "text": "" }
        ] }),
    );
    let server_view = c.debug_document(uri);
    let mut expected = format!("{HANDLER}// end");
    expected.insert(HANDLER.find('\n').unwrap(), ' ');
    let line1 = expected.find('\n').unwrap() + 1;
    let line2_4 = expected[line1..].find('\n').unwrap() + line1 + 1 + 4;
    expected.replace_range(line1..line2_4, "");
    assert_eq!(server_view["text"], expected);
    let far = json!({ "start": { "line": 4000, "character": 9 }, "end": { "line": 5000, "character": 0 } });
    assert!(code_actions(&mut c, uri, &far, None)
        .iter()
        .all(|a| a["kind"] != "quickfix"));
    let resp = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": -1, "character": 0 } }),
    );
    assert!(resp["error"].is_object() || resp["result"].is_null());
    // Still alive and well.
    assert!(c.is_running());
    let uri2 = "file:///tmp/authlint-lsp-malformed/second.ts";
    c.open(uri2, "typescript", 1, HANDLER);
    assert_eq!(c.diagnostics(uri2, 1).len(), 2);
    assert!(c.shutdown().success());
}

/// Hostile documents (deep nesting, binary junk, a huge single line) are
/// skipped or linted, never fatal. Lines past the editor's length limit get
/// a notice instead of findings (see `tests/lsp_hardening.rs`).
#[test]
fn hostile_documents_are_survived() {
    let (mut c, _) = LspClient::start(capabilities(false, false), Value::Null);
    // Spread over lines, so that the nesting guard is what skips it.
    let deep = format!(
        "const x = {}401{};\n",
        "(\n".repeat(100_000),
        ")\n".repeat(100_000)
    );
    let junk: String = (0..20_000u32)
        .map(|i| char::from_u32((i * 7919) % 0x2FFF + 1).unwrap_or('x'))
        .collect::<String>()
        + " status: 401";
    // Bundler output: one long line of handlers.
    let unit = "app.get('/x',function(req,res){if(!req.user){return res.status(401).json({error:'no'})}res.json({ok:1})});";
    let minified = format!("{}\n", unit.repeat(2_000));
    for (i, text) in [deep, junk, minified].iter().enumerate() {
        let uri = format!("file:///tmp/authlint-lsp-hostile/{i}.ts");
        c.open(&uri, "typescript", 1, text);
        let opened = c.diagnostics(&uri, 1);
        // Typing into it still works.
        c.change(&uri, 2, text, 0, 0, "(");
        let typed = c.diagnostics(&uri, 2);
        if i > 0 {
            for diags in [opened, typed] {
                assert_eq!(diags.len(), 1, "{diags:#?}");
                let message = diags[0]["message"].as_str().unwrap_or("");
                assert!(message.contains("authlint lint"), "{message}");
            }
        }
    }
    let logged = c.wait_for("skip message", |m| m["method"] == "window/logMessage");
    assert!(
        logged["params"]["message"]
            .as_str()
            .unwrap()
            .contains("not analysed"),
        "{logged}"
    );
    assert!(c.shutdown().success());
}

/// Nesting pasted into an open document is caught as it would be on open
/// (the server keeps a bound on the depth rather than rescanning the text on
/// every keystroke), and deleting it brings the findings back.
#[test]
fn nesting_pasted_into_a_document_is_skipped_until_removed() {
    let (mut c, _) = LspClient::start(capabilities(false, false), Value::Null);
    let uri = "file:///tmp/authlint-lsp-paste/deep.ts";
    c.open(uri, "typescript", 1, HANDLER);
    assert_eq!(c.diagnostics(uri, 1).len(), 2);
    // Deeper than the bracket guard allows (500), not so deep that the
    // tree walks' own limit (1,000 levels) would catch it instead.
    let paste = format!("const x = {}1{}\n", "(".repeat(600), ")".repeat(600));
    let text = c.change(uri, 2, HANDLER, 0, 0, &paste);
    assert_eq!(c.diagnostics(uri, 2), Vec::<Value>::new());
    let logged = c.wait_for("skip message", |m| m["method"] == "window/logMessage");
    let message = logged["params"]["message"].as_str().unwrap_or("");
    assert!(
        message.contains("deep.ts") && message.contains("not analysed"),
        "{logged}"
    );
    let text = c.change(uri, 3, &text, 0, paste.len(), "");
    assert_eq!(text, HANDLER);
    assert_eq!(c.diagnostics(uri, 3).len(), 2);
    assert!(c.shutdown().success());
}

#[test]
fn shutdown_then_exit_ends_with_code_zero() {
    let (c, _) = LspClient::start(capabilities(false, false), Value::Null);
    let status = c.shutdown();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn exit_without_shutdown_ends_with_code_one() {
    let (mut c, _) = LspClient::start(capabilities(false, false), Value::Null);
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit().code(), Some(1));
}

#[test]
fn closing_stdin_ends_the_server() {
    let (mut c, _) = LspClient::start(capabilities(false, false), Value::Null);
    c.open(
        "file:///tmp/authlint-lsp-eof/a.ts",
        "typescript",
        1,
        HANDLER,
    );
    c.close_stdin();
    assert!(c.wait_exit().success());
}

#[test]
fn closed_documents_are_forgotten_and_cleared() {
    let (mut c, _) = LspClient::start(capabilities(false, false), Value::Null);
    let uri = "file:///tmp/authlint-lsp-close/handler.ts";
    c.open(uri, "typescript", 1, HANDLER);
    assert_eq!(c.diagnostics(uri, 1).len(), 2);
    c.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": uri } }),
    );
    let cleared = c.next_diagnostics(uri);
    assert_eq!(cleared["diagnostics"], json!([]));
    assert!(cleared.get("version").map_or(true, Value::is_null));
    let resp = c.request("authlint/debugDocument", json!({ "uri": uri }));
    assert!(resp["error"].is_object(), "the document is gone: {resp}");
    assert!(c.shutdown().success());
}

/// Many changes sent back to back, without waiting: the server applies them
/// in order, never publishes an older version after a newer one, and ends
/// with the diagnostics of the final text.
#[test]
fn bursts_of_changes_end_in_the_latest_state() {
    let (mut c, _) = LspClient::start(capabilities(false, false), Value::Null);
    let uri = "file:///tmp/authlint-lsp-burst/handler.ts";
    c.open(uri, "typescript", 1, HANDLER);
    let mut text = HANDLER.to_string();
    let mut version = 1;
    for i in 0..80 {
        version += 1;
        text = if i % 2 == 0 {
            // Type into the message.
            let at = text.find("'no").unwrap() + 3;
            c.change(uri, version, &text, at, at, "é")
        } else {
            let code = if i % 4 == 1 { "200" } else { "401" };
            let status_at = text.find("status: ").unwrap() + 8;
            c.change(uri, version, &text, status_at, status_at + 3, code)
        };
    }
    let mut seen = Vec::new();
    let last = loop {
        let p = c.next_diagnostics(uri);
        let v = p["version"].as_i64().unwrap();
        seen.push(v);
        if v == version {
            break p["diagnostics"].as_array().cloned().unwrap();
        }
    };
    // Never backward. A version may be published twice: the settings the
    // server fetches after `initialized` can arrive mid-burst, and a reload
    // re-lints (and republishes) the current version.
    assert!(
        seen.windows(2).all(|w| w[0] <= w[1]),
        "published versions go forward: {seen:?}"
    );
    assert_eq!(c.debug_document(uri)["text"], text);
    // The final text ends with 401: the finding is there.
    assert!(text.contains("status: 401"));
    let fresh_uri = "file:///tmp/authlint-lsp-burst/fresh.ts";
    c.open(fresh_uri, "typescript", 1, &text);
    let fresh = c.diagnostics(fresh_uri, 1);
    let strip = |v: &[Value]| -> Vec<Value> {
        v.iter()
            .map(|d| json!([d["range"], d["code"], d["severity"], d["message"]]))
            .collect()
    };
    assert!(!fresh.is_empty());
    assert_eq!(strip(&last), strip(&fresh));
    assert!(c.shutdown().success());
}

#[test]
fn crlf_documents_map_positions_per_line() {
    let text = HANDLER.replace('\n', "\r\n");
    let (mut c, _) = LspClient::start(capabilities(false, true), Value::Null);
    let uri = "file:///tmp/authlint-lsp-crlf/handler.ts";
    c.open(uri, "typescript", 1, &text);
    let diags = c.diagnostics(uri, 1);
    let d = find(&diags, RULE);
    assert_eq!(d["range"]["start"], json!({ "line": 2, "character": 11 }));
    let actions = code_actions(&mut c, uri, &d["range"], Some(&["quickfix"]));
    let ignore = actions
        .iter()
        .find(|a| a["title"] == "Ignore require-www-authenticate for this line")
        .unwrap();
    let fixed = apply_edits(&text, &edits_for(&ignore["edit"], uri), true);
    assert!(
        fixed.contains(
            "{\r\n    // authlint-ignore require-www-authenticate: <reason>\r\n    return"
        ),
        "{fixed:?}"
    );
    // An edit past the end of a CRLF line lands before the `\r`.
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [
            { "range": { "start": { "line": 0, "character": 200 }, "end": { "line": 0, "character": 200 } }, "text": " // x" }
        ] }),
    );
    let view = c.debug_document(uri);
    assert!(view["text"]
        .as_str()
        .unwrap()
        .starts_with("export function handler(req: Request): Response { // x\r\n"));
    assert_eq!(view["tree"], view["freshTree"]);
    assert!(c.shutdown().success());
}

/// A document that names no status itself but raises an error class
/// imported from a module that does is analysed, and follows that module.
#[test]
fn a_document_whose_status_comes_from_an_imported_class_is_analysed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::create_dir_all(root.join("app")).unwrap();
    std::fs::write(root.join("app/__init__.py"), "").unwrap();
    let errors = "from fastapi import HTTPException\n\n\nclass AuthError(HTTPException):\n    def __init__(self):\n        super().__init__(status_code=401, detail=\"Not authenticated\")\n";
    std::fs::write(root.join("app/errors.py"), errors).unwrap();
    let view = "from .errors import AuthError\n\n\ndef me(request):\n    if not request.headers.get(\"authorization\"):\n        raise AuthError()\n    return {}\n";
    let path = root.join("app/views.py");
    std::fs::write(&path, view).unwrap();
    let uri = file_uri(&path);
    let (mut c, _) = LspClient::start_in(
        &root,
        Some(&file_uri(&root)),
        capabilities(false, false),
        Value::Null,
    );
    c.open(&uri, "python", 1, view);
    let diags = c.diagnostics(&uri, 1);
    assert!(
        codes(&diags).contains(&"require-www-authenticate".to_string()),
        "{diags:#?}"
    );
    assert!(c.shutdown().success());
}

/// Clients that cannot register file watchers (Neovim on Linux) never say
/// `authlint.toml` changed: the server looks again when a file is opened
/// or saved.
#[test]
fn authlint_toml_edits_are_noticed_without_file_watchers() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::create_dir_all(root.join("functions")).unwrap();
    let ts = root.join("functions/handler.ts");
    std::fs::write(&ts, HANDLER).unwrap();
    let ts_uri = file_uri(&ts);
    let mut caps = capabilities(false, false);
    caps["workspace"]["didChangeWatchedFiles"]["dynamicRegistration"] = json!(false);
    caps["workspace"]["configuration"] = json!(false);
    let (mut c, _) = LspClient::start_in(&root, Some(&file_uri(&root)), caps, Value::Null);
    c.open(&ts_uri, "typescript", 1, HANDLER);
    assert_eq!(c.diagnostics(&ts_uri, 1).len(), 2);

    // Edited outside the editor, then any file saved: the config is read again.
    let config = root.join("authlint.toml");
    std::fs::write(&config, "[rules]\nrequire-401-logging = \"off\"\n").unwrap();
    c.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": ts_uri } }),
    );
    let diags = diagnostics_where(&mut c, &ts_uri, |d| d.len() == 1);
    assert_eq!(codes(&diags), vec![RULE.to_string()]);

    // Removed, then another file opened: the defaults are back.
    std::fs::remove_file(&config).unwrap();
    let other = root.join("functions/other.ts");
    std::fs::write(&other, CLEAN_TS).unwrap();
    c.open(&file_uri(&other), "typescript", 1, CLEAN_TS);
    diagnostics_where(&mut c, &ts_uri, |d| d.len() == 2);
    assert!(c.shutdown().success());
}

const CLEAN_TS: &str = "export const ok = 1;\n";
