//! Open documents: text, version, the syntax tree kept in step with every
//! incremental change, and the conversions between LSP positions and bytes.

use crate::diagnostic::Diagnostic;
use crate::engine::{FsSource, Language, ModuleSource};
use crate::source::{Encoding, LineMap, Position as SrcPosition};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use tower_lsp_server::lsp_types::{self as lsp, Uri};
use tree_sitter::{InputEdit, Point, Tree};

/// Diagnostics computed for one state of a document.
#[derive(Clone)]
pub struct Computed {
    /// The lint request this answers (see [`Document::seq`]).
    pub seq: u64,
    pub version: i32,
    pub text: Arc<String>,
    pub line_map: Arc<LineMap>,
    /// Every finding, suppressed ones included.
    pub diags: Arc<Vec<Diagnostic>>,
    /// Ready-made LSP diagnostics that do not come from the linter (a
    /// broken `authlint.toml` shown on the config file itself).
    pub extra: Arc<Vec<lsp::Diagnostic>>,
}

pub struct Document {
    pub uri: Uri,
    pub path: PathBuf,
    pub lang: Option<Language>,
    pub text: Arc<String>,
    pub line_map: Arc<LineMap>,
    pub version: i32,
    /// The last parse, `edit`ed to match every change applied since; `None`
    /// until first parsed (or after a full-text replacement).
    pub tree: Option<Tree>,
    /// What the lint of `tree` found, per top-level statement, for the next
    /// lint to reuse (kept and dropped together with `tree`).
    pub analysis: Option<Arc<crate::lint::Analysis>>,
    /// Count of changes applied, to know whether a reparse is still current.
    pub edits: u64,
    /// Bumped for every change and every event that invalidates the
    /// diagnostics (settings, imported files): results for an older `seq`
    /// are stale and never published.
    pub seq: u64,
    pub cache: Option<Computed>,
    /// A push-mode lint of this document is running; it relints before it
    /// stops if `seq` moved meanwhile (one lint in flight per document).
    pub linting: bool,
    /// When the last change arrived (for `AUTHLINT_LSP_TIMING`).
    pub changed_at: Option<std::time::Instant>,
    /// At least how deep brackets nest in `text`, kept through every change
    /// (see [`crate::engine::syntax::bracket_depth`]), so that a keystroke
    /// does not rescan a big file for the nesting guard.
    pub bracket_bound: usize,
    /// The JSON of the findings last published, for the next publication.
    pub published: super::diagnostics::Serialized,
}

impl Document {
    pub fn new(
        uri: Uri,
        path: PathBuf,
        lang: Option<Language>,
        text: String,
        version: i32,
    ) -> Self {
        let line_map = Arc::new(LineMap::new(&text));
        let bracket_bound = crate::engine::syntax::bracket_depth(&text);
        Document {
            uri,
            path,
            lang,
            text: Arc::new(text),
            line_map,
            version,
            tree: None,
            analysis: None,
            edits: 0,
            seq: 1,
            cache: None,
            linting: false,
            changed_at: None,
            bracket_bound,
            published: Default::default(),
        }
    }

    /// Applies one `contentChanges` entry. Positions past the end clamp.
    pub fn apply_change(&mut self, range: Option<lsp::Range>, new_text: &str, enc: Encoding) {
        self.edits += 1;
        let Some(range) = range else {
            self.bracket_bound = crate::engine::syntax::bracket_depth(new_text);
            self.text = Arc::new(new_text.to_string());
            self.line_map = Arc::new(LineMap::new(&self.text));
            self.tree = None;
            self.analysis = None;
            return;
        };
        let mut start = to_offset(&self.text, &self.line_map, range.start, enc);
        let mut end = to_offset(&self.text, &self.line_map, range.end, enc);
        if end < start {
            std::mem::swap(&mut start, &mut end);
        }
        let start_point = point(&self.text, &self.line_map, start);
        let old_end_point = point(&self.text, &self.line_map, end);
        self.bracket_bound = self.bracket_bound.saturating_add(
            crate::engine::syntax::closing_brackets(&self.text[start..end])
                + crate::engine::syntax::bracket_depth(new_text),
        );
        Arc::make_mut(&mut self.text).replace_range(start..end, new_text);
        Arc::make_mut(&mut self.line_map).edit(start, end, new_text);
        if let Some(tree) = self.tree.as_mut() {
            tree.edit(&InputEdit {
                start_byte: start,
                old_end_byte: end,
                new_end_byte: start + new_text.len(),
                start_position: start_point,
                old_end_position: old_end_point,
                new_end_position: advance(start_point, new_text),
            });
        }
    }
}

