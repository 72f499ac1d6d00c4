#!/usr/bin/env python3
"""Checks editors/helix/languages.toml: valid TOML, and the structure Helix
and authlint need (server entry, one [[language]] per linted language keeping
Helix's default servers, settings in the server's shape)."""

import sys
import tomllib
from pathlib import Path

PATH = Path(__file__).with_name("languages.toml")
RULES = {
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
}
LEVELS = {"off", "info", "warning", "error"}
SETTINGS = {"enable", "rules", "challenge", "loggers", "configPath"}
# Helix language name -> the default server(s) that must stay in the list.
LANGUAGES = {
    "typescript": ["typescript-language-server"],
    "tsx": ["typescript-language-server"],
    "javascript": ["typescript-language-server"],
    "jsx": ["typescript-language-server"],
    "python": ["ruff", "jedi", "pylsp"],
}


def main() -> int:
    errors = []
    try:
        doc = tomllib.loads(PATH.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        print(f"{PATH}: invalid TOML: {e}")
        return 1

    server = doc.get("language-server", {}).get("authlint")
    if server is None:
        errors.append("no [language-server.authlint]")
    else:
        if server.get("command") != "authlint" or server.get("args") != ["lsp"]:
            errors.append(f"server must run `authlint lsp`, got {server.get('command')} {server.get('args')}")
        settings = server.get("config", {}).get("authlint")
        if not isinstance(settings, dict):
            errors.append("settings must be under [language-server.authlint.config.authlint]")
        else:
            unknown = set(settings) - SETTINGS
            if unknown:
                errors.append(f"unknown settings {sorted(unknown)}")
            if not isinstance(settings.get("enable"), bool):
                errors.append("enable must be a boolean")
            if "challenge" in settings and (not isinstance(settings["challenge"], str) or not settings["challenge"]):
                errors.append("challenge must be a non-empty string")
            if not isinstance(settings.get("loggers"), list):
                errors.append("loggers must be a list")
            rules = settings.get("rules")
            if not isinstance(rules, dict):
                errors.append("rules must be a table")
            else:
                for rule, level in rules.items():
                    if rule not in RULES or level not in LEVELS:
                        errors.append(f"rules: {rule} = {level!r} is not a known rule and level")

    languages = {}
    for lang in doc.get("language", []):
        if lang.get("name") in languages:
            errors.append(f"[[language]] {lang.get('name')} appears twice")
        languages[lang.get("name")] = lang
    for name, defaults in LANGUAGES.items():
        lang = languages.get(name)
        if lang is None:
            errors.append(f"no [[language]] entry for {name}")
            continue
        servers = [s if isinstance(s, str) else s.get("name") for s in lang.get("language-servers", [])]
        if "authlint" not in servers:
            errors.append(f"{name}: authlint is not in language-servers {servers}")
        missing = [d for d in defaults if d not in servers]
        if missing:
            errors.append(f"{name}: Helix's default servers {missing} were dropped from {servers}")
        if "authlint.toml" not in lang.get("roots", []):
            errors.append(f"{name}: authlint.toml is not a root marker")
    extra = set(languages) - set(LANGUAGES)
    if extra:
        errors.append(f"unexpected [[language]] entries {sorted(extra)}")

    for e in errors:
        print(f"{PATH}: {e}")
    print(f"helix: {PATH.name} parses; {len(LANGUAGES)} languages checked; {len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
