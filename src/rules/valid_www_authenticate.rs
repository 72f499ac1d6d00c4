//! `valid-www-authenticate`: a literal `WWW-Authenticate` value must be a
//! challenge list (RFC 9110 §11.6.1). Documentation: `valid_www_authenticate.md`.

use super::{Context, FixKind, Rule};
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::engine::model::ResponseSite;
use crate::engine::syntax::quote;

pub static RULE: Rule = Rule {
    id: "valid-www-authenticate",
    name: "ValidWwwAuthenticate",
    default_severity: Severity::Error,
    fix: FixKind::Unsafe,
    summary: "A `WWW-Authenticate` value is not a valid challenge list (RFC 9110 §11.6.1), e.g. `'true'` or `''`.",
    doc: include_str!("valid_www_authenticate.md"),
    cwe: &[287],
    security_severity: 3.0,
    check,
    roles: super::SHIPPED,
    once_per_range: true,
};

/// Sites sharing a challenge (a constant) report it once: see
/// [`Rule::once_per_range`].
fn check(ctx: &Context, site: &ResponseSite, severity: Severity, out: &mut Vec<Diagnostic>) {
    {
        let Some(ch) = &site.headers.challenge else {
            return;
        };
        let Some(value) = &ch.literal else { return };
        // Only values written in this file can be pointed at.
        if ch.evidence.as_ref().is_some_and(|e| e.path.is_some()) || ch.value_range.is_empty() {
            return;
        }
        if let Err(why) = validate(value) {
            let d = Diagnostic::new(RULE.id, severity, ch.value_range.clone(), format!("`WWW-Authenticate: {value}` is not a valid challenge ({why}); clients cannot tell how to authenticate"))
                .with_fix(Fix {
                    title: format!("Replace with `{}`", ctx.settings.challenge).into(),
                    safe: false,
                    edits: vec![Edit::replace(ch.value_range.clone(), quote(&ctx.settings.challenge, ctx.model.quote))],
                });
            out.push(d);
        }
    }
}

/// Values that are syntactically tokens but obviously not scheme names.
const NOT_SCHEMES: &[&str] = &[
    "true",
    "false",
    "null",
    "undefined",
    "none",
    "yes",
    "no",
    "on",
    "off",
    "required",
    "1",
    "0",
    "nan",
    "object",
];

/// Schemes whose challenges carry auth-params, never a token68.
const AUTH_PARAM_SCHEMES: &[&str] = &["Bearer", "Basic", "Digest", "DPoP"];

fn is_tchar(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c)
}

fn is_token68_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"-._~+/".contains(&c)
}

/// Checks `value` against `#challenge` of RFC 9110 §11.6.1.
pub fn validate(value: &str) -> Result<(), String> {
    schemes(value).map(|_| ())
}

