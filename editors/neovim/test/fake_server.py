#!/usr/bin/env python3
"""A stand-in for `authlint lsp`, used only by `run.sh --self-test`.

It checks the editor side of the contract (initializationOptions shape,
workspace/configuration answers) and mimics the real server's observable
behaviour closely enough to exercise the Neovim test harness while the real
engine is not ready: a `require-www-authenticate` diagnostic on every line with
`status: 401` and no `WWW-Authenticate`, a preferred quick fix that adds the
header, an "ignore" quick fix, and `source.fixAll.authlint`.

A contract violation (incomplete initializationOptions, a bad
workspace/configuration answer) is logged to stderr and either fails
`initialize` or stops diagnostics, which makes the harness fail.
"""

import json
import os
import re
import sys
from urllib.parse import unquote, urlparse

DEFAULT_CHALLENGE = 'Bearer realm="api"'
SETTING_KEYS = {"enable", "rules", "challenge", "loggers", "configPath"}

docs = {}  # uri -> text
config_ok = True  # False after a bad workspace/configuration answer: no more diagnostics
editor = {}  # the last settings object the client answered with
versions = {}
next_id = 1000
pending = {}  # request id -> method


def send(msg):
    msg["jsonrpc"] = "2.0"
    body = json.dumps(msg).encode()
    sys.stdout.buffer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    sys.stdout.buffer.flush()


def request(method, params):
    global next_id
    next_id += 1
    pending[next_id] = method
    send({"id": next_id, "method": method, "params": params})


def read():
    headers = {}
    while True:
        line = sys.stdin.buffer.readline()
        if not line:
            return None
        line = line.strip()
        if not line:
            break
        k, _, v = line.decode().partition(":")
        headers[k.strip().lower()] = v.strip()
    return json.loads(sys.stdin.buffer.read(int(headers["content-length"])))


def settings_problem(s):
    if not isinstance(s, dict):
        return f"settings must be an object, got {json.dumps(s)}"
    # Like the real server: any subset of the keys; null means "not set".
    if not set(s) <= SETTING_KEYS:
        return f"unknown settings {sorted(set(s) - SETTING_KEYS)}"
    if s.get("enable") is not None and not isinstance(s["enable"], bool):
        return "enable must be a boolean"
    if s.get("rules") is not None and not isinstance(s["rules"], dict):
        return f"rules must be an object, got {json.dumps(s['rules'])}"
    if s.get("loggers") is not None and not isinstance(s["loggers"], list):
        return "loggers must be a list"
    if s.get("challenge") is not None and (not isinstance(s["challenge"], str) or not s["challenge"].strip()):
        return "challenge must be a non-empty string or null"
    if s.get("configPath") is not None and not isinstance(s["configPath"], str):
        return "configPath must be a string or null"
    return None


def toml_challenge(uri):
    """`[challenge] realm = "…"` from the nearest authlint.toml, like the real server."""
    d = os.path.dirname(unquote(urlparse(uri).path))
    while True:
        p = os.path.join(d, "authlint.toml")
        if os.path.isfile(p):
            m = re.search(r'^\[challenge\][^\[]*?^realm\s*=\s*"([^"]*)"', open(p).read(), re.M | re.S)
            return f'Bearer realm="{m.group(1)}"' if m else None
        if os.path.dirname(d) == d:
            return None
        d = os.path.dirname(d)


def challenge_for(uri):
    # Editor settings are layered over authlint.toml: null overrides nothing.
    return editor.get("challenge") or toml_challenge(uri) or DEFAULT_CHALLENGE


def findings(text):
    if (editor.get("rules") or {}).get("require-www-authenticate") == "off":
        return []
    out = []
    for lnum, line in enumerate(text.split("\n")):
        m = re.search(r"status:\s*401", line)
        if m and "WWW-Authenticate" not in line:
            out.append(
                {
                    "range": {"start": {"line": lnum, "character": m.start()}, "end": {"line": lnum, "character": m.end()}},
                    "severity": 1,
                    "code": "require-www-authenticate",
                    "source": "authlint",
                    "message": "401 response without a WWW-Authenticate header",
                }
            )
    return out


def publish(uri):
    if not config_ok:
        return
    send(
        {
            "method": "textDocument/publishDiagnostics",
            "params": {"uri": uri, "version": versions[uri], "diagnostics": findings(docs[uri])},
        }
    )


