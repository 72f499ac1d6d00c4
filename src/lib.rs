//! authlint: finds 401/403 mistakes in server and function code.
//!
//! The pipeline, in the order data flows:
//! 0. [`packs`]: what each framework means, as data (`packs/*.toml`).
//! 1. [`engine`]: tree-sitter parses a file and the queries in `queries/`
//!    find where responses are built; Rust turns the captures into
//!    [`engine::model::ResponseSite`]s.
//! 2. [`rules`]: pure functions from sites to [`diagnostic::Diagnostic`]s with fixes.
//! 3. [`suppress`]: `authlint-ignore` comments silence findings (with a reason).
//! 4. Front ends: [`cli`] (`authlint lint`) and [`lsp`] (`authlint lsp`).

pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod engine;
pub mod fix;
pub mod fsio;
pub mod lint;
pub mod lsp;
pub mod packs;
pub mod paths;
pub mod roles;
pub mod rules;
pub mod settings;
pub mod source;
pub mod suggest;
pub mod suppress;

pub use diagnostic::{Diagnostic, Edit, Fix, Related, Severity};
pub use engine::Language;
pub use lint::{lint_source, lint_tree, Linter};
pub use settings::Settings;
