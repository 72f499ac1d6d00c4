//! Rule documentation: `authlint rules`, `authlint explain`, and the pages
//! under `docs/rules/` (generated from the same `rule.doc` text; the test in
//! `tests/rule_docs.rs` keeps them in sync and runs their examples).

use super::{warn, EXIT_OK, EXIT_USAGE};
use crate::rules::{Rule, RULES};
use annotate_snippets::renderer::{AnsiColor, Style};
use std::io::Write;

/// The page written to `docs/rules/<id>.md`: the rule's doc, verbatim.
pub fn rule_page(rule: &Rule) -> String {
    let mut s = rule.doc.to_string();
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s.push_str(&roles_section(rule));
    s
}

/// The generated "Where it applies" section: the file roles the rule runs in.
fn roles_section(rule: &Rule) -> String {
    use crate::roles::Role;
    let names = |roles: &mut dyn Iterator<Item = Role>| {
        roles
            .map(|r| format!("`{}`", r.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let on = names(&mut Role::ALL.into_iter().filter(|r| rule.roles.contains(r)));
    let off = names(&mut Role::ALL.into_iter().filter(|r| !rule.roles.contains(r)));
    format!(
        "\n## Where it applies\n\n\
         File roles: {on}. Off in {off} files.\n\
         `authlint lint --show-roles` prints each file's role and why; `[roles]` in `authlint.toml` overrides it (see `docs/roles.md`).\n"
    )
}

/// `docs/rules/README.md`: the table of rules.
pub fn index_page() -> String {
    let mut s = String::from(
        "# Rules\n\n\
         <!-- Generated from src/rules/*.md by `UPDATE_DOCS=1 cargo test --test rule_docs`; do not edit. -->\n\n\
         `authlint rules` prints this table and `authlint explain <rule>` prints each page.\n\
         Levels can be changed per rule in `authlint.toml` (see `docs/configuration.md`).\n\n\
         | Rule | Default | Fix | Roles | What it flags |\n|---|---|---|---|---|\n",
    );
    for r in RULES {
        s.push_str(&format!(
            "| [`{}`]({}.md) | {} | {} | {} | {} |\n",
            r.id,
            r.id,
            r.default_severity.as_str(),
            r.fix.as_str(),
            r.roles
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            r.summary.replace('|', "\\|")
        ));
    }
    s
}

/// A fenced example in a rule page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocExample {
    /// `ts`, `tsx`, `js` or `py`.
    pub lang: String,
    /// `true` for `valid` blocks, `false` for `invalid` ones.
    pub valid: bool,
    pub code: String,
    /// 1-based line of the opening fence in the page.
    pub line: usize,
    /// The nearest `###`/`##` heading above it (e.g. the framework).
    pub heading: String,
}

/// Every example block whose info string is `<lang> valid|invalid`.
pub fn examples(doc: &str) -> Vec<DocExample> {
    let mut out = Vec::new();
    let mut heading = String::new();
    let mut open: Option<(String, bool, usize, String)> = None;
    let mut code = String::new();
    for (i, line) in doc.lines().enumerate() {
        let t = line.trim_start();
        if let Some((lang, valid, start, h)) = &open {
            if t.starts_with("```") && t.trim() == "```" {
                out.push(DocExample {
                    lang: lang.clone(),
                    valid: *valid,
                    code: std::mem::take(&mut code),
                    line: *start,
                    heading: h.clone(),
                });
                open = None;
            } else {
                code.push_str(line);
                code.push('\n');
            }
            continue;
        }
        if let Some(info) = t.strip_prefix("```") {
            let mut words = info.split_whitespace();
            let lang = words.next().unwrap_or("").to_string();
            let kind = words.next();
            let valid = match kind {
                Some("valid") => Some(true),
                Some("invalid") => Some(false),
                _ => None,
            };
            match valid {
                Some(v) if matches!(lang.as_str(), "ts" | "tsx" | "js" | "py") => {
                    open = Some((lang, v, i + 1, heading.clone()));
                }
                // Some other fence: read to its end, then drop it (empty lang).
                _ => open = Some((String::new(), true, i + 1, String::new())),
            }
            continue;
        }
        if let Some(h) = t.strip_prefix("### ").or_else(|| t.strip_prefix("## ")) {
            heading = h.trim().to_string();
        }
    }
    out.retain(|e| !e.lang.is_empty());
    out
}

fn fix_label(rule: &Rule) -> &'static str {
    rule.fix.as_str()
}

pub fn print_rules(as_json: bool) -> i32 {
    let mut out = anstream::stdout();
    if as_json {
        let list: Vec<serde_json::Value> = RULES
            .iter()
            .map(|r| {
                serde_json::json!({
                    "id": r.id,
                    "name": r.name,
                    "severity": r.default_severity.as_str(),
                    "fix": r.fix.as_str(),
                    "summary": r.summary,
                    "cwe": r.cwe,
                    "helpUri": r.help_uri(),
                })
            })
            .collect();
        let text = serde_json::to_string_pretty(&list).unwrap_or_default();
        let _ = writeln!(out, "{text}");
        return EXIT_OK;
    }
    let id_w = RULES.iter().map(|r| r.id.len()).max().unwrap_or(4).max(4);
    let bold = Style::new().bold();
    let _ = writeln!(
        out,
        "{bold}{:id_w$}  {:8}  {:6}  SUMMARY{bold:#}",
        "RULE", "DEFAULT", "FIX"
    );
    for r in RULES {
        let sev_style = match r.default_severity {
            crate::Severity::Error => AnsiColor::BrightRed.on_default(),
            crate::Severity::Warning => AnsiColor::BrightYellow.on_default(),
            crate::Severity::Info => AnsiColor::BrightBlue.on_default(),
        };
        let _ = writeln!(
            out,
            "{:id_w$}  {sev_style}{:8}{sev_style:#}  {:6}  {}",
            r.id,
            r.default_severity.as_str(),
            fix_label(r),
            r.summary
        );
    }
    EXIT_OK
}

pub fn explain(id: &str) -> i32 {
    let Some(rule) = crate::rules::find(id) else {
        warn(crate::suggest::unknown_rule(id));
        return EXIT_USAGE;
    };
    let mut out = anstream::stdout();
    let heading = Style::new().bold();
    let h1 = AnsiColor::BrightCyan.on_default().bold();
    let code = Style::new().dimmed();
    let mut in_fence = false;
    for line in rule_page(rule).lines() {
        let t = line.trim_start();
        if t.starts_with("```") {
            in_fence = !in_fence;
            let _ = writeln!(out, "{code}{line}{code:#}");
        } else if in_fence {
            let _ = writeln!(out, "    {line}");
        } else if line.starts_with("# ") {
            let _ = writeln!(out, "{h1}{line}{h1:#}");
        } else if line.starts_with('#') {
            let _ = writeln!(out, "{heading}{line}{heading:#}");
        } else {
            let _ = writeln!(out, "{line}");
        }
    }
    let _ = writeln!(
        out,
        "\nDefault level: {}. Fix: {}. Online: {}",
        rule.default_severity.as_str(),
        rule.fix.as_str(),
        rule.help_uri()
    );
    EXIT_OK
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_examples() {
        let doc = "# r\n\n## Examples\n\n### Express\n\n```ts invalid\nres.status(401).end();\n```\n\n```sh\n```ts valid\n```\n\n```py valid\nx = 1\n```\n";
        let ex = examples(doc);
        assert_eq!(ex.len(), 2, "{ex:?}");
        assert_eq!(ex[0].lang, "ts");
        assert!(!ex[0].valid);
        assert_eq!(ex[0].code, "res.status(401).end();\n");
        assert_eq!(ex[0].line, 7);
        assert_eq!(ex[0].heading, "Express");
        assert_eq!(ex[1].lang, "py");
        assert!(ex[1].valid);
    }
}
