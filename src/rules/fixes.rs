//! Fix builders shared by rules: adding a header, inserting a log line,
//! rewriting a status.

use crate::diagnostic::{Edit, Fix};
use crate::engine::model::{
    FileModel, HeaderInsertion, ResponseSite, StatementInsertion, StatusValue,
};
use crate::engine::syntax::quote;
use crate::engine::Language;

/// The fix that adds `WWW-Authenticate: <challenge>` at `ins`.
pub fn add_challenge(ins: &HeaderInsertion, challenge: &str, model: &FileModel) -> Fix {
    let q = model.quote;
    let text = ins
        .template
        .replace("$NAME", &quote("WWW-Authenticate", q))
        .replace("$VALUE", &quote(challenge, q));
    Fix {
        title: format!("Add `WWW-Authenticate: {challenge}` ({})", ins.how),
        safe: true,
        edits: vec![Edit::replace(ins.at..ins.at + ins.replace_len, text)],
    }
}

/// A short human reason for a log line: the message, else the condition.
pub fn reason(site: &ResponseSite) -> String {
    let raw = if let Some(m) = site
        .message
        .as_deref()
        .and_then(|m| m.split(" | ").find(|p| !p.trim().is_empty()))
    {
        m.trim().to_string()
    } else if let Some(g) = &site.guard {
        format!("condition {}", g.text)
    } else {
        "request rejected".to_string()
    };
    let one_line: String = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 80 {
        format!("{}…", one_line.chars().take(79).collect::<String>())
    } else {
        one_line
    }
}

/// The fix that inserts a log statement before the site's statement.
pub fn add_log(
    site: &ResponseSite,
    ins: &StatementInsertion,
    code: u16,
    model: &FileModel,
    lang: Language,
    text: &str,
) -> Fix {
    let q = model.quote;
    let reason = reason(site);
    let stmt = if lang.is_python() {
        let logger = site.logger_in_scope.as_deref().unwrap_or("logging");
        format!(
            "{logger}.warning({}, {})",
            quote(&format!("Returning {code} - reason: %s"), q),
            quote(&reason, q)
        )
    } else {
        let semi = if model.semicolons { ";" } else { "" };
        match site.logger_in_scope.as_deref() {
            Some(l) => format!(
                "{l}.warn({}){semi}",
                quote(&format!("Returning {code} - reason: {reason}"), q)
            ),
            None => format!(
                "console.error({}, {}){semi}",
                quote(&format!("Returning {code} - reason:"), q),
                quote(&reason, q)
            ),
        }
    };
    let edits = match &ins.wrap {
        // A brace-less `if (x) return …`: wrap the statement in a block.
        Some(range) if !lang.is_python() => {
            let original = &text[range.clone()];
            vec![Edit::replace(
                range.clone(),
                format!("{{ {stmt} {original} }}"),
            )]
        }
        Some(range) => {
            // Python one-liner `if x: return …`: move the body to its own lines.
            let original = &text[range.clone()];
            let indent = format!("{}    ", ins.indent);
            vec![Edit::replace(
                range.clone(),
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
        title: format!("Log the reason before returning {code}"),
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
        title: format!("Use {to} instead of {}", value.code),
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
