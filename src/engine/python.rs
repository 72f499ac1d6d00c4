//! Python extraction (FastAPI, Starlette, Flask, Django, Lambda).
use super::index::{ModuleSummary, ProjectIndex};
use super::model::FileModel;
use crate::settings::Settings;
use std::path::Path;
use tree_sitter::Tree;

pub fn extract(
    _path: &Path,
    _text: &str,
    _tree: &Tree,
    _settings: &Settings,
    _index: &ProjectIndex,
) -> FileModel {
    FileModel::default()
}

pub fn summarize(_path: &Path, _text: &str, _tree: &Tree) -> ModuleSummary {
    ModuleSummary::default()
}
