#!/usr/bin/env python3
"""Checks editors/zed/extension.toml (valid TOML, the authlint server for the
right Zed languages and LSP language ids) and, given a path, that a built
extension .wasm is a WebAssembly component exporting Zed's extension API."""

import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).parent
LANGUAGE_IDS = {
    "TypeScript": "typescript",
    "TSX": "typescriptreact",
    "JavaScript": "javascript",  # Zed's JavaScript language also covers .jsx
    "Python": "python",
}


def check_manifest() -> list[str]:
    errors = []
    m = tomllib.loads((HERE / "extension.toml").read_text(encoding="utf-8"))
    for key in ("id", "name", "version", "schema_version", "authors", "description", "repository"):
        if key not in m:
            errors.append(f"extension.toml: missing {key}")
    if m.get("schema_version") != 1:
        errors.append("extension.toml: schema_version must be 1")
    server = m.get("language_servers", {}).get("authlint")
    if server is None:
        errors.append("extension.toml: no [language_servers.authlint]")
        return errors
    if sorted(server.get("languages", [])) != sorted(LANGUAGE_IDS):
        errors.append(f"extension.toml: languages {server.get('languages')} != {sorted(LANGUAGE_IDS)}")
    if server.get("language_ids") != LANGUAGE_IDS:
        errors.append(f"extension.toml: language_ids {server.get('language_ids')} != {LANGUAGE_IDS}")
    cargo = tomllib.loads((HERE / "Cargo.toml").read_text(encoding="utf-8"))
    if "cdylib" not in cargo.get("lib", {}).get("crate-type", []):
        errors.append("Cargo.toml: the extension must be a cdylib")
    if cargo["package"]["version"] != m.get("version"):
        errors.append("Cargo.toml and extension.toml versions differ")
    return errors


def check_wasm(path: Path) -> list[str]:
    data = path.read_bytes()
    errors = []
    # Magic, then version 0x0d and layer 1: a component, not a core module.
    if data[:8] != b"\0asm\x0d\x00\x01\x00":
        errors.append(f"{path}: not a WebAssembly component (header {data[:8].hex()})")
    for needle in (b"zed:api-version", b"zed:extension/lsp", b"language-server-command",
                   b"language-server-workspace-configuration"):
        if needle not in data:
            errors.append(f"{path}: {needle.decode()} not found")
    return errors


def main() -> int:
    errors = check_manifest()
    checked = "extension.toml, Cargo.toml"
    if len(sys.argv) > 1:
        errors += check_wasm(Path(sys.argv[1]))
        checked += f", {sys.argv[1]}"
    for e in errors:
        print(e)
    print(f"zed: checked {checked}; {len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
