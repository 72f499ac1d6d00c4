//! Fix builders shared by rules.
