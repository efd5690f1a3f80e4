//! Command-line arguments (clap derive). Each flag's doc comment is its `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// piiscan: find customer PII in exports, file shares and database dumps — where it is, how
/// much, and how sure — without the report becoming the breach.
#[derive(Debug, Parser)]
#[command(name = "piiscan", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files, directories or stdin (`-`) for PII.
    Scan(ScanArgs),
    /// List the detectors in use (built-in plus --patterns), with kind and description.
    Detectors(DetectorArgs),
    /// Accepted findings: `baseline create` writes a baseline for `scan --baseline`.
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// Compare two JSON reports: new, resolved and grown exposure per place and kind. Exit 1
    /// when exposure grew.
    Diff(DiffArgs),
    /// Combine the JSON reports of partial scans (same fingerprint key) into one report.
    Merge(super::merge::MergeArgs),
    /// Write minimised copies of files and trees (mask, tokenise, generalise, drop, null), then
    /// re-scan the copies to prove it.
    Redact(RedactArgs),
    /// Git hooks: `hook install` writes .git/hooks/pre-commit.
    #[command(subcommand)]
    Hook(HookCommand),
    /// piiscan.toml: `config check [FILE]` validates a file.
    #[command(subcommand)]
    Config(ConfigCommand),
}

/// `piiscan baseline …`.
#[derive(Debug, Subcommand)]
pub enum BaselineCommand {
    /// Scan PATHs and write every finding as accepted, keyed by (path glob, field, kind, keyed
    /// fingerprint): no raw values, no line numbers, no timestamps. Needs a stable fingerprint key.
    Create(BaselineCreateArgs),
}

/// `piiscan baseline create`.
#[derive(Debug, Args)]
pub struct BaselineCreateArgs {
    /// Baseline file to write (atomically, mode 0600).
    #[arg(
        short,
        long,
        value_name = "FILE",
        default_value = ".piiscan-baseline.json"
    )]
    pub output: PathBuf,
    /// What to scan and how.
    #[command(flatten)]
    pub common: ScanCommon,
}

/// `piiscan diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier JSON report (`scan --format json`).
    #[arg(value_name = "OLD")]
    pub old: PathBuf,
    /// The later JSON report.
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
    /// Output format: text or json.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    pub format: String,
}

/// `piiscan hook …`.
#[derive(Debug, Subcommand)]
pub enum HookCommand {
    /// Write .git/hooks/pre-commit running `piiscan scan --staged`. Refuses to overwrite a hook
    /// piiscan did not write; re-running updates its own.
    Install,
}

/// `piiscan config …`.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Check a piiscan.toml (default: the one found from the current directory upward): unknown
    /// keys, bad values, unknown kinds or detectors are errors naming the key and the file.
    Check {
        /// The file to check.
        #[arg(value_name = "FILE")]
        file: Option<PathBuf>,
        /// Detector options (extra pattern directories are checked too).
        #[command(flatten)]
        detectors: DetectorArgs,
    },
}

/// Minimum confidence levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MinConfidence {
    /// Everything, including shape-only matches.
    Low,
    /// Validated or supported by context (default).
    Medium,
    /// Validated and supported by context or field name.
    High,
}

/// Options shared by commands that load detectors.
#[derive(Debug, Args)]
pub struct DetectorArgs {
    /// Extra pattern directory (`*.toml`); a file whose id matches a built-in detector replaces
    /// it. Repeatable.
    #[arg(long = "patterns", value_name = "DIR")]
    pub patterns: Vec<PathBuf>,
    /// Default region for national-format phone numbers (ISO 3166 alpha-2) [default: piiscan.toml's
    /// `region`, else AU].
    #[arg(long, value_name = "CC")]
    pub region: Option<String>,
    /// Use this piiscan.toml instead of looking for one upward from the (first) scan root.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Do not read any piiscan.toml.
    #[arg(long)]
    pub no_config: bool,
}

