//! The command-line front end: `authlint lint|lsp|rules|explain|init`.
//!
//! Exit codes: [`EXIT_OK`] (0) clean, [`EXIT_FINDINGS`] (1) error-level
//! findings, more warnings than `--max-warnings`, or a non-empty `--diff`;
//! [`EXIT_USAGE`] (2) usage, configuration or I/O errors.

mod baseline;
mod concise;
pub mod docs;
mod emit;
mod fingerprint;
mod github;
mod gitlab;
mod json;
mod junit;
mod lint;
pub mod paths;
mod pretty;
pub mod report;
mod roles;
mod sarif;
mod sites;
mod stats;
mod walk;
mod write;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::PathBuf;

pub const EXIT_OK: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_USAGE: i32 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "authlint",
    version = env!("AUTHLINT_VERSION"),
    about = "Finds bad 401/403 handling: missing WWW-Authenticate challenges, silent 401s, 401-vs-403 mix-ups.",
    propagate_version = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Lint files and directories (default: the current directory).
    Lint(LintArgs),
    /// Run the language server on standard input/output.
    Lsp,
    /// List every rule with its default level and fix availability.
    Rules {
        /// Print the list as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print a rule's documentation.
    Explain {
        /// The rule id, e.g. `require-www-authenticate`.
        rule: String,
    },
    /// Write a commented starter `authlint.toml` in the current directory.
    Init {
        /// Where to write it (default: ./authlint.toml).
        #[arg(long, value_name = "PATH")]
        path: Option<PathBuf>,
    },
    /// Print a shell completion script (e.g. `authlint completions bash > /etc/bash_completion.d/authlint`).
    Completions {
        /// The shell to complete in.
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable report with code frames.
    Pretty,
    /// One line per finding: `path:line:col: severity[rule] message`.
    Concise,
    /// Machine-readable JSON (`{"version": 1, "diagnostics": [...], "summary": {...}}`).
    Json,
    /// SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.
    Sarif,
    /// GitHub Actions workflow commands (pull-request annotations).
    Github,
    /// GitLab Code Quality report (merge request widget and diff annotations).
    Gitlab,
    /// JUnit XML, for CI test-report views.
    Junit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ConfidenceArg {
    /// Only findings whose evidence the code shows.
    High,
    /// Also findings where part of the path could not be seen (the default).
    Medium,
    /// Everything, including guesses from words alone.
    Low,
}

impl From<ConfidenceArg> for crate::diagnostic::Confidence {
    fn from(c: ConfidenceArg) -> Self {
        match c {
            ConfidenceArg::High => Self::High,
            ConfidenceArg::Medium => Self::Medium,
            ConfidenceArg::Low => Self::Low,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, clap::Args)]
pub struct LintArgs {
    /// Files or directories to lint. Directories are walked respecting
    /// .gitignore; files named here are linted even if ignored. `-` reads
    /// standard input (as TypeScript, or Python when it parses only as
    /// Python; name it with --stdin-filename to choose).
    #[arg(value_name = "PATHS")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Pretty)]
    pub format: Format,

    /// Write the report in `--format` to this file; the terminal shows the pretty report.
    #[arg(long, short = 'o', value_name = "PATH")]
    pub output_file: Option<PathBuf>,

    /// When to use colors (NO_COLOR is honoured in `auto`).
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,

    /// Apply safe fixes (and unsafe ones too with --unsafe-fixes).
    #[arg(long)]
    pub fix: bool,

    /// With --fix or --diff, also apply unsafe fixes (e.g. 401↔403 swaps).
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Print the fixes as a unified diff instead of writing them; exit 1 if there are any.
    #[arg(long)]
    pub diff: bool,

    /// Also list findings silenced by `authlint-ignore` comments, with their reasons.
    #[arg(long)]
    pub show_suppressed: bool,

    /// Use this configuration file for every path instead of discovering authlint.toml files.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Run only these rules (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Vec<String>,

    /// Turn these rules off (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,

    /// Exit 1 when there are more than this many warnings.
    #[arg(long, value_name = "N")]
    pub max_warnings: Option<usize>,

    /// Report errors only.
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// Report only findings at least this sure (default: `min-confidence`
    /// in authlint.toml, else medium).
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub min_confidence: Option<ConfidenceArg>,

    /// Print the role each file plays (app, library, docs, test, generated)
    /// and why, instead of linting.
    #[arg(long)]
    pub show_roles: bool,

    /// Print every response site found in each file (status, challenge,
    /// framework, and the pack row that recognised it) instead of linting:
    /// how to debug a framework pack.
    #[arg(long, conflicts_with = "show_roles")]
    pub show_sites: bool,

    /// Lint standard input as if it were the file NAME (with --fix, print the fixed text).
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<PathBuf>,

    /// Fail the run (exit 2) when a file could not be analysed in full:
    /// skipped (not UTF-8, binary, too large, nested too deep) or with
    /// syntax errors. Such files are always reported; this makes them fatal.
    #[arg(long)]
    pub fail_on_skipped: bool,

    /// Print how many findings each rule has (and how many are fixable)
    /// instead of the findings; with `--format json`, as JSON.
    #[arg(long)]
    pub statistics: bool,

    /// Report only findings that this baseline file does not record.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Record every current finding in FILE (for a later `--baseline FILE`)
    /// and exit 0.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// Apply the config's `exclude` even to files named on the command line
    /// (useful for pre-commit, which passes every changed file).
    #[arg(long)]
    pub force_exclude: bool,
}

/// Prints `authlint: <message>` on standard error.
pub(crate) fn warn(message: impl std::fmt::Display) {
    let mut err = anstream::stderr();
    let _ = writeln!(err, "authlint: {message}");
}

/// Runs the command line in `std::env::args()` and returns the exit code.
pub fn main() -> i32 {
    run(std::env::args_os())
}

/// Runs a command line (first item is the program name).
pub fn run<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            // --help and --version print and exit 0; real usage errors exit 2.
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            let _ = e.print();
            return code;
        }
    };
    match cli.command {
        Command::Lint(args) => {
            set_color(args.color);
            lint::run(&args)
        }
        Command::Lsp => run_lsp(),
        Command::Rules { json } => docs::print_rules(json),
        Command::Explain { rule } => docs::explain(&rule),
        Command::Init { path } => init(path),
        Command::Completions { shell } => {
            let mut out = std::io::stdout().lock();
            clap_complete::generate(shell, &mut Cli::command(), "authlint", &mut out);
            EXIT_OK
        }
    }
}

fn set_color(when: ColorWhen) {
    let choice = match when {
        ColorWhen::Auto => anstream::ColorChoice::Auto,
        ColorWhen::Always => anstream::ColorChoice::AlwaysAnsi,
        ColorWhen::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
}

fn run_lsp() -> i32 {
    crate::lsp::run_stdio()
}

fn init(path: Option<PathBuf>) -> i32 {
    let path = path.unwrap_or_else(|| PathBuf::from(crate::config::CONFIG_FILE));
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path);
    let mut file = match file {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            warn(format_args!(
                "{} already exists; not overwriting it",
                path.display()
            ));
            return EXIT_USAGE;
        }
        Err(e) => {
            warn(format_args!("{}: {e}", path.display()));
            return EXIT_USAGE;
        }
    };
    if let Err(e) = file.write_all(crate::config::STARTER_CONFIG.as_bytes()) {
        warn(format_args!("{}: {e}", path.display()));
        return EXIT_USAGE;
    }
    println!("Wrote {}", path.display());
    EXIT_OK
}
