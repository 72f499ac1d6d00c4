//! The command-line front end: `authlint lint|lsp|rules|explain`.
pub fn main() -> i32 {
    0
}
