#!/usr/bin/env python3
"""Fills fuzz/corpus/<target>/ with seeds and fuzz/dict/ with dictionaries,
from the repository's own files. Run from anywhere; safe to run again (seeds
are named by their content's hash, so nothing is duplicated).

Seeds for the lint_* and fix_* targets: every source file under
tests/fixtures, tests/corpus and examples, and every fenced code block in the
rule docs (src/rules/*.md), docs/ and the READMEs, by language:

  typescript  .ts .mts .cts, .js .mjs .cjs .jsx and ts/js blocks (TypeScript
              reads plain JavaScript)
  tsx         .tsx, .ts and ts blocks
  javascript  .js .mjs .cjs .jsx and js blocks
  python      .py .pyi and py/python blocks

Seeds for lsp_framing: a language-server session per fixture (initialize,
didOpen with the fixture's text, an edit, requests, shutdown, exit), and the
same frames written in the ways framing varies (LF line ends, extra headers,
a lower-case header name, a short or long Content-Length, garbage between
frames, a body that is not JSON, ids the server answers itself).

Dictionaries: the quoted names the engine and rules look for
(src/engine/, src/rules/), per language family, and LSP framing tokens.
"""

import hashlib
import json
import re
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
ROOT = FUZZ.parent
CORPUS = FUZZ / "corpus"
DICT = FUZZ / "dict"

TS_EXT = {".ts", ".mts", ".cts"}
JS_EXT = {".js", ".mjs", ".cjs", ".jsx"}
TARGET_EXTS = {
    "typescript": TS_EXT | JS_EXT,
    "tsx": TS_EXT | {".tsx"},
    "javascript": JS_EXT,
    "python": {".py", ".pyi"},
}
BLOCK_LANGS = {
    "typescript": {"ts", "typescript", "js", "javascript"},
    "tsx": {"ts", "typescript", "tsx"},
    "javascript": {"js", "javascript", "jsx"},
    "python": {"py", "python"},
}
LANGUAGE_IDS = {".ts": "typescript", ".tsx": "typescriptreact", ".py": "python"}


def sources():
    """Source files under the fixture folders, in a stable order."""
    for folder in ("tests/fixtures", "tests/corpus", "examples"):
        for p in sorted((ROOT / folder).rglob("*")):
            if p.is_file():
                yield p


def code_blocks():
    """(language tag, code) of every fenced block in the repository's docs."""
    docs = sorted((ROOT / "src/rules").glob("*.md")) + sorted((ROOT / "docs").rglob("*.md"))
    docs += [ROOT / "README.md", ROOT / "examples/README.md", ROOT / "tests/corpus/README.md"]
    fence = re.compile(r"^```(\w+)[^\n]*\n(.*?)^```", re.S | re.M)
    for doc in docs:
        if doc.is_file():
            for m in fence.finditer(doc.read_text(encoding="utf-8")):
                yield m.group(1), m.group(2)


def write(target, data):
    """Writes one seed, named by its hash; returns whether it was new."""
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / hashlib.sha1(data).hexdigest()
    if path.exists():
        return False
    path.write_bytes(data)
    return True


def frame(body, eol=b"\r\n", headers=(), name=b"Content-Length", length=None):
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
    n = len(body) if length is None else length
    head = b"%s: %d%s" % (name, n, eol)
    for h in headers:
        head += h + eol
    return head + eol + body


def session(uri, language_id, text):
    """The messages an editor sends for one file, as JSON bodies."""
    doc = {"uri": uri}
    lines = text.count("\n")
    whole = {"start": {"line": 0, "character": 0}, "end": {"line": lines, "character": 0}}
    return [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "processId": None, "rootUri": "file:///authlint-fuzz",
            "capabilities": {"general": {"positionEncodings": ["utf-8", "utf-16"]},
                             "textDocument": {"diagnostic": {}}}}},
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": language_id, "version": 1, "text": text}}},
        {"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"range": {"start": {"line": 0, "character": 0},
                                          "end": {"line": 0, "character": 0}},
                                "text": "\n"}]}},
        {"jsonrpc": "2.0", "id": 2, "method": "textDocument/diagnostic",
         "params": {"textDocument": doc}},
        {"jsonrpc": "2.0", "id": "3", "method": "textDocument/codeAction", "params": {
            "textDocument": doc, "range": whole, "context": {"diagnostics": []}}},
        {"jsonrpc": "2.0", "id": 4, "method": "textDocument/hover", "params": {
            "textDocument": doc, "position": {"line": 1, "character": 2}}},
        {"jsonrpc": "2.0", "id": 5, "result": None},
        {"jsonrpc": "2.0", "id": 6, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"},
    ]


