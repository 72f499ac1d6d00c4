//! Fix builders shared by rules: adding a header, inserting a log line,
//! rewriting a status.

use crate::diagnostic::{Edit, Fix};
use crate::engine::model::{
    ChallengeHeader, ConditionSplit, FileModel, HeaderInsertion, ResponseSite, StatementInsertion,
    StatusValue,
};
use crate::engine::syntax::quote;
use crate::engine::Language;

/// The edit that adds the auth-param `param` (`error="invalid_token"`) at
/// the end of the challenge literal `ch` (whose value is `value`), inside
/// its closing quote: `Bearer` gains ` param`, `Bearer realm="a"` gains
/// `, param`. `None` when the literal's end is not a quote.
pub fn append_param(text: &str, ch: &ChallengeHeader, value: &str, param: &str) -> Option<Edit> {
    let addition = if value.trim().split_once(' ').is_none() {
        format!(" {param}")
    } else {
        format!(", {param}")
    };
    let raw = text.get(ch.value_range.clone())?;
    let close = raw
        .chars()
        .last()
        .filter(|c| matches!(c, '\'' | '"' | '`'))?;
    let escaped = if close == '"' {
        addition.replace('"', "\\\"")
    } else {
        addition
    };
    Some(Edit::insert(ch.value_range.end - close.len_utf8(), escaped))
}

/// The fix that adds `WWW-Authenticate: <challenge>` at `ins`.
pub fn add_challenge(ins: &HeaderInsertion, challenge: &str, model: &FileModel) -> Fix {
    let q = model.quote;
    let text = ins
        .template
        .replace("$NAME", &quote("WWW-Authenticate", q))
        .replace("$VALUE", &quote(challenge, q));
    Fix {
        title: format!("Add `WWW-Authenticate: {challenge}` ({})", ins.how).into(),
        safe: true,
        edits: vec![Edit::replace(ins.at..ins.at + ins.replace_len, text)],
    }
}

/// `text` with `unit` added before every line but the first (blank lines stay blank).
fn indent_continuation_lines(text: &str, unit: &str) -> String {
    let mut lines = text.split('\n');
    let mut out = lines.next().unwrap_or_default().to_string();
    for line in lines {
        out.push('\n');
        if !line.trim().is_empty() {
            out.push_str(unit);
        }
        out.push_str(line);
    }
    out
}

/// The fix that inserts a log statement before the site's statement.
pub fn add_log(
    site: &ResponseSite,
    ins: &StatementInsertion,
    code: u16,
    model: &FileModel,
    lang: Language,
    text: &str,
    unit: &str,
) -> Fix {
    let stmt = super::log_line::statement(site, code, model, lang, text);
    let edits = match &ins.wrap {
        // A brace-less `if (x) return …`: wrap the statement in a block.
        Some(range) if !lang.is_python() => {
            let original = &text[range.clone()];
            // When the statement sits on the line below its `if`, open the block
            // right after the condition: `if (x) {` rather than a brace on its own line.
            let gap_start = text[..range.start].trim_end().len();
            // (Only straight after `)` or `else`: never inside a trailing comment.)
            let after_head =
                text[..gap_start].ends_with(')') || text[..gap_start].ends_with("else");
            let start = if after_head && text[gap_start..range.start].contains('\n') {
                gap_start
            } else {
                range.start
            };
            let lead = if start == range.start { "" } else { " " };
            let (_, base) = crate::engine::syntax::line_indent(text, start);
            let inner = format!("{base}{unit}");
            let nl = ins.newline;
            // `if (x) return f(a,⏎    b)`: the statement moves one level in, so its
            // continuation lines do too (unless a line break sits in a template
            // literal, whose text would change).
            let original = if start == range.start && !original.contains('`') {
                indent_continuation_lines(original, unit)
            } else {
                original.to_string()
            };
            // Without semicolons, a statement starting with `(`, `[` or a template would join the log line.
            let sep = if !model.semicolons && original.starts_with(['(', '[', '`']) {
                ";"
            } else {
                ""
            };
            vec![Edit::replace(
                start..range.end,
                format!("{lead}{{{nl}{inner}{stmt}{sep}{nl}{inner}{original}{nl}{base}}}"),
            )]
        }
        Some(range) => {
            // Python one-liner `if x: return …`: move the body to its own lines
            // (and leave no blank after the colon).
            let original = &text[range.clone()];
            let indent = format!("{}{unit}", ins.indent);
            let start = text[..range.start].trim_end_matches([' ', '\t']).len();
            vec![Edit::replace(
                start..range.end,
                format!(
                    "{}{indent}{stmt}{}{indent}{original}",
                    ins.newline, ins.newline
                ),
            )]
        }
        None => vec![Edit::insert(
            ins.line_start,
            format!("{}{stmt}{}", ins.indent, ins.newline),
        )],
    };
    Fix {
        title: format!("Log the reason before returning {code}").into(),
        safe: true,
        edits,
    }
}