/// The tree-sitter point (row, byte column) of `offset`.
fn point(text: &str, map: &LineMap, offset: usize) -> Point {
    let p = map.position(text, offset, Encoding::Utf8);
    Point {
        row: p.line as usize,
        column: p.column as usize,
    }
}

/// The point reached after inserting `inserted` at `start`.
fn advance(start: Point, inserted: &str) -> Point {
    match inserted.rfind('\n') {
        None => Point {
            row: start.row,
            column: start.column + inserted.len(),
        },
        Some(last) => Point {
            row: start.row + memchr::memchr_iter(b'\n', inserted.as_bytes()).count(),
            column: inserted.len() - last - 1,
        },
    }
}

/// The byte offset of an LSP position: lines past the end clamp to the end
/// of the text, columns past the end of a line to the line's end, and the
/// result always lands on a character boundary.
pub fn to_offset(text: &str, map: &LineMap, pos: lsp::Position, enc: Encoding) -> usize {
    let offset = map
        .offset(
            text,
            SrcPosition {
                line: pos.line,
                column: pos.character,
            },
            enc,
        )
        .unwrap_or(text.len());
    let mut offset = offset.min(text.len());
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

pub fn to_position(text: &str, map: &LineMap, offset: usize, enc: Encoding) -> lsp::Position {
    let p = map.position(text, offset, enc);
    lsp::Position {
        line: p.line,
        character: p.column,
    }
}

pub fn to_range(
    text: &str,
    map: &LineMap,
    range: &std::ops::Range<usize>,
    enc: Encoding,
) -> lsp::Range {
    lsp::Range {
        start: to_position(text, map, range.start, enc),
        end: to_position(text, map, range.end.max(range.start), enc),
    }
}

/// Every open document, by URI.
#[derive(Default)]
pub struct Store {
    pub docs: HashMap<Uri, Document>,
}

impl Store {
    pub fn by_path(&self, path: &Path) -> Option<&Document> {
        self.docs.values().find(|d| d.path == path)
    }
}

pub type SharedStore = Arc<Mutex<Store>>;

pub fn lock(store: &Mutex<Store>) -> MutexGuard<'_, Store> {
    store.lock().unwrap_or_else(|e| e.into_inner())
}

/// Module text for the project index: open buffers first, then the disk.
pub struct BufferSource {
    pub store: SharedStore,
    pub disk: Arc<DiskCache>,
}

impl BufferSource {
    pub fn new(store: SharedStore, disk: Arc<DiskCache>) -> Self {
        BufferSource { store, disk }
    }
}

impl ModuleSource for BufferSource {
    fn read(&self, path: &Path) -> Option<String> {
        if let Some(doc) = lock(&self.store).by_path(path) {
            return Some(doc.text.as_str().to_string());
        }
        self.disk.read(path).map(|t| t.as_str().to_string())
    }
}

/// Files read from disk for import resolution, kept for a moment: resolving
/// one import probes several candidate paths, and a lint resolves the same
/// imports many times. Entries expire after [`DiskCache::TTL`], and the
/// cache is emptied on every watched-file event, save, open and close.
#[derive(Default)]
pub struct DiskCache {
    entries: Mutex<HashMap<PathBuf, DiskEntry>>,
}

/// When a file was read, and its text (`None`: missing or unreadable).
type DiskEntry = (std::time::Instant, Option<Arc<String>>);

impl DiskCache {
    pub const TTL: std::time::Duration = std::time::Duration::from_secs(2);

