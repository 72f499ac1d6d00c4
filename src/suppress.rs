//! Suppression comments: `authlint-ignore <rule>[, <rule>]: <reason>` and
//! `authlint-ignore-file <rule>: <reason>`.
use crate::diagnostic::Diagnostic;
use crate::engine::Language;
use crate::settings::Settings;
use tree_sitter::Tree;

pub fn apply(
    _text: &str,
    _lang: Language,
    _tree: &Tree,
    _settings: &Settings,
    _diags: &mut Vec<Diagnostic>,
) {
}
