//! "Did you mean …?" for mistyped rule ids.

use crate::rules::RULES;

/// The known word closest to `word`, when one is close enough to be what
/// was meant (the same Jaro–Winkler measure clap uses for subcommands).
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// `; did you mean `x`?` for an unknown rule id, or nothing.
pub fn rule_hint(id: &str) -> String {
    match closest(id, RULES.iter().map(|r| r.id)) {
        Some(c) => format!("; did you mean `{c}`?"),
        None => String::new(),
    }
}

/// `unknown rule `x`; did you mean `y`? (valid rules: …)`.
pub fn unknown_rule(id: &str) -> String {
    let ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
    format!(
        "unknown rule `{id}`{} (valid rules: {})",
        rule_hint(id),
        ids.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_rule_ids_only() {
        assert_eq!(
            rule_hint("require-www-authentcate"),
            "; did you mean `require-www-authenticate`?"
        );
        assert_eq!(rule_hint("zzz"), "");
        assert!(unknown_rule("prefer-403").contains("did you mean `prefer-403-for-authorization`?"));
    }
}