    pub fn read(&self, path: &Path) -> Option<Arc<String>> {
        let now = std::time::Instant::now();
        {
            let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((at, text)) = entries.get(path) {
                if now.duration_since(*at) < Self::TTL {
                    return text.clone();
                }
            }
        }
        let text = FsSource.read(path).map(Arc::new);
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() > 4096 {
            entries.clear();
        }
        entries.insert(path.to_path_buf(), (now, text.clone()));
        text
    }

    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

/// The file system path a URI stands for. Non-`file` URIs (unsaved
/// buffers) get a path made of their own path component, which never
/// exists on disk but still carries the extension.
pub fn uri_to_path(uri: &Uri) -> PathBuf {
    use tower_lsp_server::UriExt;
    let is_file = uri
        .scheme()
        .is_some_and(|s| s.as_str().eq_ignore_ascii_case("file"));
    if is_file {
        if let Some(p) = uri.to_file_path() {
            return crate::engine::index::normalize(&p);
        }
    }
    PathBuf::from(uri.path().as_str())
}

pub fn path_to_uri(path: &Path) -> Option<Uri> {
    use tower_lsp_server::UriExt;
    Uri::from_file_path(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn pos(line: u32, character: u32) -> lsp::Position {
        lsp::Position { line, character }
    }

    fn doc(text: &str) -> Document {
        Document::new(
            Uri::from_str("file:///tmp/a.ts").unwrap(),
            PathBuf::from("/tmp/a.ts"),
            Some(Language::TypeScript),
            text.to_string(),
            1,
        )
    }

    #[test]
    fn utf16_and_utf8_columns() {
        let mut d = doc("const s = '😀x';\n");
        // After the emoji: UTF-16 column 13, UTF-8 column 15.
        d.apply_change(
            Some(lsp::Range::new(pos(0, 13), pos(0, 14))),
            "y",
            Encoding::Utf16,
        );
        assert_eq!(d.text.as_str(), "const s = '😀y';\n");
        d.apply_change(
            Some(lsp::Range::new(pos(0, 15), pos(0, 16))),
            "z",
            Encoding::Utf8,
        );
        assert_eq!(d.text.as_str(), "const s = '😀z';\n");
        // Inside the surrogate pair / inside the UTF-8 sequence: no panic.
        d.apply_change(
            Some(lsp::Range::new(pos(0, 12), pos(0, 12))),
            "",
            Encoding::Utf16,
        );
        d.apply_change(
            Some(lsp::Range::new(pos(0, 12), pos(0, 13))),
            "",
            Encoding::Utf8,
        );
        assert!(d.text.is_char_boundary(0));
    }

    #[test]
    fn out_of_range_positions_clamp() {
        let mut d = doc("ab\r\ncd");
        d.apply_change(
            Some(lsp::Range::new(pos(0, 99), pos(0, 99))),
            "X",
            Encoding::Utf16,
        );
        assert_eq!(d.text.as_str(), "abX\r\ncd");
        d.apply_change(
            Some(lsp::Range::new(pos(9, 0), pos(12, 3))),
            "!",
            Encoding::Utf16,
        );
        assert_eq!(d.text.as_str(), "abX\r\ncd!");
        d.apply_change(
            Some(lsp::Range::new(pos(1, 1), pos(0, 1))),
            "",
            Encoding::Utf16,
        );
        assert_eq!(d.text.as_str(), "ad!");
    }

    #[test]
    fn tree_edits_match_a_fresh_parse() {
        let mut d = doc("function f() {\n  return 1;\n}\n");
        d.tree = crate::engine::parse(Language::TypeScript, &d.text, None);
        d.apply_change(
            Some(lsp::Range::new(pos(1, 9), pos(1, 10))),
            "new Response('ü', { status: 401 })",
            Encoding::Utf16,
        );
        d.apply_change(
            Some(lsp::Range::new(pos(0, 0), pos(0, 0))),
            "// é\r\n",
            Encoding::Utf16,
        );
        let incremental =
            crate::engine::parse(Language::TypeScript, &d.text, d.tree.as_ref()).unwrap();
        let fresh = crate::engine::parse(Language::TypeScript, &d.text, None).unwrap();
        assert_eq!(
            incremental.root_node().to_sexp(),
            fresh.root_node().to_sexp()
        );
        assert_eq!(
            incremental.root_node().byte_range(),
            fresh.root_node().byte_range()
        );
    }

    #[test]
    fn advance_counts_rows_and_bytes() {
        let p = Point { row: 2, column: 4 };
        assert_eq!(advance(p, "ab"), Point { row: 2, column: 6 });
        assert_eq!(advance(p, "a\nbé"), Point { row: 3, column: 3 });
        assert_eq!(advance(p, "a\r\n"), Point { row: 3, column: 0 });
    }
}
