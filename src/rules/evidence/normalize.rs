//! How condition text is normalised before the vocabulary is looked up
//! in it: lower case, no spaces, one spelling of negation and of the
//! request.

/// Normalises condition text for keyword matching: lower-case, no spaces.
pub fn norm_condition(s: &str) -> String {
    let n = s
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .replace("===", "==")
        .replace("!==", "!=")
        .replace("not(", "!(")
        .replace("isnone", "is none");
    request_of_an_argument(&n)
}

/// `!args.req.user` reads as `!req.user`: the request handed inside an
/// argument object is the request.
fn request_of_an_argument(n: &str) -> String {
    let mut out = String::with_capacity(n.len());
    let mut rest = n;
    while let Some(i) = rest.find('!') {
        out.push_str(&rest[..=i]);
        rest = &rest[i + 1..];
        let owner = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
            .unwrap_or(rest.len());
        let after = &rest[owner..];
        let holds_request = owner > 0
            && ["req.", "req?.", "request.", "request?."].iter().any(|r| {
                after.strip_prefix('.').is_some_and(|a| a.starts_with(r))
                    || after.strip_prefix("?.").is_some_and(|a| a.starts_with(r))
            });
        if holds_request && !matches!(&rest[..owner], "req" | "request") {
            rest = after.trim_start_matches('?').trim_start_matches('.');
        }
    }
    out.push_str(rest);
    out
}

/// Python spells negation `not x`, and a handler's own attribute is
/// `self.x` or `this.x`: `not self.current_user` is `!current_user` to the
/// probes, as `not user` is `!user`.
pub(super) fn negations(n: &str) -> String {
    n.replace("notself.", "!")
        .replace("!self.", "!")
        .replace("!this.", "!")
        .replace("notuser", "!user")
        .replace("notsession", "!session")
        .replace("nottoken", "!token")
        .replace("notcurrent_user", "!current_user")
}

#[cfg(test)]
mod tests {
    use super::norm_condition;

    #[test]
    fn the_request_inside_an_argument_object_is_the_request() {
        assert_eq!(norm_condition("!args.req.user"), "!req.user");
        assert_eq!(norm_condition("!ctx?.request?.user"), "!request?.user");
        assert_eq!(norm_condition("!req.user"), "!req.user");
        assert_eq!(norm_condition("!args.user"), "!args.user");
        assert_eq!(norm_condition("a && !opts.req.session"), "a&&!req.session");
    }
}
