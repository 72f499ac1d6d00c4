#![no_main]
//! Reads arbitrary bytes as the language server's input (see
//! `authlint_fuzz::lsp_input`).

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| authlint_fuzz::lsp_input(data));
