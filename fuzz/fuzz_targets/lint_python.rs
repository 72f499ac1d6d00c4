#![no_main]
//! Lints arbitrary bytes as a Python file (see `authlint_fuzz::lint`).

use authlint::Language;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| authlint_fuzz::lint(Language::Python, data));
