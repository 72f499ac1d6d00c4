//! Django REST framework answers the 401 an authentication class raises
//! (`AuthenticationFailed`, `NotAuthenticated`) with the challenge of the
//! *first* class in the settings' `DEFAULT_AUTHENTICATION_CLASSES`; when
//! that class has none (`SessionAuthentication`), DRF sends 403 instead.
//!
//! ```python
//! REST_FRAMEWORK = {"DEFAULT_AUTHENTICATION_CLASSES": (
//!     "rest_framework.authentication.SessionAuthentication",
//!     "shop.api.authentication.TokenAuthentication",   # its 401s become 403s
//! )}
//! ```
//!
//! The settings are read once per project, only in files that name the key.

use super::nodes::params;
use super::{named_children, text, Cx};
use crate::engine::index::{evidence_in, ModuleSource, ProjectIndex};
use crate::engine::model::Evidence;
use crate::engine::syntax::NodeExt;
use std::path::{Path, PathBuf};
use tree_sitter::Node;

const KEY: &str = "DEFAULT_AUTHENTICATION_CLASSES";

/// The classes the settings list, in order: (dotted path, its byte range).
struct Listed {
    path: PathBuf,
    classes: Vec<(String, std::ops::Range<usize>)>,
}

/// Where DRF answers the 401s of the authentication class around `site`
/// with 403: the settings entry that puts `SessionAuthentication` first,
/// or, for a class with no `authenticate_header` of its own, where it is
/// listed first (in the settings or in a view's `authentication_classes`).
pub(super) fn answered_as_403<'t>(cx: &Cx<'t>, site: Node<'t>) -> Option<Evidence> {
    let class = authentication_class(cx, site)?;
    let name = text(class.field("name")?, cx.src);
    let root = ProjectIndex::project_root(cx.path)?;
    let facts = cx
        .index
        .project_fact(&root, "python-drf-authentication-classes", |src| {
            scan(&root, src)
        })?;
    let last = |dotted: &str| dotted.rsplit('.').next().unwrap_or(dotted).to_string();
    if let Some((listed, (first, first_range))) = facts
        .settings
        .as_ref()
        .and_then(|l| Some((l, l.classes.first()?)))
    {
        if last(first) == "SessionAuthentication"
            && listed.classes[1..].iter().any(|(c, _)| last(c) == name)
        {
            cx.index.record_import(cx.path, &listed.path);
            return Some(evidence_in(
                &listed.path,
                first_range.clone(),
                format!(
                    "DRF answers with the challenge of the first class in `{KEY}`; `SessionAuthentication` has none, so `{name}`'s 401 is sent as 403 (list it first, or give the API views their own `authentication_classes`)"
                ),
            ));
        }
    }
    if !without_header(cx, class) {
        return None;
    }
    let settings_first = facts.settings.as_ref().and_then(|l| {
        let (c, r) = l.classes.first()?;
        (last(c) == name).then(|| (l.path.clone(), r.clone()))
    });
    let (path, range) = settings_first.or_else(|| {
        facts
            .view_firsts
            .iter()
            .find(|v| {
                v.name == name
                    && match &v.from {
                        Some(m) => names_file(m, cx.path),
                        None => v.path == cx.path,
                    }
            })
            .map(|v| (v.path.clone(), v.range.clone()))
    })?;
    cx.index.record_import(cx.path, &path);
    Some(evidence_in(
        &path,
        range,
        format!(
            "DRF answers with the challenge of the first authentication class; `{name}` defines no `authenticate_header`, so its 401 is sent as 403 (return the scheme from `authenticate_header`)"
        ),
    ))
}

/// A class deriving from DRF's `BaseAuthentication` itself that defines no
/// `authenticate_header`: it offers no challenge.
fn without_header<'t>(cx: &Cx<'t>, class: Node<'t>) -> bool {
    let base = class.field("superclasses").is_some_and(|s| {
        named_children(s).any(|b| text(b, cx.src).ends_with("BaseAuthentication"))
    });
    base && !methods(cx, class).any(|(n, _)| n == "authenticate_header")
}

/// The methods a class defines (decorated or not), with their names.
fn methods<'t>(cx: &Cx<'t>, class: Node<'t>) -> impl Iterator<Item = (&'t str, Node<'t>)> {
    let src = cx.src;
    class
        .field("body")
        .into_iter()
        .flat_map(named_children)
        .filter_map(move |d| {
            let d = if d.kind_name() == "decorated_definition" {
                d.field("definition").unwrap_or(d)
            } else {
                d
            };
            (d.kind_name() == "function_definition")
                .then(|| d.field("name").map(|n| (text(n, src), d)))
                .flatten()
        })
}

