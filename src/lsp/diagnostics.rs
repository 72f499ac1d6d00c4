//! The linter's findings as LSP diagnostics.
//!
//! [`views`] describes each shown finding in LSP terms, borrowing its text
//! from the finding. `publishDiagnostics` serializes those views straight to
//! bytes ([`publish_body`]); the other requests that need diagnostics (pull
//! diagnostics, code actions) turn them into `lsp_types` values
//! ([`View::to_lsp`]). Both give the same JSON (a test below checks it), but
//! the views cost no allocation per finding, which on a big file with many
//! findings is most of what converting them took on each keystroke.

use super::document::{path_to_uri, to_range, Computed};
use crate::diagnostic::Severity;
use crate::source::{Encoding, LineMap};
use serde::Serialize;
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::OnceLock;
use tower_lsp_server::lsp_types::{self as lsp, Uri};

pub const SOURCE: &str = "authlint";

/// One shown finding, in the field order of `lsp_types::Diagnostic` (so
/// that both serialize to the same text).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct View<'a> {
    range: lsp::Range,
    severity: lsp::DiagnosticSeverity,
    code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    code_description: Option<&'static lsp::CodeDescription>,
    source: &'static str,
    message: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_information: Vec<RelatedView<'a>>,
}

#[derive(Serialize)]
struct RelatedView<'a> {
    location: LocationView<'a>,
    message: &'a str,
}

#[derive(Serialize)]
struct LocationView<'a> {
    uri: Cow<'a, Uri>,
    range: lsp::Range,
}

impl View<'_> {
    pub fn to_lsp(&self) -> lsp::Diagnostic {
        let related: Vec<lsp::DiagnosticRelatedInformation> = self
            .related_information
            .iter()
            .map(|r| lsp::DiagnosticRelatedInformation {
                location: lsp::Location {
                    uri: r.location.uri.clone().into_owned(),
                    range: r.location.range,
                },
                message: r.message.to_string(),
            })
            .collect();
        lsp::Diagnostic {
            range: self.range,
            severity: Some(self.severity),
            code: Some(lsp::NumberOrString::String(self.code.to_string())),
            code_description: self.code_description.cloned(),
            source: Some(SOURCE.into()),
            message: self.message.to_string(),
            related_information: (!related.is_empty()).then_some(related),
            tags: None,
            data: None,
        }
    }
}

/// The shown (not suppressed) findings of `c`, the document at `uri`.
/// `module_text` reads another file that related information points into.
pub fn views<'a>(
    uri: &'a Uri,
    c: &'a Computed,
    enc: Encoding,
    module_text: impl Fn(&Path) -> Option<String>,
) -> Vec<View<'a>> {
    let mut others: HashMap<PathBuf, Option<(String, LineMap)>> = HashMap::new();
    c.diags
        .iter()
        .filter(|d| d.suppressed.is_none())
        .map(|d| {
            let related_information = d
                .related
                .iter()
                .filter_map(|r| {
                    let (uri, range) = match &r.path {
                        None => (
                            Cow::Borrowed(uri),
                            to_range(&c.text, &c.line_map, &r.range, enc),
                        ),
                        Some(p) => {
                            let entry = others.entry(p.clone()).or_insert_with(|| {
                                module_text(p).map(|t| {
                                    let m = LineMap::new(&t);
                                    (t, m)
                                })
                            });
                            let range = match entry {
                                Some((t, m)) => to_range(t, m, &r.range, enc),
                                None => lsp::Range::default(),
                            };
                            (Cow::Owned(path_to_uri(p)?), range)
                        }
                    };
                    Some(RelatedView {
                        location: LocationView { uri, range },
                        message: &r.message,
                    })
                })
                .collect();
            View {
                range: to_range(&c.text, &c.line_map, &d.range, enc),
                severity: severity(d.severity),
                code: d.rule,
                code_description: help_link(d.rule),
                source: SOURCE,
                message: &d.message,
                related_information,
            }
        })
        .collect()
}

