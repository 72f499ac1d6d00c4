//! The language server front end: `authlint lsp`.
