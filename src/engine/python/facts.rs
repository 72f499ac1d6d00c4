//! One top-level statement's share of the file-wide facts: the names it
//! imports and binds, and its functions, classes and module-level
//! assignments. [`Cx`] is built from every statement's share, in order; the
//! language server keeps each share ([`Kept`]) with its statement, so an
//! unchanged statement is not walked again, only its nodes found again.

use super::nodes::params;
use super::*;

/// A statement's facts, with nodes of the current tree.
#[derive(Default)]
pub(super) struct Share<'a> {
    /// local name -> (module, imported name), in order.
    imports: Vec<(Name, (Name, Name))>,
    declared: Vec<Name>,
    /// Functions and classes (at any depth) by name, in order.
    functions: Vec<(Name, Node<'a>)>,
    /// For each function, the hashes of the words in its text.
    fn_words: Vec<Words>,
    classes: Vec<(Name, Node<'a>)>,
    /// Module-level `NAME = value` (or `NAME op= value`): the name, whether
    /// it is a plain assignment, the assignment and the value.
    assigns: Vec<(Name, bool, Node<'a>, Node<'a>)>,
}

/// The distinct words of a text, by their [`syntax::fast_hash`], sorted.
pub(super) type Words = std::sync::Arc<[u64]>;

/// The words of `text`, as [`Words`].
pub(super) fn words_of(text: &str) -> Words {
    let mut w: Vec<u64> = syntax::words(text)
        .map(|w| syntax::fast_hash(w.as_bytes()))
        .collect();
    w.sort_unstable();
    w.dedup();
    w.into()
}

/// Where a node is in its statement: offsets from the statement's start,
/// and its kind.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Loc {
    start: usize,
    end: usize,
    kind: u16,
}

/// A [`Share`] kept for the next extraction, its nodes as [`Loc`]s.
#[derive(Default)]
pub(super) struct Kept {
    imports: Vec<(Name, (Name, Name))>,
    declared: Vec<Name>,
    functions: Vec<(Name, Loc)>,
    fn_words: Vec<Words>,
    classes: Vec<(Name, Loc)>,
    assigns: Vec<(Name, bool, Loc, Loc)>,
}

impl Kept {
    /// The names the statement gives a meaning that other statements look
    /// up: its imports, functions, classes and module-level assignments.
    pub(super) fn defines(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .imports
            .iter()
            .map(|(n, _)| n)
            .chain(self.functions.iter().map(|(n, _)| n))
            .chain(self.classes.iter().map(|(n, _)| n))
            .chain(self.assigns.iter().map(|(n, ..)| n))
            .map(|n| n.to_string())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The share of `stmt` (the same statement, unchanged) with its nodes
    /// found in the current tree; `None` if one is not where it was.
    pub(super) fn resolve<'a>(&self, stmt: Node<'a>) -> Option<Share<'a>> {
        let at = |l: &Loc| locate(stmt, l);
        Some(Share {
            imports: self.imports.clone(),
            declared: self.declared.clone(),
            functions: named(&self.functions, at)?,
            fn_words: self.fn_words.clone(),
            classes: named(&self.classes, at)?,
            assigns: self
                .assigns
                .iter()
                .map(|(n, plain, a, v)| Some((n.clone(), *plain, at(a)?, at(v)?)))
                .collect::<Option<_>>()?,
        })
    }
}

fn named<'a>(
    list: &[(Name, Loc)],
    at: impl Fn(&Loc) -> Option<Node<'a>>,
) -> Option<Vec<(Name, Node<'a>)>> {
    list.iter()
        .map(|(n, l)| Some((n.clone(), at(l)?)))
        .collect()
}

/// The node at `loc` in `stmt`: down from the statement through the child
/// holding the range, to the node of that range and kind.
fn locate<'a>(stmt: Node<'a>, loc: &Loc) -> Option<Node<'a>> {
    let (start, end) = (stmt.start_byte() + loc.start, stmt.start_byte() + loc.end);
    let mut n = stmt;
    for _ in 0..crate::engine::limits::MAX_TREE_DEPTH {
        if n.start_byte() == start && n.end_byte() == end && n.kind_id() == loc.kind {
            return Some(n);
        }
        let c = n.first_child_for_byte(start)?;
        if c.start_byte() > start || c.end_byte() < end {
            return None;
        }
        n = c;
    }
    None
}

/// The module an import statement takes the local name `local` from
/// (`shop.auth` for `from shop.auth import ApiKeyAuthentication`).
pub(super) fn imported_module(stmt: Node, src: &str, local: &str) -> Option<String> {
    let mut share = Share::default();
    share.import_from(stmt, src);
    share
        .imports
        .into_iter()
        .find(|(l, _)| &**l == local)
        .map(|(_, (module, _))| module.to_string())
}