/// A rule's help page, parsed once.
fn help_link(rule: &str) -> Option<&'static lsp::CodeDescription> {
    static LINKS: OnceLock<Vec<(&'static str, Option<lsp::CodeDescription>)>> = OnceLock::new();
    LINKS
        .get_or_init(|| {
            crate::rules::RULES
                .iter()
                .map(|r| {
                    let href = Uri::from_str(&r.help_uri()).ok();
                    (r.id, href.map(|href| lsp::CodeDescription { href }))
                })
                .collect()
        })
        .iter()
        .find(|(id, _)| *id == rule)
        .and_then(|(_, link)| link.as_ref())
}

pub fn severity(s: Severity) -> lsp::DiagnosticSeverity {
    match s {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
    }
}

/// A `publishDiagnostics` notification, serialized straight to bytes
/// (tower-lsp-server would go through a `serde_json::Value`): `ready` (made
/// elsewhere, such as a broken config shown on its file) then `views`.
/// Each view's JSON is taken from `last` (the document's previous
/// notification) when that held the same view, and `last` is left holding
/// this notification's.
pub fn publish_body(
    uri: &Uri,
    ready: &[lsp::Diagnostic],
    views: &[View],
    version: Option<i32>,
    last: &mut Serialized,
) -> Option<Vec<u8>> {
    let mut body = Vec::with_capacity(last.len + 256);
    body.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"method\":");
    serde_json::to_writer(
        &mut body,
        <lsp::notification::PublishDiagnostics as lsp::notification::Notification>::METHOD,
    )
    .ok()?;
    body.extend_from_slice(b",\"params\":{\"uri\":");
    serde_json::to_writer(&mut body, uri).ok()?;
    body.extend_from_slice(b",\"diagnostics\":[");
    for (i, d) in ready.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        serde_json::to_writer(&mut body, d).ok()?;
    }
    let mut previous = std::mem::replace(
        &mut last.json,
        rustc_hash::FxHashMap::with_capacity_and_hasher(views.len(), Default::default()),
    );
    let mut scratch = Vec::new();
    for (i, v) in views.iter().enumerate() {
        if i + ready.len() > 0 {
            body.push(b',');
        }
        scratch.clear();
        v.key(&mut scratch);
        let (key, json) = match previous.remove_entry(scratch.as_slice()) {
            Some(entry) => entry,
            None => match last.json.get(scratch.as_slice()) {
                // The same view twice (no two findings differ in nothing,
                // but nothing here relies on it).
                Some(json) => {
                    body.extend_from_slice(json);
                    continue;
                }
                None => (
                    scratch.as_slice().into(),
                    serde_json::to_vec(v).ok()?.into_boxed_slice(),
                ),
            },
        };
        body.extend_from_slice(&json);
        last.json.insert(key, json);
    }
    body.push(b']');
    if let Some(version) = version {
        body.extend_from_slice(b",\"version\":");
        serde_json::to_writer(&mut body, &version).ok()?;
    }
    body.extend_from_slice(b"}}");
    last.len = body.len();
    Some(body)
}

/// The JSON of each view in a document's last `publishDiagnostics`, by the
/// view's content ([`View::key`]). On a keystroke most findings are the
/// same as before (same place, same text), and copying their JSON costs far
/// less than serializing them again.
#[derive(Default)]
pub struct Serialized {
    json: rustc_hash::FxHashMap<Box<[u8]>, Box<[u8]>>,
    /// The last notification's length.
    len: usize,
}

