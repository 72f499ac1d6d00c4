//! The limits on what the engine reads and parses, so no input can exhaust
//! memory or the stack. [`crate::lint`] re-exports them for the front ends.

/// Files larger than this are skipped (minified bundles, generated code).
pub const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;
/// Syntax trees deeper than this are skipped rather than risk deep recursion.
pub const MAX_TREE_DEPTH: usize = 1_000;
/// Brackets nested deeper than this are skipped before parsing.
pub const MAX_BRACKET_DEPTH: usize = 500;
