//! What extractors evaluate expressions to, shared by every language.

use super::model::{ChallengeHeader, StatusValue};
use std::ops::Range;

/// The result of evaluating a status expression.
#[derive(Debug, Clone)]
pub(super) enum StatusEval {
    Known(Vec<StatusValue>),
    Forwarded(Range<usize>, String),
    /// The status is parameter `n` (0-based; Python counts `self`) of the
    /// enclosing function: the function is a response helper.
    Param(usize),
    Unknown,
}

/// What a headers expression evaluates to.
#[derive(Debug, Clone, Default)]
pub(super) struct HeaderEval {
    pub challenge: Option<ChallengeHeader>,
    /// Headers come from somewhere we cannot see into.
    pub opaque: bool,
}

impl HeaderEval {
    pub fn merge(&mut self, other: HeaderEval) {
        if self.challenge.is_none() {
            self.challenge = other.challenge;
        }
        self.opaque |= other.opaque;
    }

    pub fn opaque() -> Self {
        HeaderEval {
            challenge: None,
            opaque: true,
        }
    }
}

pub(super) fn is_challenge_name(s: &str) -> bool {
    s.eq_ignore_ascii_case("www-authenticate")
}
