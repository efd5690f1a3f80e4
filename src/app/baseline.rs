//! `piiscan baseline create` and `scan --baseline`: writing accepted findings, and dropping them
//! from a later run while listing entries that no longer match (see `piiscan::baseline`).

use std::path::Path;

use anyhow::{Context, Result, bail};

use super::cli::BaselineCreateArgs;
use super::{EXIT_CLEAN, EXIT_INCOMPLETE, Extra, Source, run_scan};
use piiscan::baseline::{Baseline, Matcher};
use piiscan::finding::Fingerprinter;
use piiscan::report::{self, escape_for_terminal};
use piiscan::scan::{InputReport, Status};

/// `piiscan baseline create`.
pub fn create(args: BaselineCreateArgs) -> Result<i32> {
    let common = &args.common;
    let key_from_env = std::env::var_os("PIISCAN_FINGERPRINT_KEY").is_some();
    if common.fingerprint_key_file.is_none() && !key_from_env {
        bail!(
            "refusing to create a baseline with a random per-run fingerprint key: a baseline \
             matches findings by keyed fingerprint, and fingerprints made with a key that is \
             thrown away at the end of this run can never match a later scan's — every finding \
             would come back as new, and re-creating the baseline would change every entry. Set \
             PIISCAN_FINGERPRINT_KEY or pass --fingerprint-key-file FILE (at least 16 random \
             bytes; keep it secret like any key, and use the same one for later scans)"
        );
    }
    let scanned = run_scan(
        common,
        Extra {
            reveal: false,
            explain: false,
            cache: None,
            source: Source::Paths(&common.paths),
        },
    )?;
    let dir = match args.output.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let findings = scanned.results.iter().flat_map(|r| r.findings.iter());
    let baseline = Baseline::from_findings(findings, &scanned.fp, dir);
    report::write_atomic(&args.output, &baseline.to_bytes())
        .with_context(|| format!("writing baseline {}", args.output.display()))?;
    let errors = scanned
        .results
        .iter()
        .filter(|r| matches!(r.status, Status::Error(_)))
        .count();
    eprintln!(
        "piiscan: wrote {} with {} accepted entries",
        escape_for_terminal(&args.output.display().to_string()),
        baseline.entries.len()
    );
    if errors > 0 {
        eprintln!(
            "piiscan: {errors} inputs could not be scanned; the baseline does not cover them"
        );
        return Ok(EXIT_INCOMPLETE);
    }
    Ok(EXIT_CLEAN)
}

/// Drops findings accepted by the baseline in `file` from `results`; returns notes for stderr
/// (how many were accepted, and each stale entry). `partial`: the run covered only changes
/// (`--staged` / `--since`), so entries for files it did not look at are not stale.
pub fn apply(
    file: &Path,
    fp: &Fingerprinter,
    results: &mut [InputReport],
    partial: bool,
) -> Result<Vec<String>> {
    let baseline = Baseline::load(file)?;
    let mut matcher = Matcher::new(baseline, file, fp)?;
    let mut accepted = 0u64;
    for r in results.iter_mut() {
        let before = r.findings.len();
        r.findings.retain(|f| !matcher.accepts(f));
        accepted += (before - r.findings.len()) as u64;
    }
    let scanned: Vec<&str> = results
        .iter()
        .filter(|r| r.status == Status::Scanned)
        .map(|r| &*r.path)
        .collect();
    let all: Vec<&str> = results.iter().map(|r| &*r.path).collect();
    let stale = matcher.stale(&scanned, &all, !partial);
    let name = escape_for_terminal(&file.display().to_string());
    let mut notes = vec![format!(
        "{accepted} findings accepted by baseline {name}; {} stale entries",
        stale.len()
    )];
    for e in stale {
        notes.push(format!(
            "stale baseline entry: path {} field {} kind {} fingerprint {}",
            escape_for_terminal(&e.path),
            escape_for_terminal(e.field.as_deref().unwrap_or("-")),
            e.kind,
            e.fingerprint
        ));
    }
    Ok(notes)
}
