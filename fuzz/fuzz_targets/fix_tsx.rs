#![no_main]
//! Fixes arbitrary bytes as a TSX file (see `authlint_fuzz::fix`).

use authlint::Language;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| authlint_fuzz::fix(Language::Tsx, data));
