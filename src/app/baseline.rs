//! `piiscan baseline create` and `scan --baseline`: writing accepted findings, and dropping them
//! from a later run while listing entries that no longer match (see `piiscan::report::baseline`).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result, bail};

use super::cli::BaselineCreateArgs;
use super::{EXIT_CLEAN, EXIT_INCOMPLETE, Extra, Source, run_scan};
use piiscan::finding::{Finding, Fingerprinter};
use piiscan::report::baseline::{Baseline, Matcher};
use piiscan::report::{self, escape_for_terminal, noun, plural};
use piiscan::scan::Status;
use piiscan::scan::collect::Collected;

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
            baseline: None,
            use_config_baseline: false,
            shard: None,
        },
    )?;
    let dir = match args.output.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    // A baseline lists every accepted value, so reading them all back is its size anyway.
    let findings = scanned
        .findings
        .to_vec()
        .context("reading findings back from the temporary spool")?;
    let baseline = Baseline::from_findings(&findings, &scanned.fp, dir);
    report::write_atomic(&args.output, &baseline.to_bytes())
        .with_context(|| format!("writing baseline {}", args.output.display()))?;
    let errors = scanned
        .collected
        .iter()
        .filter(|c| matches!(c.input.status, Status::Error(_)))
        .count();
    eprintln!(
        "piiscan: wrote {} with {}",
        escape_for_terminal(&args.output.display().to_string()),
        plural(
            baseline.entries.len() as u64,
            "accepted entry",
            "accepted entries"
        )
    );
    if errors > 0 {
        eprintln!(
            "piiscan: {} not be scanned; the baseline does not cover {}",
            plural(errors as u64, "input could", "inputs could"),
            noun(errors as u64, "it", "them")
        );
        return Ok(EXIT_INCOMPLETE);
    }
    Ok(EXIT_CLEAN)
}

/// `scan --baseline`: drops accepted findings from each input as it is collected, and
/// afterwards lists what it accepted and which entries no longer match.
pub struct BaselineFilter {
    file: PathBuf,
    matcher: Mutex<Matcher>,
    accepted: AtomicU64,
}

impl BaselineFilter {
    /// Loads the baseline in `file` for a run fingerprinting with `fp`.
    pub fn load(file: &Path, fp: &Fingerprinter) -> Result<BaselineFilter> {
        let baseline = Baseline::load(file)?;
        Ok(BaselineFilter {
            file: file.to_path_buf(),
            matcher: Mutex::new(Matcher::new(baseline, file, fp)?),
            accepted: AtomicU64::new(0),
        })
    }

    /// Drops the accepted ones among `findings`.
    pub fn apply(&self, findings: &mut Vec<Finding>) {
        if findings.is_empty() {
            return;
        }
        let mut m = self.matcher.lock().unwrap_or_else(|p| p.into_inner());
        let before = findings.len();
        findings.retain(|f| !m.accepts(f));
        self.accepted
            .fetch_add((before - findings.len()) as u64, Ordering::Relaxed);
    }

    /// Notes for stderr: how many findings were accepted, and each stale entry. `partial`: the
    /// run covered only changes (`--staged` / `--since`), so entries for files it did not look
    /// at are not stale.
    pub fn notes(&self, collected: &[Collected], partial: bool) -> Vec<String> {
        let scanned: Vec<&str> = collected
            .iter()
            .filter(|c| c.input.status == Status::Scanned)
            .map(|c| &*c.input.path)
            .collect();
        let all: Vec<&str> = collected.iter().map(|c| &*c.input.path).collect();
        let m = self.matcher.lock().unwrap_or_else(|p| p.into_inner());
        let stale = m.stale(&scanned, &all, !partial);
        let name = escape_for_terminal(&self.file.display().to_string());
        let mut notes = vec![format!(
            "{} accepted by baseline {name}; {}",
            plural(self.accepted.load(Ordering::Relaxed), "finding", "findings"),
            plural(stale.len() as u64, "stale entry", "stale entries")
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
        notes
    }
}
