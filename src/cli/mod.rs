//! The command-line front end: `authlint lint|lsp|rules|explain`.
pub fn main() -> i32 {
    // Minimal dispatch until the CLI lands: `authlint lsp` starts the server.
    if std::env::args().nth(1).as_deref() == Some("lsp") {
        return crate::lsp::run_stdio();
    }
    0
}
