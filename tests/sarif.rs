//! `--format sarif`: validated against the official SARIF 2.1.0 JSON schema
//! (`tests/sarif-schema-2.1.0.json`, the OASIS 2.1.0 schema as shipped in the
//! npm package `@microsoft/jest-sarif`, MIT), plus the properties GitHub code
//! scanning relies on.

mod cli_support;
use cli_support::*;
use serde_json::Value;

fn schema_errors(instance: &Value) -> Vec<String> {
    let schema: Value =
        serde_json::from_str(include_str!("sarif-schema-2.1.0.json")).expect("schema JSON");
    let validator = jsonschema::draft4::new(&schema).expect("schema compiles");
    validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect()
}

fn sarif(dir: &std::path::Path, args: &[&str]) -> (Output, Value) {
    let mut full = vec!["lint", "--format", "sarif"];
    full.extend_from_slice(args);
    let out = run(dir, &full);
    let v = out.json();
    (out, v)
}

const PROJECT: &[(&str, &str)] = &[
    ("functions/hello/index.ts", MISSING_CHALLENGE),
    ("api/admin.js", AUTHZ_401),
    (
        "functions/proxy/index.ts",
        "export default async () => {\n  const upstream = await fetch('https://x');\n  return new Response(upstream.body, { status: upstream.status });\n};\n",
    ),
    ("dir with space/ü.ts", MISSING_CHALLENGE),
    ("clean.ts", CLEAN),
];

#[test]
fn output_validates_against_the_sarif_2_1_0_schema() {
    let p = project(PROJECT);
    std::fs::write(p.path().join("blob.ts"), b"\0\0binary").unwrap();
    let (out, v) = sarif(p.path(), &[]);
    assert_eq!(out.code, 1, "{out:?}");
    let errors = schema_errors(&v);
    assert!(errors.is_empty(), "schema errors:\n{}", errors.join("\n"));
    assert!(
        v["runs"][0]["results"].as_array().unwrap().len() >= 4,
        "{out:?}"
    );
    // The skipped file is a tool notification, not a result.
    let notes = &v["runs"][0]["invocations"][0]["toolExecutionNotifications"];
    assert!(notes.to_string().contains("blob.ts"), "{notes}");
    assert_eq!(v["runs"][0]["invocations"][0]["executionSuccessful"], true);
}

#[test]
fn schema_check_is_not_vacuous() {
    let p = project(&[("a.ts", MISSING_CHALLENGE)]);
    let (_, mut v) = sarif(p.path(), &[]);
    v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        Value::from(0);
    v["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(schema_errors(&v).len() >= 2);
}

#[test]
fn driver_lists_every_rule_with_docs_and_ranking() {
    let p = project(&[("clean.ts", CLEAN)]);
    let (out, v) = sarif(p.path(), &[]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let driver = &v["runs"][0]["tool"]["driver"];
    assert_eq!(driver["name"], "authlint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert!(driver["informationUri"]
        .as_str()
        .unwrap()
        .starts_with("https://"));
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), authlint::rules::RULES.len());
    for (r, desc) in authlint::rules::RULES.iter().zip(rules) {
        assert_eq!(desc["id"], r.id);
        assert_eq!(desc["name"], r.name);
        assert!(!desc["shortDescription"]["text"]
            .as_str()
            .unwrap()
            .is_empty());
        assert!(!desc["fullDescription"]["text"].as_str().unwrap().is_empty());
        assert_eq!(desc["help"]["markdown"], r.doc);
        assert_eq!(desc["help"]["text"], r.doc);
        assert_eq!(desc["helpUri"], r.help_uri());
        let level = match r.default_severity {
            authlint::Severity::Error => "error",
            authlint::Severity::Warning => "warning",
            authlint::Severity::Info => "note",
        };
        assert_eq!(desc["defaultConfiguration"]["level"], level);
        let props = &desc["properties"];
        let sev: f64 = props["security-severity"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((0.0..=10.0).contains(&sev));
        let tags: Vec<&str> = props["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        assert!(tags.contains(&"security"));
        for cwe in r.cwe {
            assert!(
                tags.contains(&format!("external/cwe/cwe-{cwe}").as_str()),
                "{tags:?}"
            );
        }
    }
    let base = v["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        base.starts_with("file:///") && base.ends_with('/'),
        "{base}"
    );
}

#[test]
fn results_have_relative_locations_regions_fixes_and_fingerprints() {
    let p = project(PROJECT);
    let (_, v) = sarif(p.path(), &[]);
    let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    let mut saw_fix = false;
    let mut saw_related = false;
    for r in results {
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"]);
        assert!(["error", "warning", "note"].contains(&r["level"].as_str().unwrap()));
        assert!(r["message"]["text"].as_str().unwrap().ends_with('.'));
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        assert!(!uri.starts_with('/') && !uri.contains("://"), "{uri}");
        let region = &loc["region"];
        for k in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(region[k].as_u64().unwrap() >= 1, "{k}: {region}");
        }
        assert!(
            r["partialFingerprints"]["authlint/v1"]
                .as_str()
                .unwrap()
                .len()
                == 16,
            "{r}"
        );
        if let Some(fixes) = r["fixes"].as_array() {
            saw_fix = true;
            let change = &fixes[0]["artifactChanges"][0];
            assert_eq!(change["artifactLocation"]["uri"], uri);
            let rep = &change["replacements"][0];
            assert!(rep["deletedRegion"]["startLine"].as_u64().unwrap() >= 1);
            assert!(rep["insertedContent"]["text"].is_string());
        }
        if r.get("relatedLocations").is_some() {
            saw_related = true;
            assert!(r["relatedLocations"][0]["message"]["text"].is_string());
        }
    }
    assert!(saw_fix && saw_related, "{v}");
    let uris: Vec<&str> = results
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(uris.contains(&"dir%20with%20space/%C3%BC.ts"), "{uris:?}");
    assert!(uris.contains(&"functions/hello/index.ts"), "{uris:?}");
}

fn fingerprints(v: &Value) -> Vec<(String, String, u64)> {
    v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap().to_string(),
                r["partialFingerprints"]["authlint/v1"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                r["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap(),
            )
        })
        .collect()
}

