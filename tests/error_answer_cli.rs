//! A project error class with a fixed status, thrown where no `catch` of
//! the function is in sight, is a response when the project answers thrown
//! errors with their own status somewhere: real processes.

mod cli_support;
use cli_support::*;

const ERRORS: &str = r#"export class ApiError extends Error {
  status: number
  constructor(message: string, status = 500) {
    super(message)
    this.status = status
  }
}

export class ForbiddenError extends ApiError {
  constructor() {
    super('Forbidden', 403)
  }
}
"#;

const OPERATION: &str = r#"import { ForbiddenError } from '../errors.js'

export async function exportReport(req: { headers: Headers }) {
  const key = req.headers.get('x-api-key')
  if (!key) {
    throw new ForbiddenError()
  }
  return buildReport(key)
}
"#;

/// The application's error route: the thrown error's status is the answer's.
const ANSWER: &str = r#"export const answerError = async ({ err }: { err: { status?: number; message: string } }) => {
  const status = err.status || 500
  return Response.json({ message: err.message }, { status })
}
"#;

fn findings(dir: &std::path::Path) -> Vec<(String, String)> {
    paths_and_rules(&run(dir, &["lint", "--format", "json"]).json())
}

#[test]
fn a_thrown_project_error_is_a_response_where_the_project_answers_errors_with_their_status() {
    let p = project(&[
        ("package.json", r#"{"name":"svc","private":true}"#),
        ("src/errors.ts", ERRORS),
        ("src/operations/export.ts", OPERATION),
        ("src/utilities/answerError.ts", ANSWER),
    ]);
    assert_eq!(
        findings(p.path()),
        vec![(
            "src/operations/export.ts".to_string(),
            "prefer-401-for-authentication".to_string()
        )]
    );

    // An Express error middleware says the same.
    write(
        p.path(),
        "src/utilities/answerError.ts",
        "export function onError(err, req, res, next) {\n  res.status(err.status ?? 500).json({ message: err.message })\n}\n",
    );
    assert_eq!(findings(p.path()).len(), 1);

    // A status read into the body, not the answer's status, says nothing.
    write(
        p.path(),
        "src/utilities/answerError.ts",
        "export function onError(err, req, res) {\n  res.json({ status: err.status, message: err.message })\n}\n",
    );
    assert_eq!(findings(p.path()), vec![]);
}

#[test]
fn without_an_answer_from_the_error_or_in_a_route_handler_a_thrown_project_error_is_not_a_response()
{
    let p = project(&[
        ("package.json", r#"{"name":"svc","private":true}"#),
        ("src/errors.ts", ERRORS),
        ("src/operations/export.ts", OPERATION),
    ]);
    // Nothing in the project turns a thrown error into its status.
    assert_eq!(findings(p.path()), vec![]);

    // A Next.js route handler's uncaught throw is a 500, whatever the class.
    write(p.path(), "src/utilities/answerError.ts", ANSWER);
    write(
        p.path(),
        "src/app/api/export/route.ts",
        "import { ForbiddenError } from '../../../errors.js'\n\nexport async function GET(request: Request) {\n  if (!request.headers.get('x-api-key')) {\n    throw new ForbiddenError()\n  }\n  return Response.json({ ok: true })\n}\n",
    );
    assert_eq!(
        findings(p.path()),
        vec![(
            "src/operations/export.ts".to_string(),
            "prefer-401-for-authentication".to_string()
        )]
    );
}

#[test]
fn a_file_named_from_its_own_folder_resolves_imports_two_folders_up() {
    let p = project(&[
        ("package.json", r#"{"name":"svc","private":true}"#),
        ("src/errors.ts", ERRORS),
        (
            "src/operations/reports/export.ts",
            &OPERATION.replace("'../errors.js'", "'../../errors.js'"),
        ),
        ("src/utilities/answerError.ts", ANSWER),
    ]);
    let dir = p.path().join("src/operations/reports");
    let out = run(&dir, &["lint", "--format", "json", "export.ts"]).json();
    assert_eq!(
        paths_and_rules(&out),
        vec![(
            "export.ts".to_string(),
            "prefer-401-for-authentication".to_string()
        )]
    );
}

#[test]
fn a_project_that_lives_under_a_folder_named_tests_is_not_a_test() {
    let p = project(&[
        ("tests/svc/package.json", r#"{"name":"svc","private":true}"#),
        ("tests/svc/src/errors.ts", ERRORS),
        ("tests/svc/src/operations/export.ts", OPERATION),
        ("tests/svc/src/utilities/answerError.ts", ANSWER),
    ]);
    assert_eq!(findings(&p.path().join("tests/svc")).len(), 1);
}
