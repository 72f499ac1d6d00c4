//! The log line a fix inserts before a 401: the logger the code already
//! uses, at warning level, saying why in words a person would write.
//!
//! - The reason is the response's own message. A template literal or an
//!   f-string stays one (its substitutions are what makes it useful).
//! - Without a message, in a `catch`/`except`: "token verification failed"
//!   (or "authentication failed") and the caught error.
//! - Otherwise a few words from what the condition tests ("missing
//!   Authorization header", "invalid API key"), never its source text.

use crate::engine::model::{FileModel, ResponseSite};
use crate::engine::syntax::quote;
use crate::engine::Language;

/// Why the request is rejected.
#[derive(Debug, PartialEq)]
enum Reason {
    /// Plain words.
    Words(String),
    /// A template literal (with its backquotes) or an f-string (with its
    /// prefix and quotes), as the code writes it.
    Literal(String),
    /// Words, then the caught error (an identifier).
    Caught(String, String),
}

/// The log statement (without indentation or newline) for a `code` response
/// at `site`.
pub fn statement(
    site: &ResponseSite,
    code: u16,
    model: &FileModel,
    lang: Language,
    text: &str,
) -> String {
    let q = model.quote;
    let head = format!("Returning {code} - reason:");
    let reason = reason(site, code, lang, text);
    if lang.is_python() {
        let logger = site.logger_in_scope.as_deref().unwrap_or("logging");
        return match reason {
            Reason::Words(w) => format!(
                "{logger}.warning({}, {})",
                quote(&format!("{head} %s"), q),
                quote(&w, q)
            ),
            Reason::Literal(l) => {
                format!("{logger}.warning({}, {l})", quote(&format!("{head} %s"), q))
            }
            Reason::Caught(w, e) => format!(
                "{logger}.warning({}, {e})",
                quote(&format!("{head} {w}: %s"), q)
            ),
        };
    }
    let semi = if model.semicolons { ";" } else { "" };
    match site.logger_in_scope.as_deref() {
        // `logger.warn(msg)`: one string, which every logger takes (pino
        // reads a first object argument as fields, winston a second one).
        Some(l) => {
            let arg = match reason {
                Reason::Words(w) => quote(&format!("{head} {w}"), q),
                Reason::Literal(l) => format!("`{head} {}", &l[1..]),
                Reason::Caught(w, e) => format!("`{head} {w}: ${{{e}}}`"),
            };
            format!("{l}.warn({arg}){semi}")
        }
        None => {
            let args = match reason {
                Reason::Words(w) => format!("{}, {}", quote(&head, q), quote(&w, q)),
                Reason::Literal(l) => format!("{}, {l}", quote(&head, q)),
                Reason::Caught(w, e) => format!("{}, {e}", quote(&format!("{head} {w}:"), q)),
            };
            format!("console.warn({args}){semi}")
        }
    }
}

fn reason(site: &ResponseSite, code: u16, lang: Language, text: &str) -> Reason {
    if let Some(m) = site
        .message
        .as_deref()
        .and_then(|m| m.split(" | ").find(|p| !p.trim().is_empty()))
    {
        let m = m.trim();
        if let Some(lit) = literal_of(site, m, lang, text) {
            return Reason::Literal(lit);
        }
        return Reason::Words(shorten(&without_substitutions(m)));
    }
    let Some(g) = &site.guard else {
        return Reason::Words(fallback(code).into());
    };
    let lower = g.text.to_lowercase();
    if g.in_catch {
        let words = if g.verified_by.is_some() || ["token", "jwt"].iter().any(|w| lower.contains(w))
        {
            "token verification failed"
        } else {
            "authentication failed"
        };
        return match caught_name(&g.text) {
            Some(e) => Reason::Caught(words.into(), e),
            None => Reason::Words(words.into()),
        };
    }
    // A callback's error argument: `(err, claims) => { if (err) … }`.
    let cond = g.text.trim();
    if ["err", "error", "e", "ex", "exc"].contains(&lower.trim()) {
        return Reason::Caught("verification failed".into(), cond.to_string());
    }
    Reason::Words(condition_words(&lower).unwrap_or_else(|| fallback(code).into()))
}

fn fallback(code: u16) -> &'static str {
    if code == 403 {
        "permission denied"
    } else {
        "authentication required"
    }
}