impl<'a> Share<'a> {
    /// One walk over `stmt`.
    pub(super) fn scan(stmt: Node<'a>, src: &str) -> Share<'a> {
        let mut share = Share::default();
        // Each node, and whether it is at module level.
        let mut stack: Vec<(Node<'a>, bool)> = vec![(stmt, true)];
        let mut children = Vec::new();
        while let Some((node, module_level)) = stack.pop() {
            match node.kind_name() {
                "import_statement" => share.import(node, src),
                "import_from_statement" => share.import_from(node, src),
                "function_definition" => {
                    if let Some(n) = node.field("name") {
                        let name: Name = text(n, src).into();
                        share.declared.push(name.clone());
                        share.functions.push((name, node));
                        share.fn_words.push(words_of(text(node, src)));
                    }
                    for p in params(node, src) {
                        share.declared.push(p.name.into());
                    }
                }
                "class_definition" => {
                    if let Some(n) = node.field("name") {
                        let name: Name = text(n, src).into();
                        share.declared.push(name.clone());
                        share.classes.push((name, node));
                    }
                }
                "assignment" | "augmented_assignment" => {
                    if let Some(left) = node.field("left") {
                        share.declare_targets(left, src);
                        if left.kind_name() == "identifier" && module_level {
                            if let Some(right) = node.field("right") {
                                let name: Name = text(left, src).into();
                                let plain = node.kind_name() == "assignment";
                                share.assigns.push((name, plain, node, right));
                            }
                        }
                    }
                }
                "for_statement" | "for_in_clause" => {
                    if let Some(left) = node.field("left") {
                        share.declare_targets(left, src);
                    }
                }
                "as_pattern_target" | "global_statement" | "nonlocal_statement" => {
                    share.declare_targets(node, src);
                }
                "except_clause" => {
                    if let Some(alias) = node.field("alias") {
                        share.declare_targets(alias, src);
                    }
                }
                "lambda_parameters" => share.declare_targets(node, src),
                _ => {}
            }
            // A child is at module level in a module-level expression statement.
            let inner = module_level && node.kind_name() == "expression_statement";
            syntax::push_named_children_reversed(node, &mut children);
            stack.extend(children.drain(..).map(|c| (c, inner)));
        }
        share
    }

    /// The share to keep, its nodes located relative to `stmt`.
    pub(super) fn keep(&self, stmt: Node) -> Kept {
        let base = stmt.start_byte();
        let loc = |n: &Node| Loc {
            start: n.start_byte() - base,
            end: n.end_byte() - base,
            kind: n.kind_id(),
        };
        let located = |list: &[(Name, Node)]| -> Vec<(Name, Loc)> {
            list.iter().map(|(s, n)| (s.clone(), loc(n))).collect()
        };
        Kept {
            imports: self.imports.clone(),
            declared: self.declared.clone(),
            functions: located(&self.functions),
            fn_words: self.fn_words.clone(),
            classes: located(&self.classes),
            assigns: self
                .assigns
                .iter()
                .map(|(s, plain, a, v)| (s.clone(), *plain, loc(a), loc(v)))
                .collect(),
        }
    }

    fn declare_targets(&mut self, n: Node, src: &str) {
        let mut stack = vec![n];
        while let Some(x) = stack.pop() {
            match x.kind_name() {
                "identifier" => self.declared.push(text(x, src).into()),
                "attribute" | "subscript" => {}
                _ => stack.extend(named_children(x)),
            }
        }
    }

    fn import(&mut self, node: Node, src: &str) {
        for c in named_children(node) {
            match c.kind_name() {
                "dotted_name" => {
                    let full = text(c, src);
                    let local: Name = full.split('.').next().unwrap_or(full).into();
                    self.declared.push(local.clone());
                    self.imports.push((local.clone(), (local, "*".into())));
                }
                "aliased_import" => {
                    let (Some(name), Some(alias)) = (c.field("name"), c.field("alias")) else {
                        continue;
                    };
                    let local: Name = text(alias, src).into();
                    self.declared.push(local.clone());
                    self.imports
                        .push((local, (text(name, src).into(), "*".into())));
                }
                _ => {}
            }
        }
    }

    fn import_from(&mut self, node: Node, src: &str) {
        let Some(module) = node.field("module_name") else {
            return;
        };
        let module: Name = text(module, src).into();
        let mut cursor = node.walk();
        let names: Vec<Node> = node.children_by_field_name("name", &mut cursor).collect();
        for n in names {
            let (name, local) = match n.kind_name() {
                "aliased_import" => {
                    let (Some(name), Some(alias)) = (n.field("name"), n.field("alias")) else {
                        continue;
                    };
                    (text(name, src), text(alias, src))
                }
                _ => (text(n, src), text(n, src)),
            };
            let local: Name = local.into();
            self.declared.push(local.clone());
            self.imports.push((local, (module.clone(), name.into())));
        }
    }
}

impl<'a> Cx<'a> {
    /// Adds a statement's share to the file's facts (statements in order:
    /// the first definition of a function or class wins, the last value of
    /// a module-level name).
    pub(super) fn absorb(&mut self, share: Share<'a>) {
        for (local, what) in share.imports {
            self.imports.insert(local, what);
        }
        self.declared.extend(share.declared);
        for ((name, node), words) in share.functions.into_iter().zip(share.fn_words) {
            self.fn_words.insert(node.start_byte(), words);
            self.functions.entry(name).or_insert(node);
        }
        for (name, node) in share.classes {
            self.classes.entry(name).or_insert(node);
        }
        for (name, plain, assign, value) in share.assigns {
            if plain {
                self.module_assigns
                    .entry(name.clone())
                    .or_default()
                    .push(assign);
            }
            self.module_values.insert(name, value);
        }
    }
}