/// The fix that rewrites one status value to `to`, when it was written
/// literally (a number or a well-known enum member).
pub fn swap_status(value: &StatusValue, to: u16, text: &str) -> Option<Fix> {
    if !value.literal {
        return None;
    }
    let original = text.get(value.range.clone())?;
    let replacement = if original.chars().all(|c| c.is_ascii_digit()) {
        to.to_string()
    } else {
        // `StatusCodes.UNAUTHORIZED` → `StatusCodes.FORBIDDEN`, `status.HTTP_401_UNAUTHORIZED` → `status.HTTP_403_FORBIDDEN`…
        let (prefix, member) = original.rsplit_once('.')?;
        let new_member = rename_member(member, value.code, to)?;
        format!("{prefix}.{new_member}")
    };
    Some(Fix {
        title: format!("Use {to} instead of {}", value.code).into(),
        safe: false,
        edits: vec![Edit::replace(value.range.clone(), replacement)],
    })
}

fn rename_member(member: &str, from: u16, to: u16) -> Option<String> {
    let name = |code: u16| match code {
        401 => Some(("UNAUTHORIZED", "Unauthorized")),
        403 => Some(("FORBIDDEN", "Forbidden")),
        _ => None,
    };
    let (from_upper, from_camel) = name(from)?;
    let (to_upper, to_camel) = name(to)?;
    if member.contains(from_upper) {
        return Some(
            member
                .replace(from_upper, to_upper)
                .replace(&from.to_string(), &to.to_string()),
        );
    }
    if member.contains(from_camel) {
        return Some(member.replace(from_camel, to_camel));
    }
    None
}

/// The fix that splits `if (a || b) <403>` into `if (a) <401>` then
/// `if (b) <403>`, when `a` (the first operand) is the credential check.
/// The new statement is the original one with the status swapped, the
/// challenge added where the site can take it, and a bare "Forbidden"
/// message renamed; everything else (indentation, quotes, semicolons,
/// newlines, braces) is copied from the source.
pub fn split_condition(
    site: &ResponseSite,
    value: &StatusValue,
    split: &ConditionSplit,
    challenge: &str,
    model: &FileModel,
    text: &str,
) -> Option<Fix> {
    let body = split.body.clone();
    let ((first, first_text), (second, _)) = (split.disjuncts.first()?, split.disjuncts.get(1)?);
    let last = &split.disjuncts.last()?.0;
    if !(body.start <= value.range.start && value.range.end <= body.end) {
        return None;
    }
    // Edits inside the copied statement, relative to its start.
    let mut inner = vec![swap_status(value, 401, text)?.edits.remove(0)];
    if site.headers.challenge.is_none() && !site.headers.opaque {
        if let Some(ins) = &site.headers.insertion {
            if body.start <= ins.at && ins.at + ins.replace_len <= body.end {
                inner.extend(add_challenge(ins, challenge, model).edits);
            }
        }
    }
    for e in &mut inner {
        e.range = e.range.start - body.start..e.range.end - body.start;
    }
    let stmt = crate::fix::apply_edits(text.get(body.clone())?, inner.iter());
    let stmt = ["'", "\""].iter().fold(stmt, |s, q| {
        s.replace(&format!("{q}Forbidden{q}"), &format!("{q}Unauthorized{q}"))
    });
    let head = text.get(split.statement.start..first.start)?;
    let mid = text.get(last.end..body.start)?;
    let tail = text.get(body.end..split.statement.end)?;
    let ins = &split.before;
    let new_if = format!(
        "{}{head}{first_text}{mid}{stmt}{tail}{}",
        ins.indent, ins.newline
    );
    Some(Fix {
        title: format!("Split the condition: answer 401 when `{first_text}`").into(),
        safe: false,
        edits: vec![
            Edit::insert(ins.line_start, new_if),
            Edit::replace(first.start..second.start, ""),
        ],
    })
}