def lsp_seeds():
    files = [p for p in sources() if p.suffix in LANGUAGE_IDS]
    # One file in five keeps the seeds few and still covers every folder.
    for p in files[::5]:
        uri = "file:///authlint-fuzz/" + p.relative_to(ROOT).as_posix()
        text = p.read_text(encoding="utf-8", errors="replace")
        msgs = session(uri, LANGUAGE_IDS[p.suffix], text)
        yield b"".join(frame(m) for m in msgs)
    # Framing variants, on a short session.
    msgs = [json.dumps(m).encode() for m in session("file:///a.ts", "typescript", "f(401)\n")]
    first, rest = msgs[0], b"".join(frame(m) for m in msgs[1:])
    yield b"".join(frame(m, eol=b"\n") for m in msgs)
    yield frame(first, headers=[b"Content-Type: application/vscode-jsonrpc; charset=utf-8"]) + rest
    yield frame(first, name=b"content-length") + rest
    yield frame(first, length=len(first) + 40) + rest
    yield frame(first, length=len(first) - 10) + rest
    yield frame(first, headers=[b"Content-Length: 3"]) + rest
    yield b"garbage\r\n" + frame(first) + b"Content-Length: x\r\n\r\n" + rest
    yield frame(b"{not json") + rest
    yield frame(b'{"jsonrpc":"2.0","id":1.5,"method":"shutdown"}') + rest
    yield frame(b'{"jsonrpc":"2.0","id":1180591620717411303424,"method":"shutdown"}') + rest
    yield frame(b'{"id":"a"}') + frame(b"") + frame(b"[]") + rest
    yield b"Content-Length: 99999999999\r\n\r\n" + first


def identifiers(paths):
    """Quoted names in Rust sources: what the engine looks for."""
    names = set()
    for p in paths:
        names.update(re.findall(r'"([A-Za-z_@.$-][A-Za-z0-9_.$ -]{1,30})"', p.read_text()))
    return names


def write_dict(name, tokens):
    DICT.mkdir(exist_ok=True)
    def esc(t):
        return "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "\\x%02x" % ord(c)
                       for c in t)
    (DICT / f"{name}.dict").write_text("".join(f'"{esc(t)}"\n' for t in sorted(tokens)))


def main():
    counts = {}
    for p in sources():
        data = p.read_bytes()
        for target, exts in TARGET_EXTS.items():
            if p.suffix in exts:
                for kind in ("lint", "fix"):
                    counts[f"{kind}_{target}"] = counts.get(f"{kind}_{target}", 0) + write(
                        f"{kind}_{target}", data)
    for tag, code in code_blocks():
        for target, tags in BLOCK_LANGS.items():
            if tag in tags:
                for kind in ("lint", "fix"):
                    counts[f"{kind}_{target}"] = counts.get(f"{kind}_{target}", 0) + write(
                        f"{kind}_{target}", code.encode())
    counts["lsp_framing"] = sum(write("lsp_framing", s) for s in lsp_seeds())
    for target, n in sorted(counts.items()):
        print(f"{target}: {n} new seeds, {len(list((CORPUS / target).iterdir()))} in all")

    engine = ROOT / "src/engine"
    shared = [engine / "clues.rs", engine / "syntax.rs", engine / "eval.rs"]
    shared += sorted((ROOT / "src/rules").glob("*.rs")) + [ROOT / "src/suppress.rs"]
    js = identifiers(shared + [engine / "javascript.rs", engine / "middleware.rs"]
                     + sorted((engine / "javascript").glob("*.rs")))
    # snake_case names in the JavaScript engine are tree-sitter node kinds.
    js = {t for t in js if not re.fullmatch(r"[a-z]+(_[a-z]+)+", t)}
    py = identifiers(shared + [engine / "python.rs"] + sorted((engine / "python").glob("*.rs")))
    write_dict("javascript", js | {"401", "403", "authlint-ignore", "authlint-ignore-file"})
    write_dict("python", py | {"401", "403", "authlint-ignore", "authlint-ignore-file"})
    write_dict("lsp", {
        "Content-Length: ", "content-length:", "Content-Type: ", "\r\n", "\r\n\r\n",
        '"jsonrpc"', '"2.0"', '"id"', '"method"', '"params"', '"result"', '"error"',
        "null", "true", "1.5", "9223372036854775808", "-9223372036854775809", "1e3",
        "textDocument/didOpen", "textDocument/didChange", "initialize", "shutdown", "exit",
    })
    print(f"dictionaries in {DICT}: " + ", ".join(sorted(p.name for p in DICT.iterdir())))


if __name__ == "__main__":
    main()