/// Whether the authentication class around `site` takes what it raises
/// back in its own `authenticate` (`except AuthenticationFailed: return
/// None`, a lenient class that lets the next one try): then the raise in
/// another of its methods never becomes a response.
pub(super) fn swallowed_by_authenticate<'t>(cx: &Cx<'t>, site: Node<'t>) -> bool {
    let Some(class) = authentication_class(cx, site) else {
        return false;
    };
    methods(cx, class).any(|(name, d)| {
        name == "authenticate"
            && !d.byte_range().contains(&site.start_byte())
            && d.field("body").is_some_and(|b| {
                let t = text(b, cx.src);
                [
                    "except AuthenticationFailed",
                    "except exceptions.AuthenticationFailed",
                ]
                .iter()
                .any(|e| t.contains(e))
            })
    })
}

/// The class around `site` when it is a DRF authentication class: it
/// defines `authenticate` or `authenticate_credentials`, or derives from a
/// class named `…Authentication`.
fn authentication_class<'t>(cx: &Cx<'t>, site: Node<'t>) -> Option<Node<'t>> {
    let mut n = site;
    let class = loop {
        let p = cx.up(n)?;
        if p.kind_name() == "class_definition" {
            break p;
        }
        n = p;
    };
    let derives = class
        .field("superclasses")
        .is_some_and(|s| named_children(s).any(|b| text(b, cx.src).ends_with("Authentication")));
    let defines = methods(cx, class).any(|(name, d)| {
        matches!(name, "authenticate" | "authenticate_credentials")
            && params(d, cx.src).first().is_some_and(|p| p.name == "self")
    });
    (derives || defines).then_some(class)
}

/// What the project says about its authentication classes.
#[derive(Default)]
struct Facts {
    settings: Option<Listed>,
    /// The class each view lists first in `authentication_classes`.
    view_firsts: Vec<ViewFirst>,
}

struct ViewFirst {
    name: String,
    /// The module the view's file imports it from (`from a.b import Name`).
    from: Option<String>,
    path: PathBuf,
    range: std::ops::Range<usize>,
}

/// The module `name` is imported from at the top of a module.
fn imported_from(root: Node, src: &str, name: &str) -> Option<String> {
    named_children(root)
        .filter(|s| s.kind_name() == "import_from_statement")
        .find_map(|s| super::facts::imported_module(s, src, name))
}

/// Whether a module path a view imports from names the file at `path`: it
/// is the end of the file's path (`shop.api.auth` for `…/shop/api/auth.py`).
fn names_file(module: &str, path: &Path) -> bool {
    let module = module.trim_start_matches('.');
    let mut dirs = path.with_extension("");
    for part in module.rsplit('.') {
        if dirs.file_name().and_then(|f| f.to_str()) != Some(part) {
            return false;
        }
        dirs.pop();
    }
    !module.is_empty()
}

fn scan(root: &Path, src: &dyn ModuleSource) -> Facts {
    let mut facts = Facts::default();
    let settings_key = memchr::memmem::Finder::new(KEY);
    let views_key = memchr::memmem::Finder::new("authentication_classes");
    for path in crate::engine::project::files(root, &["py"]) {
        let Some(text_) = src.read(&path) else {
            continue;
        };
        let settings = facts.settings.is_none()
            && settings_key.find(text_.as_bytes()).is_some()
            && text_.contains("REST_FRAMEWORK");
        let views = views_key.find(text_.as_bytes()).is_some();
        if !settings && !views {
            continue;
        }
        let Some(tree) = crate::engine::parse(crate::engine::Language::Python, &text_, None) else {
            continue;
        };
        if settings {
            if let Some(classes) = listed_in(tree.root_node(), &text_) {
                facts.settings = Some(Listed {
                    path: path.clone(),
                    classes,
                });
            }
        }
        if views {
            view_firsts(tree.root_node(), &text_, &path, &mut facts.view_firsts);
        }
    }
    facts
}

