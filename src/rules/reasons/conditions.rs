//! Reasons a condition gives on its own, with nothing said: the server's
//! licence, a mode or setting of the server, an OAuth `state` compared.

use crate::rules::evidence;

/// The condition asks the server's licence, with nothing from the request:
/// a call with no arguments whose name speaks of a licence
/// (`isLicenseValid()`, `licence.isExpired()`).
pub(super) fn server_licence(condition: &str) -> bool {
    condition.match_indices("()").any(|(i, _)| {
        let callee = condition[..i]
            .rsplit(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        callee.contains("license") || callee.contains("licence")
    }) && !evidence::condition_tests(condition).0
}

/// The condition compares two values that are both a `state` (`state !==
/// storedState`, `query('state') != cookies.oauth_state`) in a function
/// that reads one by that name (`'state'`) or speaks of OAuth: the
/// callback's anti-forgery round trip (RFC 6749 §10.12), not the caller's
/// credential. `user.state !== 'active'` compares a state with a value, not
/// with another state.
pub(super) fn compares_oauth_state(condition: &str, function: &str) -> bool {
    // `storedState`, `oauth_state`, `'state'`: a word `state` of its own.
    let is_state = |side: &str| {
        side.split(|c: char| !c.is_alphanumeric()).any(|ident| {
            let lower = ident.to_ascii_lowercase();
            lower.match_indices("state").any(|(i, _)| {
                let starts = i == 0 || ident.as_bytes()[i].is_ascii_uppercase();
                let after = ident.as_bytes().get(i + 5);
                starts && after.map_or(true, |b| b.is_ascii_uppercase() || b.is_ascii_digit())
            })
        })
    };
    let oauth = function.contains("'state'")
        || function.contains("\"state\"")
        || function.to_ascii_lowercase().contains("oauth");
    oauth
        && condition
            .split("||")
            .flat_map(|p| p.split("&&"))
            .flat_map(|p| p.split(" or "))
            .flat_map(|p| p.split(" and "))
            .filter_map(|part| {
                let part = part.trim().trim_matches(|c| c == '(' || c == ')');
                ["!==", "!=", "===", "=="]
                    .iter()
                    .find_map(|op| part.split_once(op))
            })
            .any(|(l, r)| is_state(l) && is_state(r))
}

/// The condition tests only a mode or a setting of the server
/// (`multiUserMode(response)`, `res.locals.multiUserMode`,
/// `!flagValue` read from the settings, `config.readOnly`), nothing the
/// request presented: no credential of the caller's can change it.
pub(super) fn server_mode(condition: &str) -> bool {
    let setting = |ident: &str| {
        let l = ident.to_ascii_lowercase();
        l.ends_with("mode")
            || l.contains("featureflag")
            || l.contains("feature_flag")
            || l.starts_with("flag")
            || l.contains("settings")
    };
    let mut any_setting = false;
    for ident in condition.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$')) {
        if ident.is_empty() || ident.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        if setting(ident) {
            any_setting = true;
            continue;
        }
        // What may surround a setting: the response it is kept on, `await`,
        // a negation, a comparison with a literal, a value read.
        let l = ident.to_ascii_lowercase();
        let neutral = matches!(
            l.as_str(),
            "response"
                | "res"
                | "locals"
                | "await"
                | "value"
                | "get"
                | "is"
                | "not"
                | "true"
                | "false"
                | "null"
                | "undefined"
                | "none"
                | "enabled"
                | "disabled"
                | "this"
                | "self"
        );
        if !neutral {
            return false;
        }
    }
    any_setting && !evidence::condition_tests(condition).0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_oauth_state_compared_with_the_stored_one() {
        let f = "const state = c.req.query('state')";
        assert!(compares_oauth_state("!state || state !== storedState", f));
        assert!(compares_oauth_state(
            "query.state != session.oauth_state",
            "def callback(): # OAuth"
        ));
        assert!(!compares_oauth_state("user.state !== 'active'", f));
        assert!(!compares_oauth_state("!storedState", f));
        // Nothing in the function speaks of an OAuth round trip.
        assert!(!compares_oauth_state(
            "order.state !== expectedState",
            "function ship() {}"
        ));
    }

    #[test]
    fn a_mode_or_setting_of_the_server() {
        for c in [
            "!multiUserMode(response)",
            "multiUserMode(response)",
            "response.locals.multiUserMode",
            "multiUserMode",
            "!flagValue",
            "!featureFlagKey",
        ] {
            assert!(server_mode(c), "{c}");
        }
        for c in [
            "!req.user",
            "!token || multiUserMode",
            "user.role !== 'admin'",
            "!isValidKey(key)",
            "mode === 'readonly' && !session",
        ] {
            assert!(!server_mode(c), "{c}");
        }
    }
}