/// What a condition (lower-cased) tests, in words: the thing it reads, and
/// whether it is missing or wrong.
fn condition_words(cond: &str) -> Option<String> {
    const SUBJECTS: &[(&[&str], &str, &str)] = &[
        (
            &["authorization"],
            "missing Authorization header",
            "invalid Authorization header",
        ),
        (
            &["api_key", "apikey", "api-key"],
            "missing API key",
            "invalid API key",
        ),
        (&["token", "jwt"], "missing token", "invalid token"),
        (&["session"], "no session", "invalid session"),
        (
            &["password", "credential", "pass"],
            "missing credentials",
            "invalid credentials",
        ),
        (&["signature"], "missing signature", "invalid signature"),
        (&["user"], "not signed in", "user not authenticated"),
        (&["key"], "missing key", "invalid key"),
    ];
    let (_, missing, wrong) = SUBJECTS
        .iter()
        .find(|(words, _, _)| words.iter().any(|w| cond.contains(w)))?;
    let absent = cond.starts_with('!')
        || cond.starts_with("not ")
        || [
            "is none",
            "== null",
            "=== null",
            "=== undefined",
            "== none",
            "!request",
            "!req",
        ]
        .iter()
        .any(|w| cond.contains(w));
    Some(if absent { missing } else { wrong }.to_string())
}

/// The name a `catch (e)` / `except X as e` clause binds, from the guard.
fn caught_name(guard: &str) -> Option<String> {
    let name = if let Some(at) = guard.find("catch (").or_else(|| guard.find("catch(")) {
        let rest = &guard[at..];
        let rest = &rest[rest.find('(')? + 1..];
        rest[..rest.find(')')?].split(':').next()?.trim()
    } else {
        let at = guard.find("except")?;
        guard[at..]
            .split(" as ")
            .nth(1)?
            .split([':', ' ', ')'])
            .next()?
            .trim()
    };
    (!name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '$'))
    .then(|| name.to_string())
}

/// The template literal or f-string in the site's message whose text is
/// `m`, as written.
fn literal_of(site: &ResponseSite, m: &str, lang: Language, text: &str) -> Option<String> {
    let has_subst = if lang.is_python() {
        m.contains('{')
    } else {
        m.contains("${")
    };
    if !has_subst {
        return None;
    }
    let range = site.message_range.clone()?;
    let src = text.get(range)?;
    let at = src.find(m)?;
    let (before, after) = (&src[..at], &src[at + m.len()..]);
    if lang.is_python() {
        let q = before
            .chars()
            .next_back()
            .filter(|c| matches!(c, '\'' | '"'))?;
        let prefix_len = before[..before.len() - 1]
            .chars()
            .rev()
            .take_while(|c| matches!(c, 'f' | 'F' | 'r' | 'R'))
            .count();
        let prefix = &before[before.len() - 1 - prefix_len..before.len() - 1];
        if !prefix.contains(['f', 'F']) || !after.starts_with(q) {
            return None;
        }
        Some(format!("{prefix}{q}{m}{q}"))
    } else {
        (before.ends_with('`') && after.starts_with('`')).then(|| format!("`{m}`"))
    }
}

/// `m` with each `${…}` written as `…` (a plain string would print it as is).
fn without_substitutions(m: &str) -> String {
    let mut out = String::with_capacity(m.len());
    let mut rest = m;
    while let Some(at) = rest.find("${") {
        out.push_str(&rest[..at]);
        out.push('…');
        rest = rest[at..].find('}').map_or("", |e| &rest[at + e + 1..]);
    }
    out.push_str(rest);
    out
}

/// One line, at most 80 characters.
fn shorten(raw: &str) -> String {
    let one_line: String = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 80 {
        format!("{}…", one_line.chars().take(79).collect::<String>())
    } else {
        one_line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_become_words() {
        let cases = [
            ("!req.headers.authorization", "missing Authorization header"),
            ("!token", "missing token"),
            ("not api_key", "missing API key"),
            ("apikey !== process.env.key", "invalid API key"),
            ("!req.session", "no session"),
            ("user is none", "not signed in"),
        ];
        for (cond, want) in cases {
            assert_eq!(condition_words(cond).as_deref(), Some(want), "{cond}");
        }
        assert_eq!(condition_words("!isallowed(route)"), None);
    }

    #[test]
    fn the_caught_name_is_read_from_the_clause() {
        assert_eq!(caught_name("catch (err)").as_deref(), Some("err"));
        assert_eq!(caught_name("catch (e: unknown)").as_deref(), Some("e"));
        assert_eq!(
            caught_name("except jwt.InvalidTokenError as exc").as_deref(),
            Some("exc")
        );
        assert_eq!(caught_name("except (A, B) as e").as_deref(), Some("e"));
        assert_eq!(caught_name("except ValueError"), None);
        assert_eq!(caught_name("catch"), None);
    }

    #[test]
    fn substitutions_are_not_printed_as_text() {
        assert_eq!(
            without_substitutions("Unauthorized: ${req.url}!"),
            "Unauthorized: …!"
        );
        assert_eq!(without_substitutions("a ${b"), "a …");
    }
}
