//! Microsoft's SARIF Multitool (`@microsoft/sarif-multitool`) validating our
//! SARIF with GitHub's and SARIF's rule sets (`--rule-kind "Gh;Sarif"`).
//!
//! Runs when `AUTHLINT_SARIF_MULTITOOL` names the multitool executable (the
//! `Sarif.Multitool` binary from `@microsoft/sarif-multitool-linux`, or the
//! `sarif-multitool` npm shim); `.ci/run` installs it with npm and sets it.
//! Without it the test says so and passes. With `AUTHLINT_REQUIRE_SARIF_MULTITOOL=1`
//! a missing multitool is a failure.

mod cli_support;
use cli_support::*;
use std::process::Command;

#[test]
fn multitool_reports_no_errors_or_warnings() {
    let Some(tool) = std::env::var_os("AUTHLINT_SARIF_MULTITOOL") else {
        assert!(
            std::env::var_os("AUTHLINT_REQUIRE_SARIF_MULTITOOL").is_none(),
            "AUTHLINT_REQUIRE_SARIF_MULTITOOL is set but AUTHLINT_SARIF_MULTITOOL is not"
        );
        eprintln!("skipped: set AUTHLINT_SARIF_MULTITOOL to the sarif-multitool executable");
        return;
    };
    let p = project(&[
        ("functions/hello/index.ts", MISSING_CHALLENGE),
        ("api/admin.js", AUTHZ_401),
        (
            "functions/proxy/index.ts",
            "export default async () => {\n  const upstream = await fetch('https://x');\n  return new Response(upstream.body, { status: upstream.status });\n};\n",
        ),
        (
            "functions/quiet/index.ts",
            "export default () => {\n  // authlint-ignore require-www-authenticate, require-401-logging: health probe\n  return new Response('no', { status: 401 });\n};\n",
        ),
        ("dir with space/ü.ts", MISSING_CHALLENGE),
    ]);
    std::fs::write(p.path().join("blob.ts"), b"\0binary").unwrap();
    let out = run(
        p.path(),
        &[
            "lint",
            "--format",
            "sarif",
            "--output-file",
            "authlint.sarif",
        ],
    );
    assert_eq!(out.code, 1, "{out:?}");
    let validation = p.path().join("validation.sarif");
    let status = Command::new(&tool)
        .arg("validate")
        .arg(p.path().join("authlint.sarif"))
        .args(["--rule-kind", "Gh;Sarif", "--output"])
        .arg(&validation)
        .output()
        .expect("run the SARIF multitool");
    let console = String::from_utf8_lossy(&status.stdout);
    let text = std::fs::read_to_string(&validation)
        .unwrap_or_else(|e| panic!("multitool wrote no output ({e}):\n{console}"));
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut problems = Vec::new();
    for run in v["runs"].as_array().unwrap() {
        for r in run["results"].as_array().into_iter().flatten() {
            let level = r["level"].as_str().unwrap_or("warning");
            if level == "error" || level == "warning" {
                problems.push(format!(
                    "{level} {}: {}",
                    r["ruleId"].as_str().unwrap_or("?"),
                    r["message"]["text"].as_str().unwrap_or("")
                ));
            }
        }
        for inv in run["invocations"].as_array().into_iter().flatten() {
            for n in inv["toolExecutionNotifications"]
                .as_array()
                .into_iter()
                .flatten()
            {
                if n["level"] == "error" {
                    problems.push(format!("tool error: {}", n["message"]["text"]));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "SARIF multitool found problems:\n{}\n\nconsole:\n{console}",
        problems.join("\n")
    );
    assert!(
        console.contains("Analysis completed successfully"),
        "{console}"
    );
}