/// `authentication_classes = [ApiKeyAuthentication, …]` in a class body:
/// the first class's name.
fn view_firsts(root: Node, src: &str, path: &Path, out: &mut Vec<ViewFirst>) {
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        if n.kind_name() == "assignment" {
            let first = n
                .field("left")
                .filter(|l| text(*l, src) == "authentication_classes")
                .and(n.field("right"))
                .filter(|r| matches!(r.kind_name(), "list" | "tuple"))
                .and_then(|r| named_children(r).next())
                .filter(|f| matches!(f.kind_name(), "identifier" | "attribute"));
            if let Some(f) = first {
                let t = text(f, src);
                let name = t.rsplit('.').next().unwrap_or(t).to_string();
                let from = imported_from(root, src, &name);
                out.push(ViewFirst {
                    name,
                    from,
                    path: path.to_path_buf(),
                    range: f.byte_range(),
                });
            }
            continue;
        }
        if matches!(
            n.kind_name(),
            "module"
                | "class_definition"
                | "block"
                | "expression_statement"
                | "decorated_definition"
        ) {
            stack.extend(named_children(n));
        }
    }
}

/// The classes a settings module lists: `REST_FRAMEWORK = {"…CLASSES": (…)}`
/// or `REST_FRAMEWORK["…CLASSES"] = […]` at its top level (not DRF's own
/// defaults, not an example in a docstring).
fn listed_in(root: Node, src: &str) -> Option<Vec<(String, std::ops::Range<usize>)>> {
    let key_is = |k: Node| {
        matches!(k.kind_name(), "string") && text(k, src).trim_matches(['"', '\'']) == KEY
    };
    for stmt in named_children(root) {
        let Some(a) = (stmt.kind_name() == "expression_statement")
            .then(|| stmt.named_child(0))
            .flatten()
            .filter(|a| a.kind_name() == "assignment")
        else {
            continue;
        };
        let (Some(left), Some(right)) = (a.field("left"), a.field("right")) else {
            continue;
        };
        let value = match left.kind_name() {
            "identifier"
                if text(left, src) == "REST_FRAMEWORK" && right.kind_name() == "dictionary" =>
            {
                named_children(right).find_map(|p| {
                    (p.kind_name() == "pair" && p.field("key").is_some_and(key_is))
                        .then(|| p.field("value"))
                        .flatten()
                })
            }
            "subscript"
                if left
                    .field("value")
                    .is_some_and(|v| text(v, src) == "REST_FRAMEWORK")
                    && left.field("subscript").is_some_and(key_is) =>
            {
                Some(right)
            }
            _ => None,
        };
        let Some(value) = value.filter(|v| matches!(v.kind_name(), "tuple" | "list")) else {
            continue;
        };
        let classes: Vec<_> = named_children(value)
            .filter(|e| e.kind_name() == "string")
            .map(|e| {
                (
                    text(e, src).trim_matches(['"', '\'']).to_string(),
                    e.byte_range(),
                )
            })
            .collect();
        if !classes.is_empty() {
            return Some(classes);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::listed_in;
    use crate::engine::{parse, Language};

    fn listed(src: &str) -> Vec<String> {
        let tree = parse(Language::Python, src, None).unwrap();
        listed_in(tree.root_node(), src)
            .unwrap_or_default()
            .into_iter()
            .map(|(n, _)| n)
            .collect()
    }

    #[test]
    fn the_settings_classes_are_read_in_order() {
        let src = "REST_FRAMEWORK = {\n    'DEFAULT_AUTHENTICATION_CLASSES': (\n        'rest_framework.authentication.SessionAuthentication',\n        \"shop.api.TokenAuthentication\",\n    ),\n}\n";
        assert_eq!(
            listed(src),
            [
                "rest_framework.authentication.SessionAuthentication",
                "shop.api.TokenAuthentication"
            ]
        );
        let src =
            "REST_FRAMEWORK = {}\nREST_FRAMEWORK['DEFAULT_AUTHENTICATION_CLASSES'] = ['a.B']\n";
        assert_eq!(listed(src), ["a.B"]);
        // DRF's own defaults, and an example in a docstring.
        let src = "\"\"\"\nREST_FRAMEWORK = {'DEFAULT_AUTHENTICATION_CLASSES': ['x.SessionAuthentication']}\n\"\"\"\nDEFAULTS = {'DEFAULT_AUTHENTICATION_CLASSES': ['x.SessionAuthentication', 'x.BasicAuthentication']}\n";
        assert!(listed(src).is_empty());
    }
}
