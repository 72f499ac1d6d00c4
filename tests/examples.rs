//! The README's first command, `authlint lint examples`: every finding it
//! reports (path, line, rule, confidence) is snapshotted, so a change to the
//! demo's output is seen and explained.

mod cli_support;
use cli_support::*;

#[test]
fn the_examples_report_what_their_readme_says() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = run(root, &["lint", "examples", "--format", "json"]);
    assert_eq!(out.code, 1, "{out:?}");
    let mut lines: Vec<String> = out.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{}:{} {} ({})",
                d["path"].as_str().unwrap(),
                d["range"]["start"]["line"],
                d["rule"].as_str().unwrap(),
                d["confidence"].as_str().unwrap()
            )
        })
        .collect();
    lines.sort();
    insta::assert_snapshot!(lines.join("\n"));
}
