//! Turning a finished run into output: the baseline, the chosen format (or
//! `--statistics`), GitHub annotations under GitHub Actions, and the exit
//! code.

use super::report::{plural, Report};
use super::write::write_out;
use super::{warn, Format, LintArgs, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE};
use std::io::Write;

/// Flag combinations that make no sense, said before any work is done.
pub(super) fn check_args(args: &LintArgs) -> Result<(), String> {
    if args.statistics && !matches!(args.format, Format::Pretty | Format::Concise | Format::Json) {
        return Err(
            "--statistics prints a table (pretty or concise) or JSON; not with --format \
             sarif, github, gitlab or junit"
                .to_string(),
        );
    }
    if let Some(path) = &args.baseline {
        if !path.exists() {
            return Err(format!(
                "{}: baseline file not found (write one with --write-baseline {})",
                path.display(),
                path.display()
            ));
        }
    }
    if args.write_baseline.is_some() && (args.fix || args.diff) {
        return Err(
            "--write-baseline records findings; do not combine it with --fix or --diff".into(),
        );
    }
    Ok(())
}

/// Writes or applies the baseline, emits the report and returns the exit code.
pub(super) fn finish(args: &LintArgs, mut report: Report) -> i32 {
    if let Some(path) = &args.write_baseline {
        if report.has_errors() {
            warn("baseline not written: some paths could not be read");
            return EXIT_USAGE;
        }
        return match super::baseline::write(path, &report) {
            Ok(n) => {
                let _ = writeln!(
                    anstream::stderr(),
                    "Wrote {} to {}.",
                    plural(n, "finding"),
                    path.display()
                );
                EXIT_OK
            }
            Err(e) => {
                warn(e);
                EXIT_USAGE
            }
        };
    }
    if let Some(path) = &args.baseline {
        match super::baseline::load(path) {
            Ok(known) => super::baseline::apply(&mut report, &known),
            Err(e) => {
                warn(e);
                return EXIT_USAGE;
            }
        }
    }
    if emit(args, &report).is_err() {
        return EXIT_USAGE;
    }
    exit_code(args, &report)
}

pub(super) fn exit_code(args: &LintArgs, report: &Report) -> i32 {
    if report.has_errors() {
        return EXIT_USAGE;
    }
    let c = report.counts();
    if c.errors > 0 {
        return EXIT_FINDINGS;
    }
    if let Some(max) = args.max_warnings {
        if c.warnings > max {
            warn(format_args!(
                "{} found, more than --max-warnings {max}",
                plural(c.warnings, "warning")
            ));
            return EXIT_FINDINGS;
        }
    }
    EXIT_OK
}

fn render(args: &LintArgs, format: Format, report: &Report, color: bool) -> String {
    if args.statistics {
        return match format {
            Format::Json => super::stats::render_json(report),
            _ => super::stats::render_text(report),
        };
    }
    match format {
        Format::Pretty => super::pretty::render(report, color),
        Format::Concise => super::concise::render(report),
        Format::Json => super::json::render(report),
        Format::Sarif => super::sarif::render(report),
        Format::Github => super::github::render(report),
        Format::Gitlab => super::gitlab::render(report),
        Format::Junit => super::junit::render(report),
    }
}

/// Whether this runs as a GitHub Actions step.
fn in_github_actions() -> bool {
    std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true")
}

/// Writes the report to stdout (and `--output-file`). Errors are reported here.
///
/// Under GitHub Actions the human formats are followed by the same findings
/// as workflow commands, so the pull request is annotated with no extra
/// flag; machine formats on stdout are left as they are.
fn emit(args: &LintArgs, report: &Report) -> Result<(), ()> {
    let terminal_format = if args.output_file.is_some() {
        Format::Pretty
    } else {
        args.format
    };
    if let Some(path) = &args.output_file {
        let text = render(args, args.format, report, false);
        if let Err(e) = super::write::write_report(path, text.as_bytes()) {
            warn(format_args!(
                "{}: cannot write the report: {e}",
                path.display()
            ));
            return Err(());
        }
    }
    let mut text = render(args, terminal_format, report, true);
    let human = matches!(terminal_format, Format::Pretty | Format::Concise);
    if human && in_github_actions() {
        text.push_str(&super::github::render(report));
    }
    // Machine formats carry no color: write them as they are (anstream
    // would scan every byte of a large report for escapes to strip).
    let written = if human {
        write_out(&mut anstream::stdout(), text.as_bytes())
    } else {
        write_out(&mut std::io::stdout().lock(), text.as_bytes())
    };
    stdout_result(written)
}

/// Reports a failed write to standard output (a closed pipe is not one).
pub(super) fn stdout_result(written: std::io::Result<()>) -> Result<(), ()> {
    written.map_err(|e| warn(format_args!("cannot write to standard output: {e}")))
}

/// Writes a unified diff to standard output, coloured when it is a
/// terminal that wants colour (`--color`, NO_COLOR).
pub(super) fn write_diff(diff: &str) -> Result<(), ()> {
    stdout_result(write_out(
        &mut anstream::stdout(),
        color_diff(diff).as_bytes(),
    ))
}

/// ANSI colours for a unified diff: headers bold, hunks cyan, removed lines
/// red, added lines green (stripped by the stream when not wanted).
fn color_diff(diff: &str) -> String {
    use annotate_snippets::renderer::{AnsiColor, Style};
    let bold = Style::new().bold();
    let hunk = AnsiColor::Cyan.on_default();
    let del = AnsiColor::Red.on_default();
    let add = AnsiColor::Green.on_default();
    let mut out = String::with_capacity(diff.len() + diff.len() / 8);
    for line in diff.split_inclusive('\n') {
        let style = if line.starts_with("+++") || line.starts_with("---") {
            bold
        } else if line.starts_with("@@") {
            hunk
        } else if line.starts_with('-') {
            del
        } else if line.starts_with('+') {
            add
        } else {
            out.push_str(line);
            continue;
        };
        let (body, nl) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        out.push_str(&format!("{style}{body}{style:#}{nl}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_colours_by_line_kind() {
        let d = "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-old\n+new\n same\n";
        let c = color_diff(d);
        assert!(c.contains("\x1b[31m-old\x1b[0m\n"), "{c:?}");
        assert!(c.contains("\x1b[32m+new\x1b[0m\n"), "{c:?}");
        assert!(c.contains("\n same\n"), "{c:?}");
        assert_eq!(anstream::adapter::strip_str(&c).to_string(), d);
    }
}