/// What to scan and how: shared by `scan` and `baseline create`.
#[derive(Debug, Args)]
pub struct ScanCommon {
    /// Files or directories to scan; `-` reads stdin; live databases by URL
    /// (`postgres://user@host:5432/db`, `mysql://user@host/db`, `sqlite:file.db`; the password
    /// from the URL, PGPASSWORD or ~/.pgpass, MYSQL_PWD; never printed). With --staged / --since:
    /// limit to these paths.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Live databases: rows sampled per table at most (docs/databases.md says how).
    #[arg(long, value_name = "N", default_value_t = piiscan::input::db::DEFAULT_SAMPLE)]
    pub sample: u64,
    /// Live databases: timeout of each statement and of connecting, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = piiscan::input::db::DEFAULT_TIMEOUT.as_secs_f64())]
    pub db_timeout: f64,
    /// Worker threads (default: all cores).
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
    /// Honour .gitignore / .ignore / git excludes (by default ignored files are scanned too).
    #[arg(long)]
    pub respect_gitignore: bool,
    /// Exclude paths matching GLOB (gitignore syntax). Repeatable.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Skip files larger than SIZE (bytes, or with K/M/G suffix); skipped files are listed.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_filesize: Option<u64>,
    /// Follow symbolic links (never out of the scan roots).
    #[arg(long)]
    pub follow: bool,
    /// Report only findings at or above this confidence [default: piiscan.toml's
    /// `min_confidence`, else medium].
    #[arg(long, value_enum)]
    pub min_confidence: Option<MinConfidence>,
    /// File holding the fingerprint key (any bytes). Overrides PIISCAN_FINGERPRINT_KEY. Without
    /// either, a random per-run key is used and fingerprints only link within this run.
    #[arg(long, value_name = "FILE")]
    pub fingerprint_key_file: Option<PathBuf>,
    /// Do not print per-input errors to stderr (they stay in the report).
    #[arg(short, long)]
    pub quiet: bool,
    /// Detector options.
    #[command(flatten)]
    pub detectors: DetectorArgs,
}

/// `piiscan scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Output format: text (people), json (one document), jsonl (one finding per line), sarif
    /// (code scanning), csv, markdown, html.
    #[arg(long, default_value = "text", value_parser = clap::builder::PossibleValuesParser::new(piiscan::report::FORMATS))]
    pub format: String,
    /// Write the report to FILE (atomically, mode 0600) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Print raw values instead of masked ones. The report then contains PII: handle it so.
    #[arg(long)]
    pub reveal: bool,
    /// Add to each finding why it was reported (validator, header, context).
    #[arg(long)]
    pub explain: bool,
    /// Text output: one line per finding, ripgrep-style (`path:line:col kind confidence masked
    /// [field]`; with --explain, the reasons and fingerprint on an indented line below), then
    /// how to accept a finding — instead of the per-file summary and the exposure answer.
    /// Default with --staged and under the pre-commit framework (PRE_COMMIT set).
    #[arg(long, overrides_with = "no_list")]
    pub list: bool,
    /// Text output: the summary (per-file counts, exposure, risk score) even where --list is
    /// the default.
    #[arg(long, overrides_with = "list")]
    pub no_list: bool,
    /// Text output: most entries of each list — files, places, folders, combinations,
    /// overlaps (the JSON and HTML reports carry them all).
    #[arg(long, value_name = "N", default_value_t = piiscan::report::text::TOP)]
    pub top: usize,
    /// Which findings the JSON and SARIF reports carry: all, sample (the first 5 of each
    /// place: input, field, kind) or none (summary and exposure only — all `merge` needs).
    /// Totals and exposure count every finding either way; `--format jsonl` streams them all.
    #[arg(long, value_name = "WHICH", default_value = "all", value_parser = ["all", "sample", "none"])]
    pub findings: String,
    /// Use colour in text output: auto (when stdout is a terminal and NO_COLOR is unset),
    /// always, never.
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    pub color: String,
    /// Scan what is staged for commit (the git index, not the working tree), reporting only
    /// lines the commit adds.
    #[arg(long, conflicts_with = "since")]
    pub staged: bool,
    /// Scan what changed since git revision REV (working tree vs REV), reporting only added
    /// lines.
    #[arg(long, value_name = "REV")]
    pub since: Option<String>,
    /// Which findings fail the run (exit 1): a confidence level and/or kinds, comma-separated
    /// or repeated (`high`, `credit_card,date_of_birth`, `medium,email`). Default: every
    /// reported finding [or piiscan.toml's `fail_on`].
    #[arg(long, value_name = "POLICY")]
    pub fail_on: Vec<String>,
    /// Exit 2 when any input was skipped — binary, possibly text, too large, a symlink not
    /// followed, a special file — as when one could not be read: the scan did not look at
    /// everything [or piiscan.toml's `fail_on_skip = true`].
    #[arg(long)]
    pub fail_on_skip: bool,
    /// Report only findings not accepted in this baseline file (`piiscan baseline create`);
    /// entries that no longer match are listed as stale [default: piiscan.toml's `baseline`].
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Reuse results for files unchanged (size, mtime, content hash) since the run that wrote
    /// the cache in DIR with the same ruleset. Needs a stable fingerprint key; not with --reveal.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["staged", "since"])]
    pub cache: Option<PathBuf>,
    /// Scan only shard K of N (`--shard 2/8`, K from 1 to N): the inputs whose path, relative
    /// to the PATH it was found under, hashes into shard K. N workers given the same PATHs scan
    /// disjoint parts; `piiscan merge` adds their JSON reports up to one scan's. Archives stay
    /// whole; stdin is shard 1's. `auto`: K from JOB_COMPLETION_INDEX (Kubernetes Indexed
    /// Job), SLURM_ARRAY_TASK_ID or AWS_BATCH_JOB_ARRAY_INDEX; N from PIISCAN_SHARDS, else
    /// SLURM_ARRAY_TASK_COUNT.
    #[arg(long, value_name = "K/N|auto", conflicts_with_all = ["staged", "since"])]
    pub shard: Option<String>,
    /// What to scan and how.
    #[command(flatten)]
    pub common: ScanCommon,
}

