#!/usr/bin/env python3
"""Checks LSP-authlint.sublime-settings: JSON once // comments are removed (as
Sublime reads it), running `authlint lsp` for the five languages, with
initializationOptions and settings.authlint equal and in the server's shape."""

import json
import sys
from pathlib import Path

PATH = Path(__file__).with_name("LSP-authlint.sublime-settings")
SETTINGS = {"enable", "rules", "challenge", "loggers", "configPath"}
SELECTORS = {"source.ts", "source.tsx", "source.js", "source.jsx", "source.python"}


def strip_comments(text: str) -> str:
    """Removes // line comments outside strings."""
    out, i, in_str = [], 0, False
    while i < len(text):
        c = text[i]
        if in_str:
            out.append(c)
            if c == "\\":
                out.append(text[i + 1])
                i += 1
            elif c == '"':
                in_str = False
        elif c == '"':
            in_str = True
            out.append(c)
        elif text.startswith("//", i):
            while i < len(text) and text[i] != "\n":
                i += 1
            continue
        else:
            out.append(c)
        i += 1
    return "".join(out)


def main() -> int:
    errors = []
    try:
        doc = json.loads(strip_comments(PATH.read_text(encoding="utf-8")))
    except json.JSONDecodeError as e:
        print(f"{PATH}: invalid JSON: {e}")
        return 1
    if doc.get("command") != ["authlint", "lsp"]:
        errors.append(f"command must be ['authlint', 'lsp'], got {doc.get('command')}")
    selectors = {s.strip() for s in doc.get("selector", "").split("|")}
    if selectors != SELECTORS:
        errors.append(f"selector covers {sorted(selectors)}, expected {sorted(SELECTORS)}")
    init = doc.get("initializationOptions")
    pushed = doc.get("settings", {}).get("authlint")
    for name, value in (("initializationOptions", init), ("settings.authlint", pushed)):
        if not isinstance(value, dict) or set(value) != SETTINGS:
            errors.append(f"{name} must have exactly the keys {sorted(SETTINGS)}")
        elif not isinstance(value["rules"], dict) or not isinstance(value["loggers"], list):
            errors.append(f"{name}: rules must be an object and loggers a list")
        elif value["challenge"] is not None and not isinstance(value["challenge"], str):
            errors.append(f"{name}: challenge must be a string or null")
    if init != pushed:
        errors.append("initializationOptions and settings.authlint differ")
    for e in errors:
        print(f"{PATH}: {e}")
    print(f"sublime: {PATH.name} parses; {len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
