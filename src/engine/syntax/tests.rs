//! Tests of the syntax helpers: pre-parse filters, depth limits, strings and
//! quotes, indentation, brackets and condition splits.

use super::{indent_scan, may_contain_response, names_token_error, words, NodeExt};

/// Words split by bytes are the words split by characters.
#[test]
fn words_are_runs_of_identifier_characters() {
    let by_chars = |t: &str| -> Vec<String> {
        t.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || !c.is_ascii()))
            .filter(|w| !w.is_empty())
            .map(String::from)
            .collect()
    };
    for t in [
        "",
        "  ",
        "deny_1(message, 401)",
        "café=naïve+ü;x",
        "'日本語' if a_b else c9",
        "a\u{2028}b\u{a0}c",
        "__init__.py:3",
    ] {
        let got: Vec<String> = words(t).map(String::from).collect();
        assert_eq!(got, by_chars(t), "{t:?}");
    }
    assert_eq!(words("x.y(z)").collect::<Vec<_>>(), ["x", "y", "z"]);
}

/// The bound the language server keeps after each edit holds: it is
/// never below the depth a fresh scan of the edited text finds.
#[test]
fn the_bracket_depth_bound_holds_across_edits() {
    use super::{bracket_depth, closing_brackets};
    let pieces = ["(", ")", "[[", "]]", "{", "}", "x", ")(", "((", "))", ""];
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let mut text = String::from("f(a[1], { b: (c) })");
    let mut bound = bracket_depth(&text);
    for _ in 0..2000 {
        let start = next(text.len() + 1);
        let end = (start + next(4)).min(text.len());
        let insert = pieces[next(pieces.len())].repeat(next(3));
        bound += closing_brackets(&text[start..end]) + bracket_depth(&insert);
        text.replace_range(start..end, &insert);
        assert!(bracket_depth(&text) <= bound, "{text}");
    }
    assert_eq!(bracket_depth("a)(b"), 1);
    assert_eq!(bracket_depth("(((x)))"), 3);
}

#[test]
fn the_indent_unit_is_the_smallest_indentation_or_a_tab() {
    assert_eq!(indent_scan("a\n    b\n  c\n"), ("  ".into(), 12));
    assert_eq!(indent_scan("a\r\n   b\r\n").0, "   ");
    assert_eq!(indent_scan("a\n  b\n\tc\n  d\n"), ("\t".into(), 9));
    // Blank-but-indented lines and deep indentation do not count.
    assert_eq!(indent_scan("  \n          x\n").0, "  ");
    assert_eq!(indent_scan("").0, "  ");
    // Only the first 2,000 lines are read.
    let head = "x\n".repeat(2000);
    let (unit, read) = indent_scan(&format!("{head}\tlate\n"));
    assert_eq!((unit.as_str(), read), ("  ", head.len()));
}

/// Every module the summary filter skips summarises to nothing when it
/// is parsed: on every fixture, in both languages.
#[test]
fn modules_skipped_unparsed_export_nothing() {
    use crate::engine::index::{FsSource, ProjectIndex};
    let index = ProjectIndex::new(std::sync::Arc::new(FsSource));
    let (mut skipped, mut exporting) = (0, 0);
    for (p, lang, src) in crate::engine::test_sources() {
        if super::may_export_response_facts(&src, lang.is_python()) {
            continue;
        }
        skipped += 1;
        let tree = crate::engine::parse(lang, &src, None).expect("parsed");
        let full = if lang.is_python() {
            crate::engine::python::summarize(&p, &src, &tree)
        } else {
            crate::engine::javascript::summarize(&p, &src, &tree, &index)
        };
        if !full.exports.is_empty() || full.default_export.is_some() {
            exporting += 1;
            eprintln!(
                "{}: {:?} {:?}",
                p.display(),
                full.exports,
                full.default_export
            );
        }
    }
    assert_eq!(exporting, 0, "skipped modules that export response facts");
    assert!(skipped > 0, "the filter skipped no fixture at all");
}

