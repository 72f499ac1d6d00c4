//! Response helpers across modules, as a user runs authlint: real processes.

mod cli_support;
use cli_support::*;

const RESPONSE_HELPERS: &str = r#"export function unauthorized(extra?: Record<string, string>) {
  return Response.json({ error: 'Unauthorized', ...extra }, { status: 401 })
}
"#;

const ROUTE: &str = r#"import { unauthorized } from '@/lib/response'

export async function GET(request: Request) {
  const session = await getSession(request)
  if (!session) {
    return unauthorized()
  }
  if (!(await canViewReport(session, 'r1'))) {
    return unauthorized()
  }
  return Response.json({ ok: true })
}
"#;

#[test]
fn a_fixed_status_helper_imported_through_a_tsconfig_alias_is_judged_at_each_call() {
    let p = project(&[
        (
            "tsconfig.json",
            "{\n  // the project's aliases\n  \"compilerOptions\": { \"paths\": { \"@/*\": [\"./src/*\"], }, },\n}\n",
        ),
        ("src/lib/response.ts", RESPONSE_HELPERS),
        ("src/app/api/reports/route.ts", ROUTE),
    ]);
    let out = run(p.path(), &["lint", "--format", "json"]);
    let j = out.json();
    let found: Vec<(String, u64, String)> = j["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["range"]["start"]["line"].as_u64().unwrap(),
                d["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // The helper's own response lacks a challenge and a log line: reported
    // once, at the helper. The call after the permission check is a 403; the
    // call for a missing session is right.
    assert_eq!(
        found,
        vec![
            (
                "src/app/api/reports/route.ts".to_string(),
                9,
                "prefer-403-for-authorization".to_string()
            ),
            (
                "src/lib/response.ts".to_string(),
                2,
                "require-401-logging".to_string()
            ),
            (
                "src/lib/response.ts".to_string(),
                2,
                "require-www-authenticate".to_string()
            ),
        ],
        "{out:?}"
    );
    // Without the alias the import cannot be resolved, and the calls are not judged.
    std::fs::remove_file(p.path().join("tsconfig.json")).unwrap();
    let out = run(p.path(), &["lint", "--format", "json"]);
    let judged_calls = out.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "prefer-403-for-authorization")
        .count();
    assert_eq!(judged_calls, 0, "{out:?}");
}

#[test]
fn a_class_declared_as_a_helper_is_judged_where_it_is_constructed() {
    let route = r#"export function handler(req: Request) {
  const key = req.headers.get('x-api-key')
  if (!key) {
    throw new ApiError('Unknown key', 403)
  }
  if (!isAdmin(key)) {
    throw new Other('Nope', 403)
  }
}
"#;
    let p = project(&[
        (
            "authlint.toml",
            "[[helpers]]\nname = \"new ApiError\"\nstatus = 1\nmessage = 0\n",
        ),
        ("src/route.ts", route),
    ]);
    let out = run(p.path(), &["lint", "--format", "json"]);
    let found: Vec<(u64, String)> = out.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["range"]["start"]["line"].as_u64().unwrap(),
                d["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // The declared class is a response with status 403 for a missing key;
    // the undeclared one is not a response at all.
    assert_eq!(
        found,
        vec![(4, "prefer-401-for-authentication".to_string())],
        "{out:?}"
    );
}
