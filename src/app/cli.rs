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
    /// Default region for national-format phone numbers (ISO 3166 alpha-2).
    #[arg(long, value_name = "CC", default_value = "AU")]
    pub region: String,
}

/// `piiscan scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or directories to scan; `-` reads stdin.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Output format: text (people), json (one document), jsonl (one finding per line).
    #[arg(long, default_value = "text", value_parser = clap::builder::PossibleValuesParser::new(piiscan::report::FORMATS))]
    pub format: String,
    /// Write the report to FILE (atomically, mode 0600) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
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
    /// Report only findings at or above this confidence.
    #[arg(long, value_enum, default_value_t = MinConfidence::Medium)]
    pub min_confidence: MinConfidence,
    /// File holding the fingerprint key (any bytes). Overrides PIISCAN_FINGERPRINT_KEY. Without
    /// either, a random per-run key is used and fingerprints only link within this run.
    #[arg(long, value_name = "FILE")]
    pub fingerprint_key_file: Option<PathBuf>,
    /// Print raw values instead of masked ones. The report then contains PII: handle it so.
    #[arg(long)]
    pub reveal: bool,
    /// Add to each finding why it was reported (validator, header, context).
    #[arg(long)]
    pub explain: bool,
    /// Use colour in text output: auto (when stdout is a terminal and NO_COLOR is unset),
    /// always, never.
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    pub color: String,
    /// Do not print per-input errors to stderr (they stay in the report).
    #[arg(short, long)]
    pub quiet: bool,
    /// Detector options.
    #[command(flatten)]
    pub detectors: DetectorArgs,
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
    fn sizes() {
        assert_eq!(parse_size("10"), Ok(10));
        assert_eq!(parse_size("2K"), Ok(2048));
        assert_eq!(parse_size("3m"), Ok(3 << 20));
        assert!(parse_size("x").is_err());
        assert!(parse_size("99999999999T").is_err());
    }
}
