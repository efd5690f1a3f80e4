//! The binary's commands: resolve arguments into library configuration (with `anyhow` context
//! on every failure), run the pipeline, print, and decide the exit code.

pub mod cli;

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::{Context, Result, bail};

use cli::{Cli, Command, DetectorArgs, MinConfidence, ScanArgs};
use piiscan::detect::{Engine, builtin};
use piiscan::finding::{Confidence, Fingerprinter};
use piiscan::report::{self, Report, Settings};
use piiscan::scan::{ScanOptions, Scanner, Status};
use piiscan::validate;
use piiscan::walk::{self, WalkOptions};

/// Exit code: nothing found at or above the threshold, everything scanned.
pub const EXIT_CLEAN: i32 = 0;
/// Exit code: findings at or above the threshold.
pub const EXIT_FINDINGS: i32 = 1;
/// Exit code: something could not be scanned, or the run failed.
pub const EXIT_INCOMPLETE: i32 = 2;

/// Runs the parsed command; returns the process exit code.
pub fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Scan(args) => scan(args),
        Command::Detectors(args) => detectors(&args),
    }
}

fn build_engine(args: &DetectorArgs) -> Result<Engine> {
    let dirs: Vec<&Path> = args.patterns.iter().map(|p| p.as_path()).collect();
    let specs = builtin::load(&dirs).context("loading pattern files")?;
    let region = args.region.to_ascii_uppercase();
    if region.parse::<phonenumber::country::Id>().is_err() {
        bail!("--region {region:?} is not an ISO 3166 alpha-2 region code");
    }
    let vctx = validate::Ctx {
        region,
        ..validate::Ctx::default()
    };
    Engine::new(specs, vctx).context("compiling detectors")
}

fn detectors(args: &DetectorArgs) -> Result<i32> {
    let engine = build_engine(args)?;
    let mut out = std::io::stdout().lock();
    for s in engine.specs() {
        writeln!(
            out,
            "{:<24} {:<16} {}",
            s.id,
            s.kind.as_str(),
            s.description
        )?;
    }
    Ok(EXIT_CLEAN)
}

fn fingerprinter(args: &ScanArgs) -> Result<(Fingerprinter, &'static str)> {
    if let Some(path) = &args.fingerprint_key_file {
        let key = std::fs::read(path)
            .with_context(|| format!("reading fingerprint key file {}", path.display()))?;
        if key.len() < 16 {
            bail!(
                "fingerprint key file {} holds {} bytes; use at least 16 random bytes",
                path.display(),
                key.len()
            );
        }
        return Ok((Fingerprinter::new(&key), "provided"));
    }
    if let Some(key) = std::env::var_os("PIISCAN_FINGERPRINT_KEY") {
        let key = key.as_encoded_bytes();
        if key.len() < 16 {
            bail!(
                "PIISCAN_FINGERPRINT_KEY holds {} bytes; use at least 16",
                key.len()
            );
        }
        return Ok((Fingerprinter::new(key), "provided"));
    }
    let fp =
        Fingerprinter::random().map_err(|e| anyhow::anyhow!("no randomness for a key: {e}"))?;
    Ok((fp, "random"))
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn scan(args: ScanArgs) -> Result<i32> {
    let started = now_rfc3339();
    let engine = build_engine(&args.detectors)?;
    let detectors: Vec<String> = engine.specs().iter().map(|s| s.id.clone()).collect();
    let (fp, key_kind) = fingerprinter(&args)?;
    let min_confidence = match args.min_confidence {
        MinConfidence::Low => Confidence::Low,
        MinConfidence::Medium => Confidence::Medium,
        MinConfidence::High => Confidence::High,
    };
    let region = engine.validate_ctx().region.clone();
    let scanner = Scanner::new(
        engine,
        fp,
        ScanOptions {
            reveal: args.reveal,
            explain: args.explain,
            min_confidence,
        },
    );
    let wopts = WalkOptions {
        threads: args.threads.unwrap_or(0),
        respect_gitignore: args.respect_gitignore,
        follow: args.follow,
        excludes: args.exclude.clone(),
        max_filesize: args.max_filesize,
    };
    let results = walk::scan_paths(&args.paths, &wopts, &scanner)?;
    if !args.quiet {
        let mut err = std::io::stderr().lock();
        for r in &results {
            if let Status::Error(why) = &r.status {
                let _ = writeln!(
                    err,
                    "piiscan: {}: {why}",
                    report::escape_for_terminal(&r.path)
                );
            }
        }
    }
    let settings = Settings {
        min_confidence,
        region,
        fingerprint_key: key_kind.to_string(),
        reveal: args.reveal,
        detectors,
    };
    let roots = args.paths.iter().map(|p| p.display().to_string()).collect();
    let report = Report::build(results, roots, settings, started, now_rfc3339());
    let color = match args.color.as_str() {
        "always" => true,
        "never" => false,
        "auto" => {
            args.output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
        other => bail!("--color must be auto, always or never (got {other:?})"),
    };
    let Some(reporter) = report::reporter(&args.format, color) else {
        bail!("unknown format {}", args.format);
    };
    match &args.output {
        Some(path) => {
            let mut buf = Vec::new();
            reporter.write(&report, &mut buf)?;
            report::write_atomic(path, &buf)
                .with_context(|| format!("writing report to {}", path.display()))?;
        }
        None => {
            let mut out = std::io::stdout().lock();
            if let Err(e) = reporter.write(&report, &mut out).and_then(|_| out.flush()) {
                // A closed pipe (`| head`) is not a failure of the scan.
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    return Err(e).context("writing report to stdout");
                }
            }
        }
    }
    Ok(if report.totals.errors > 0 {
        EXIT_INCOMPLETE
    } else if report.totals.findings > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    })
}