def fix_edit(uri, d):
    end = d["range"]["end"]
    header = "'" + challenge_for(uri).replace("'", "\\'") + "'"
    return {"range": {"start": end, "end": end}, "newText": f", headers: {{ 'WWW-Authenticate': {header} }}"}


def code_actions(params):
    uri = params["textDocument"]["uri"]
    only = params["context"].get("only")
    actions = []
    if only is None or "quickfix" in only:
        for d in params["context"]["diagnostics"]:
            if d.get("code") != "require-www-authenticate":
                continue
            line = d["range"]["start"]["line"]
            actions.append(
                {
                    "title": "Ignore require-www-authenticate for this line",
                    "kind": "quickfix",
                    "diagnostics": [d],
                    "edit": {"changes": {uri: [{"range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}}, "newText": "// authlint-ignore require-www-authenticate: <reason>\n"}]}},
                }
            )
            actions.append(
                {
                    "title": "Add WWW-Authenticate header",
                    "kind": "quickfix",
                    "isPreferred": True,
                    "diagnostics": [d],
                    "edit": {"changes": {uri: [fix_edit(uri, d)]}},
                }
            )
    if only is not None and any("source.fixAll.authlint".startswith(k) for k in only):
        edits = [fix_edit(uri, d) for d in findings(docs[uri])]
        if edits:
            actions.append({"title": "Fix all authlint problems", "kind": "source.fixAll.authlint", "edit": {"changes": {uri: edits}}})
    return actions


def main():
    while True:
        msg = read()
        if msg is None:
            return 0
        method = msg.get("method")
        params = msg.get("params") or {}
        if method is None:  # a response to one of our requests
            if pending.pop(msg.get("id"), None) == "workspace/configuration":
                result = msg.get("result")
                problem = None if isinstance(result, list) and len(result) == 1 else "expected one item"
                problem = problem or settings_problem(result[0])
                global config_ok, editor
                if problem:
                    config_ok = False
                    print(f"fake_server: bad workspace/configuration answer: {problem}", file=sys.stderr)
                    send({"method": "window/showMessage", "params": {"type": 1, "message": f"fake_server: {problem}"}})
                else:
                    editor = result[0]
                    for uri in docs:
                        publish(uri)
            continue
        if method == "initialize":
            # Absent is allowed (the client then answers workspace/configuration).
            init = params.get("initializationOptions")
            problem = settings_problem(init) if init is not None else None
            if problem:
                print(f"fake_server: bad initializationOptions: {problem}", file=sys.stderr)
                send({"id": msg["id"], "error": {"code": -32602, "message": f"initializationOptions: {problem}"}})
                continue
            send(
                {
                    "id": msg["id"],
                    "result": {
                        "capabilities": {
                            "textDocumentSync": {"openClose": True, "change": 1},
                            "codeActionProvider": {"codeActionKinds": ["quickfix", "source.fixAll.authlint"]},
                            "hoverProvider": True,
                        },
                        "serverInfo": {"name": "fake-authlint"},
                    },
                }
            )
        elif method in ("initialized", "workspace/didChangeConfiguration"):
            # Like the real server: (re)read the settings with workspace/configuration.
            request("workspace/configuration", {"items": [{"section": "authlint"}]})
        elif method == "textDocument/didOpen":
            td = params["textDocument"]
            docs[td["uri"]] = td["text"]
            versions[td["uri"]] = td["version"]
            publish(td["uri"])
        elif method == "textDocument/didChange":
            td = params["textDocument"]
            docs[td["uri"]] = params["contentChanges"][-1]["text"]
            versions[td["uri"]] = td["version"]
            publish(td["uri"])
        elif method == "textDocument/didClose":
            docs.pop(params["textDocument"]["uri"], None)
        elif method == "textDocument/hover":
            line = params["position"]["line"]
            hit = [d for d in findings(docs.get(params["textDocument"]["uri"], "")) if d["range"]["start"]["line"] == line]
            doc = "# require-www-authenticate\n\nA 401 response must carry a `WWW-Authenticate` header."
            send({"id": msg["id"], "result": {"contents": {"kind": "markdown", "value": doc}} if hit else None})
        elif method == "textDocument/codeAction":
            send({"id": msg["id"], "result": code_actions(params)})
        elif method == "shutdown":
            send({"id": msg["id"], "result": None})
        elif method == "exit":
            return 0
        elif "id" in msg:
            send({"id": msg["id"], "error": {"code": -32601, "message": f"unhandled {method}"}})


if __name__ == "__main__":
    sys.exit(main())