#[test]
fn fingerprints_survive_unrelated_edits() {
    let p = project(&[("a.js", AUTHZ_401), ("b.ts", MISSING_CHALLENGE)]);
    let (_, before) = sarif(p.path(), &[]);
    write(
        p.path(),
        "a.js",
        &format!("// a new comment\n\nconst unrelated = 42;\n{AUTHZ_401}"),
    );
    let (_, after) = sarif(p.path(), &[]);
    let (b, a) = (fingerprints(&before), fingerprints(&after));
    assert_eq!(b.len(), a.len());
    for (x, y) in b.iter().zip(&a) {
        assert_eq!(x.0, y.0);
        assert_eq!(x.1, y.1, "fingerprint changed for {}", x.0);
    }
    // The line numbers did move for a.js, so this is a real check.
    assert!(b.iter().zip(&a).any(|(x, y)| x.2 != y.2));
    // Distinct findings get distinct fingerprints.
    let mut all: Vec<&String> = a.iter().map(|x| &x.1).collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), a.len());
}

#[test]
fn suppressed_findings_are_results_with_suppressions() {
    let src = "export default () => {\n  // authlint-ignore require-www-authenticate: health probe, no client ever authenticates\n  return new Response('no', { status: 401 });\n};\n";
    let p = project(&[("a.ts", src)]);
    let (out, v) = sarif(p.path(), &[]);
    assert_eq!(out.code, 0, "{out:?}");
    let errors = schema_errors(&v);
    assert!(errors.is_empty(), "{errors:?}");
    let r = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "require-www-authenticate")
        .unwrap_or_else(|| panic!("suppressed result missing: {v}"));
    assert_eq!(r["suppressions"][0]["kind"], "inSource");
    assert_eq!(
        r["suppressions"][0]["justification"],
        "health probe, no client ever authenticates"
    );
}

#[test]
fn results_snapshot() {
    let p = project(PROJECT);
    let (_, mut v) = sarif(p.path(), &[]);
    // Keep the snapshot about results: rule metadata is the rule docs' business.
    let ids: Vec<Value> = v["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].clone())
        .collect();
    v["runs"][0]["tool"]["driver"]["rules"] = Value::from(ids);
    v["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] = Value::from("file:///[root]/");
    v["runs"][0]["tool"]["driver"]["version"] = Value::from("[version]");
    v["runs"][0]["tool"]["driver"]["semanticVersion"] = Value::from("[version]");
    insta::assert_json_snapshot!("sarif_results", v);
}