impl View<'_> {
    /// Everything the view serializes, written unambiguously into `out`:
    /// two views with the same key have the same JSON.
    fn key(&self, out: &mut Vec<u8>) {
        fn range(out: &mut Vec<u8>, r: &lsp::Range) {
            for n in [r.start.line, r.start.character, r.end.line, r.end.character] {
                out.extend_from_slice(&n.to_le_bytes());
            }
        }
        fn text(out: &mut Vec<u8>, s: &str) {
            out.extend_from_slice(&s.len().to_le_bytes());
            out.extend_from_slice(s.as_bytes());
        }
        range(out, &self.range);
        let levels = [
            lsp::DiagnosticSeverity::ERROR,
            lsp::DiagnosticSeverity::WARNING,
            lsp::DiagnosticSeverity::INFORMATION,
            lsp::DiagnosticSeverity::HINT,
        ];
        out.push(
            levels
                .iter()
                .position(|l| *l == self.severity)
                .map_or(0, |i| i as u8 + 1),
        );
        // The help link follows from the code: whether there is one is enough.
        text(out, self.code);
        out.push(u8::from(self.code_description.is_some()));
        text(out, self.source);
        text(out, self.message);
        out.extend_from_slice(&self.related_information.len().to_le_bytes());
        for r in &self.related_information {
            text(out, r.location.uri.as_str());
            range(out, &r.location.range);
            text(out, r.message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Language;
    use crate::{Linter, Settings};
    use std::sync::Arc;

    /// A document with related information in the file itself and in an
    /// imported module (the helper that builds a response), and a non-ASCII
    /// character before a finding on its line.
    fn computed(dir: &Path) -> (Uri, Computed) {
        std::fs::write(
            dir.join("errors.ts"),
            "export function fail(message: string, status: number) {\n  return new Response(message, { status })\n}\n",
        )
        .unwrap();
        let text = "import { fail } from './errors.ts'\n\
            export async function handler(req: Request) {\n\
            \x20 if (!req.headers.get('Authorization')) {\n\
            \x20   return fail('no “token”', 401)\n\
            \x20 }\n\
            \x20 if (!isAdmin(req)) {\n\
            \x20   return new Response('admin only', { status: 401 })\n\
            \x20 }\n\
            }\n";
        let path = dir.join("fn.ts");
        let linter = Linter::new(Settings::default());
        let diags = linter.lint_as(&path, text, Language::TypeScript).unwrap();
        assert!(diags.len() >= 3, "{diags:?}");
        assert!(diags
            .iter()
            .any(|d| d.related.iter().any(|r| r.path.is_some())));
        let computed = Computed {
            seq: 1,
            version: 7,
            text: Arc::new(text.to_string()),
            line_map: Arc::new(LineMap::new(text)),
            diags: Arc::new(diags),
            extra: Arc::new(vec![lsp::Diagnostic {
                message: "a ready-made one".into(),
                ..Default::default()
            }]),
        };
        (path_to_uri(&path).unwrap(), computed)
    }

    #[test]
    fn views_serialize_as_lsp_types_do() {
        let dir = tempfile::tempdir().unwrap();
        let (uri, c) = computed(dir.path());
        let read = |p: &Path| std::fs::read_to_string(p).ok();
        // Twice in each encoding: serialized, then copied from the first.
        let mut last = Serialized::default();
        for enc in [
            Encoding::Utf16,
            Encoding::Utf16,
            Encoding::Utf8,
            Encoding::Utf8,
        ] {
            let views = views(&uri, &c, enc, read);
            let body = publish_body(&uri, &c.extra, &views, Some(c.version), &mut last).unwrap();
            let typed = lsp::PublishDiagnosticsParams {
                uri: uri.clone(),
                diagnostics: c
                    .extra
                    .iter()
                    .cloned()
                    .chain(views.iter().map(View::to_lsp))
                    .collect(),
                version: Some(c.version),
            };
            let expected = serde_json::to_vec(&serde_json::json!({
                "jsonrpc": "2.0",
                "method": "textDocument/publishDiagnostics",
                "params": typed,
            }))
            .unwrap();
            assert_eq!(
                String::from_utf8(body).unwrap(),
                String::from_utf8(expected).unwrap()
            );
        }
    }

    #[test]
    fn every_view_links_its_rule_and_related_files_resolve() {
        let dir = tempfile::tempdir().unwrap();
        let (uri, c) = computed(dir.path());
        let views = views(&uri, &c, Encoding::Utf16, |p| {
            std::fs::read_to_string(p).ok()
        });
        assert_eq!(views.len(), c.diags.len());
        for v in views.iter().map(View::to_lsp) {
            let code = match &v.code {
                Some(lsp::NumberOrString::String(code)) => code.clone(),
                other => panic!("no rule id: {other:?}"),
            };
            let href = v.code_description.expect("a help link").href;
            assert!(href.as_str().ends_with(&format!("/{code}.md")), "{href:?}");
            for r in v.related_information.unwrap_or_default() {
                if r.location.uri != uri {
                    assert!(r.location.uri.as_str().ends_with("/errors.ts"));
                    assert_ne!(r.location.range, lsp::Range::default());
                }
            }
        }
    }
}