/// Parses `123`, `10K`, `5M`, `2G` (binary multiples).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (num, mult) = match s.chars().last().map(|c| c.to_ascii_uppercase()) {
        Some('K') => (&s[..s.len() - 1], 1u64 << 10),
        Some('M') => (&s[..s.len() - 1], 1 << 20),
        Some('G') => (&s[..s.len() - 1], 1 << 30),
        Some('T') => (&s[..s.len() - 1], 1 << 40),
        _ => (s, 1),
    };
    num.trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .ok_or_else(|| format!("invalid size {s:?} (use e.g. 1048576, 512K, 10M, 2G)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("10"), Ok(10));
        assert_eq!(parse_size("2K"), Ok(2048));
        assert_eq!(parse_size("3m"), Ok(3 << 20));
        assert!(parse_size("x").is_err());
        assert!(parse_size("99999999999T").is_err());
    }
}

/// `piiscan redact`.
#[derive(Debug, Args)]
pub struct RedactArgs {
    /// File or directory to redact. It is only read.
    #[arg(value_name = "SRC")]
    pub src: PathBuf,
    /// Directory the minimised copies are written to (created if needed; same relative paths).
    /// Must not be SRC, inside it, or contain it.
    #[arg(long = "out", value_name = "DST")]
    pub out: PathBuf,
    /// What to do with values: `KIND=ACTION` (`date_of_birth=generalise`),
    /// `field:NAME=ACTION` (`field:email=tokenise`; NAME is a column, key path or
    /// `table.column`, or its last part) or `field:NAME:KIND=ACTION`. ACTION is mask, tokenise,
    /// generalise, drop or null. Repeatable; the most specific rule wins. Added to
    /// piiscan.toml's `[redact]` rules; a flag beats a file rule of the same specificity.
    #[arg(long = "action", value_name = "RULE")]
    pub actions: Vec<String>,
    /// Apply the ranked redaction plan of this JSON report (`piiscan scan --format json`).
    #[arg(long, value_name = "REPORT")]
    pub plan: Option<PathBuf>,
    /// With --plan: apply the first N steps. A step that deletes an input leaves it out of the
    /// copy (listed as omitted in the receipt); a step that cannot be done (its input is not in
    /// SRC, could not be redacted, or is an archive member to delete) makes the run incomplete
    /// (exit 2), and the summary says how many of the N were applied.
    #[arg(long, value_name = "N", default_value_t = 3, requires = "plan")]
    pub top: usize,
    /// With --plan: the action for a plan step that redacts a place (date-of-birth steps always
    /// generalise).
    #[arg(long, value_name = "ACTION", default_value = "mask", requires = "plan")]
    pub plan_action: String,
    /// Action for values no rule names: an ACTION or `keep` [default: piiscan.toml's
    /// `[redact] default`, else mask, or keep with --plan].
    #[arg(long = "default", value_name = "ACTION")]
    pub default_action: Option<String>,
    /// Write a machine-readable receipt (JSON: digests, ruleset version, counts before/after,
    /// actions; no values) to FILE (atomically, mode 0600).
    #[arg(long, value_name = "FILE")]
    pub receipt: Option<PathBuf>,
    /// Redact values at or above this confidence [default: piiscan.toml's `min_confidence`,
    /// else medium].
    #[arg(long, value_enum)]
    pub min_confidence: Option<MinConfidence>,
    /// File holding the key for tokens and fingerprints. Overrides PIISCAN_FINGERPRINT_KEY.
    /// Without either, a random key is used and tokens only match within this run.
    #[arg(long, value_name = "FILE")]
    pub fingerprint_key_file: Option<PathBuf>,
    /// Do not redact files larger than SIZE (they are listed as not redacted) [default: 512M].
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_filesize: Option<u64>,
    /// Print only the verdict line.
    #[arg(short, long)]
    pub quiet: bool,
    /// Detector options.
    #[command(flatten)]
    pub detectors: DetectorArgs,
}