/// Python modules whose only clue is a base class or a response helper's
/// name export something, and the filter lets each through.
#[test]
fn python_modules_exporting_through_names_pass_the_filter() {
    let modules = [
        "from django.core.exceptions import PermissionDenied\n\nclass Denied(PermissionDenied):\n    pass\n",
        "from flask import abort\n\ndef deny(code, message):\n    abort(code, message)\n",
        "from flask import make_response\n\ndef deny(message, code):\n    return make_response(message, code)\n",
    ];
    for src in modules {
        let path = std::path::Path::new("m.py");
        let tree = crate::engine::parse(crate::engine::Language::Python, src, None).unwrap();
        let summary = crate::engine::python::summarize(path, src, &tree);
        assert!(!summary.exports.is_empty(), "exports nothing: {src}");
        assert!(super::may_export_response_facts(src, true), "{src}");
        assert!(!super::may_export_response_facts(src, false), "{src}");
    }
}

/// Kinds and fields read by id are the ones tree-sitter names, on every
/// node of every fixture (ERROR and MISSING nodes included).
#[test]
fn node_names_by_id_match_tree_sitter() {
    let mut nodes = 0;
    for (p, lang, src) in crate::engine::test_sources() {
        let grammar = lang.grammar();
        let fields: Vec<&str> = (1..=grammar.field_count())
            .filter_map(|id| grammar.field_name_for_id(id as u16))
            .chain(["no_such_field"])
            .collect();
        let tree = crate::engine::parse(lang, &src, None).expect("parsed");
        let mut cursor = tree.walk();
        'walk: loop {
            let n = cursor.node();
            nodes += 1;
            assert_eq!(n.kind_name(), n.kind(), "{}", p.display());
            for f in &fields {
                assert_eq!(n.field(f), n.child_by_field_name(f), "{} {f}", p.display());
            }
            if cursor.goto_first_child() {
                continue;
            }
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    break 'walk;
                }
            }
        }
    }
    assert!(nodes > 10_000, "only {nodes} nodes");
}

#[test]
fn a_status_read_matters_beside_a_call_to_another_service() {
    // An upstream's status passed on.
    let js = "const r = await fetch(url); return new Response(r.body, { status: r.status })";
    assert!(may_contain_response(js, false));
    let py =
        "resp = self.http_client.get(url)\nreturn Response(resp.content, status=resp.status_code)";
    assert!(may_contain_response(py, true));
    let py = "import httpx\nr = httpx.get(u)\nabort(r.status_code)";
    assert!(may_contain_response(py, true));
    // A record's status field.
    assert!(!may_contain_response(
        "if order.status == 'paid': ship(order)",
        true
    ));
    assert!(!may_contain_response(
        "const done = job.status === 'done'",
        false
    ));
    assert!(!may_contain_response(
        "row = session.execute(q)\nrow.status",
        true
    ));
}

#[test]
fn prefilter_finds_statuses_as_numbers_of_their_own() {
    for text in [
        "res.sendStatus(401)",
        "return new Response('no', { status: 403 })",
        "raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED)",
        "const CODE = '401'",
        "401",
        "x = [403]",
        "c.json(body, STATUS_CODE.Unauthorized)",
        "// authlint-ignore-file require-401-logging: gateway logs",
        "await request.jwtVerify()",
    ] {
        assert!(may_contain_response(text, false), "{text}");
    }
    for text in [
        "export function listItems4030() {}",
        "const port = 14010",
        "const id = 'f1403'",
        "export const total = (a, b) => a + b",
    ] {
        assert!(!may_contain_response(text, false), "{text}");
    }
}

#[test]
fn a_catch_that_names_an_invalid_token_error() {
    assert!(names_token_error(
        "catch (e) { if (e instanceof TokenNotValidError) {} }"
    ));
    assert!(names_token_error("except (InvalidTokenError, KeyError):"));
    assert!(names_token_error("except ExpiredTokenException as e:"));
    assert!(!names_token_error("except Exception as e:"));
    assert!(!names_token_error(
        "catch (err) { logger.error('token lookup failed') }"
    ));
}