/// The auth-scheme of each challenge in `value`, in order, if `value` is a
/// valid `#challenge` (RFC 9110 §11.6.1).
pub fn schemes(value: &str) -> Result<Vec<&str>, String> {
    let mut out = Vec::new();
    let b = value.as_bytes();
    let mut p = Parser { b, i: 0 };
    p.ows();
    if p.end() {
        return Err("it is empty; at least one challenge such as `Bearer` is required".into());
    }
    loop {
        let start = p.i;
        let scheme = p.token();
        if scheme.is_empty() {
            return Err(format!("expected an auth-scheme at `{}`", &value[start..]));
        }
        if NOT_SCHEMES.iter().any(|n| scheme.eq_ignore_ascii_case(n))
            || scheme.bytes().all(|c| c.is_ascii_digit())
        {
            return Err(format!("`{scheme}` is not an authentication scheme"));
        }
        out.push(scheme);
        if p.end() {
            return Ok(out);
        }
        if p.peek() == Some(b',') {
            p.list_separator()?;
            continue;
        }
        if p.peek() != Some(b' ') {
            return Err(format!(
                "unexpected `{}` after the scheme `{scheme}`",
                value[p.i..].chars().next().unwrap_or(' ')
            ));
        }
        p.sp();
        if p.end() {
            return Ok(out);
        }
        if p.at_auth_param() {
            // #auth-param, until a `,` followed by something that is not a param.
            loop {
                p.auth_param()?;
                p.ows();
                if p.end() {
                    return Ok(out);
                }
                if p.peek() != Some(b',') {
                    return Err(format!(
                        "expected `,` between parameters at `{}`",
                        &value[p.i..]
                    ));
                }
                p.list_separator()?;
                if !p.at_auth_param() {
                    break; // next challenge
                }
            }
        } else {
            // RFC 6750 §3 (Bearer), RFC 7617 (Basic) and RFC 7616 (Digest) define
            // their challenges with auth-params only.
            if AUTH_PARAM_SCHEMES
                .iter()
                .any(|s| scheme.eq_ignore_ascii_case(s))
            {
                let rest = &value[p.i..];
                return Err(match rest.trim_end().strip_suffix('=') {
                    Some(name) if !name.is_empty() && name.bytes().all(is_tchar) => {
                        format!("`{name}=` has no value")
                    }
                    _ => format!(
                        "`{scheme}` takes auth-params such as `realm=\"api\"`, not `{rest}`"
                    ),
                });
            }
            let t = p.token68();
            if t == 0 {
                return Err(format!(
                    "expected a token68 or auth-params after `{scheme}`"
                ));
            }
            p.ows();
            if p.end() {
                return Ok(out);
            }
            if p.peek() != Some(b',') {
                return Err(format!(
                    "unexpected `{}` in the credentials of `{scheme}`",
                    &value[p.i..]
                ));
            }
            p.list_separator()?;
        }
    }
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Parser<'a> {
    fn end(&self) -> bool {
        self.i >= self.b.len()
    }
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn ows(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }
    fn sp(&mut self) {
        while self.peek() == Some(b' ') {
            self.i += 1;
        }
    }
    fn token(&mut self) -> &'a str {
        let s = self.i;
        while self.peek().is_some_and(is_tchar) {
            self.i += 1;
        }
        std::str::from_utf8(&self.b[s..self.i]).unwrap_or("")
    }
    fn token68(&mut self) -> usize {
        let s = self.i;
        while self.peek().is_some_and(is_token68_char) {
            self.i += 1;
        }
        if self.i == s {
            return 0;
        }
        while self.peek() == Some(b'=') {
            self.i += 1;
        }
        self.i - s
    }
    /// `,` then OWS; a trailing or doubled comma is an empty list element.
    fn list_separator(&mut self) -> Result<(), String> {
        self.i += 1;
        self.ows();
        if self.end() || self.peek() == Some(b',') {
            return Err("it has an empty list element (a trailing or doubled comma)".into());
        }
        Ok(())
    }
    /// Whether `token BWS "=" BWS (token / quoted-string)` starts here.
    fn at_auth_param(&self) -> bool {
        let mut j = self.i;
        let start = j;
        while j < self.b.len() && is_tchar(self.b[j]) {
            j += 1;
        }
        if j == start {
            return false;
        }
        while j < self.b.len() && matches!(self.b[j], b' ' | b'\t') {
            j += 1;
        }
        if self.b.get(j) != Some(&b'=') {
            return false;
        }
        j += 1;
        while j < self.b.len() && matches!(self.b[j], b' ' | b'\t') {
            j += 1;
        }
        matches!(self.b.get(j), Some(c) if is_tchar(*c) || *c == b'"')
    }
    fn auth_param(&mut self) -> Result<(), String> {
        let name = self.token().to_string();
        self.ows();
        self.i += 1; // '='
        self.ows();
        if self.peek() == Some(b'"') {
            self.i += 1;
            loop {
                match self.peek() {
                    None => return Err(format!("the quoted value of `{name}` is not closed")),
                    Some(b'\\') => self.i += 2,
                    Some(b'"') => {
                        self.i += 1;
                        return Ok(());
                    }
                    Some(_) => self.i += 1,
                }
            }
        }
        if self.token().is_empty() {
            return Err(format!("`{name}=` has no value"));
        }
        // A value with characters a token cannot hold (a URL's `:` and `/`,
        // a space between scopes) must be a quoted-string (RFC 9110 §11.2).
        let next = self.b[self.i..].iter().find(|c| !matches!(c, b' ' | b'\t'));
        if !matches!(next, None | Some(b',')) {
            return Err(format!(
                "the value of `{name}` must be quoted: `{name}=\"…\"` (RFC 9110 §11.2)"
            ));
        }
        // RFC 9110 §11.5: a sender MUST generate the realm as a quoted-string.
        if name.eq_ignore_ascii_case("realm") {
            return Err("`realm` must be quoted: `realm=\"…\"` (RFC 9110 §11.5)".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{schemes, validate};

    #[test]
    fn accepts_valid_challenges() {
        for v in [
            "Bearer",
            r#"Bearer realm="api""#,
            r#"Bearer realm="api", error="invalid_token", error_description="The access token expired""#,
            r#"Basic realm="simple", charset="UTF-8""#,
            "Negotiate YIIBhgYGKwYBBQUCoIIBejCCAXagGDAW==",
            r#"Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple""#,
            "Bearer, Basic",
            "DPoP algs=\"ES256 PS256\"",
            // A token value needs no quotes (RFC 9110 §11.2).
            "Bearer error=invalid_token",
            r#"Bearer resource_metadata="https://api.example.com/.well-known/oauth-protected-resource""#,
        ] {
            assert_eq!(validate(v), Ok(()), "{v}");
        }
        // `abc=` is a token68 (it allows trailing `=`) for schemes that take one.
        assert_eq!(validate("Negotiate abc="), Ok(()));
        assert_eq!(
            schemes(r#"Newauth realm="apps", type=1, Basic realm="simple", Bearer"#),
            Ok(vec!["Newauth", "Basic", "Bearer"])
        );
        assert_eq!(schemes("Bearerr"), Ok(vec!["Bearerr"]));
    }

    #[test]
    fn rejects_invalid_values() {
        for v in [
            "",
            "   ",
            "true",
            "false",
            "1",
            "Bearer,",
            "Bearer,,Basic",
            "\"Bearer\"",
            r#"Bearer realm="api"#,
            "Bearer realm=\"a\" error=\"b\"",
            "realm=\"api\"",
            "Bearer a b",
            // Bearer takes auth-params only (RFC 6750 §3): `realm=` is an empty param.
            "Bearer realm=",
            "Bearer abc123",
            // Unquoted values: a realm, and a URL a token cannot hold.
            "Bearer realm=api",
            "Bearer resource_metadata=https://api.example.com/.well-known/oauth-protected-resource",
        ] {
            assert!(validate(v).is_err(), "{v:?} should be invalid");
        }
        for (v, why) in [
            ("Bearer realm=api", "`realm` must be quoted"),
            (
                "Bearer resource_metadata=https://x/y",
                "the value of `resource_metadata` must be quoted",
            ),
            (
                r#"Bearer scope=read write, realm="a""#,
                "the value of `scope` must be quoted",
            ),
        ] {
            let e = validate(v).unwrap_err();
            assert!(e.starts_with(why), "{v}: {e}");
        }
    }
}
