//! `piiscan redact SRC --out DST`: write minimised copies, verify them, write a receipt.
//!
//! Resolves flags into [`piiscan::redact::Rules`], runs [`Redactor::redact_tree`], re-scans the
//! copies with [`verify::verify`], prints before/after exposure by kind, and returns the exit
//! code: 2 if any input was not redacted, a copy could not be scanned, or (with `--plan`) not
//! every plan step asked for was applied (see [`piiscan::redact::plan`]); else 1 if a copy
//! still holds a value the rules redact, or a value a typed SQL column would refuse; else 0.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use piiscan::config::RedactConfig;
use piiscan::exposure::PlanStep;
use piiscan::finding::{Confidence, Kind};
use piiscan::redact::plan::{self, PlanOutcome};
use piiscan::redact::verify::{self, Receipt, Side, Verification};
use piiscan::redact::{Action, DEFAULT_MAX_FILESIZE, FileStatus, Redactor, Rules, TreeOutcome};
use piiscan::report::{self, escape_for_terminal};
use piiscan::scan::{ScanOptions, Scanner};

use super::cli::{MinConfidence, RedactArgs};
use super::{EXIT_CLEAN, EXIT_FINDINGS, EXIT_INCOMPLETE};

fn parse_action(flag: &str, s: &str) -> Result<Action> {
    Action::parse(s).with_context(|| {
        format!("{flag} {s:?}: unknown action (use mask, tokenise, generalise, drop or null)")
    })
}

fn load_plan(path: &Path) -> Result<Vec<PlanStep>> {
    let text = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let v: serde_json::Value =
        serde_json::from_slice(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    let plan = v.pointer("/exposure/plan").with_context(|| {
        format!(
            "{} has no exposure.plan (write it with `piiscan scan --format json`)",
            path.display()
        )
    })?;
    serde_json::from_value(plan.clone())
        .with_context(|| format!("{}: exposure.plan has an unexpected shape", path.display()))
}

/// Resolves the rules from flags and piiscan.toml's `[redact]` (see [`RedactArgs`]). Flag rules
/// come first, so at equal specificity a flag beats the file; `--default` beats the file's
/// `default`.
/// The rules, the plan's steps (with --plan) and the inputs its delete steps leave out.
type Resolved = (Rules, Option<Vec<PlanStep>>, Vec<String>);

fn rules(args: &RedactArgs, cfg: &RedactConfig) -> Result<Resolved> {
    let mut rules = Rules::default();
    for a in &args.actions {
        rules.add_flag(a)?;
    }
    rules.rules.extend(cfg.rules.iter().cloned());
    let mut steps = None;
    let mut omit = Vec::new();
    if let Some(p) = &args.plan {
        let plan = load_plan(p)?;
        let action = parse_action("--plan-action", &args.plan_action)?;
        omit = rules.add_plan(&plan, args.top, action);
        steps = Some(plan);
    }
    rules.default = match (args.default_action.as_deref(), cfg.default) {
        (Some("keep"), _) => None,
        (Some(s), _) => Some(parse_action("--default", s)?),
        (None, Some(from_file)) => from_file,
        (None, None) if args.plan.is_some() => None,
        (None, None) => Some(Action::Mask),
    };
    Ok((rules, steps, omit))
}

/// Runs `piiscan redact`; returns the exit code.
pub fn run(args: RedactArgs) -> Result<i32> {
    let root = if args.src.is_dir() {
        args.src.clone()
    } else {
        args.src
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    };
    let cfg = super::load_config(&args.detectors, &root)?;
    let engine = super::build_engine(&args.detectors, &cfg)?;
    let (fp, key_kind) = super::fingerprinter(args.fingerprint_key_file.as_deref())?;
    let stable_key = key_kind == "provided";
    let (rules, plan_steps, omit) = rules(&args, &cfg.redact)?;
    let min_confidence = match args.min_confidence {
        Some(MinConfidence::Low) => Confidence::Low,
        Some(MinConfidence::Medium) => Confidence::Medium,
        Some(MinConfidence::High) => Confidence::High,
        None => cfg.min_confidence.unwrap_or(Confidence::Medium),
    };
    let redactor = Redactor {
        engine: &engine,
        fingerprinter: &fp,
        rules,
        min_confidence,
        max_filesize: args.max_filesize.unwrap_or(DEFAULT_MAX_FILESIZE),
        limits: piiscan::input::archive::Limits::default(),
        omit,
    };
    let outcome = redactor.redact_tree(&args.src, &args.out)?;
    let Redactor { rules, .. } = redactor;
    let ruleset = verify::ruleset_version(&engine);
    let scanner = Scanner::new(
        engine,
        fp.clone(),
        ScanOptions {
            min_confidence,
            ..ScanOptions::default()
        },
    );
    let verification = verify::verify(&scanner, &outcome, &rules);
    let shown = |rel: &str| {
        let mut scratch = piiscan::detect::Scratch::default();
        scanner.engine().mask_name(rel, &mut scratch)
    };
    let plan = plan_steps
        .as_deref()
        .map(|steps| plan::outcome(steps, args.top, &outcome, &shown));
    let created = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let receipt = Receipt::new(
        &outcome,
        &verification,
        &rules,
        ruleset,
        report::key_id(&fp),
        created,
    )
    .with_plan(plan.as_ref());
    if let Some(path) = &args.receipt {
        let mut json = serde_json::to_vec_pretty(&receipt)?;
        json.push(b'\n');
        report::write_atomic(path, &json)
            .with_context(|| format!("writing receipt {}", path.display()))?;
    }
    let mut out = super::out::stdout();
    if !args.quiet {
        print_summary(&mut out, &outcome, &verification, plan.as_ref(), stable_key)?;
    }
    let (msg, verdict) = verdict(&outcome, &verification, plan.as_ref());
    writeln!(out, "{msg}")?;
    Ok(verdict)
}

/// The verdict line and the exit code (see the module docs).
fn verdict(
    outcome: &TreeOutcome,
    verification: &Verification,
    plan: Option<&PlanOutcome>,
) -> (String, i32) {
    let not_redacted = outcome.not_redacted().count();
    let omitted = outcome.omitted().count();
    let written = outcome.files.len() - not_redacted - omitted;
    let plan_missing = plan.map_or(0, |p| p.steps.len() - p.applied());
    if not_redacted > 0 || verification.after.errors > 0 || plan_missing > 0 {
        let mut why = Vec::new();
        if not_redacted > 0 {
            why.push(format!("{not_redacted} input(s) not redacted"));
        }
        if verification.after.errors > 0 {
            why.push(format!(
                "{} cop(ies) not fully scanned",
                verification.after.errors
            ));
        }
        if let Some(p) = plan.filter(|_| plan_missing > 0) {
            why.push(format!(
                "{plan_missing} of the top {} plan step(s) not applied",
                p.steps.len()
            ));
        }
        return (format!("INCOMPLETE: {}", why.join(", ")), EXIT_INCOMPLETE);
    }
    if !verification.passed() {
        let mut why = Vec::new();
        let residual: u64 = verification.residual.iter().map(|r| r.count).sum();
        if residual > 0 {
            why.push(format!(
                "{residual} value(s) the rules redact remain in the copies"
            ));
        }
        let typed: u64 = verification.type_errors.iter().map(|t| t.count).sum();
        if typed > 0 {
            why.push(format!(
                "{typed} value(s) in typed SQL columns that the type does not accept (the dump would not load)"
            ));
        }
        return (format!("NOT VERIFIED: {}", why.join("; ")), EXIT_FINDINGS);
    }
    let mut msg = format!("verified: {written} copies hold no value the rules redact");
    if omitted > 0 {
        msg.push_str(&format!(
            "; {omitted} input(s) left out of the copy by the plan"
        ));
    }
    (msg, EXIT_CLEAN)
}

fn print_summary(
    out: &mut dyn Write,
    outcome: &TreeOutcome,
    v: &Verification,
    plan: Option<&PlanOutcome>,
    stable_key: bool,
) -> Result<()> {
    writeln!(
        out,
        "redact {} → {}",
        escape_for_terminal(&outcome.src.display().to_string()),
        escape_for_terminal(&outcome.dst.display().to_string())
    )?;
    for f in &outcome.files {
        let path = escape_for_terminal(&f.path);
        match &f.status {
            FileStatus::Redacted => {
                let changed: u64 = f.applied.values().flat_map(|m| m.values()).sum();
                writeln!(
                    out,
                    "  written      {path} ({}{}): {changed} value(s) changed, {} field(s) dropped",
                    f.format.unwrap_or("?"),
                    f.encoding.map_or_else(String::new, |e| format!(", {e}")),
                    f.dropped_fields
                )?;
                for note in &f.notes {
                    writeln!(out, "               note: {}", escape_for_terminal(note))?;
                }
            }
            FileStatus::NotRedacted(why) => {
                writeln!(out, "  NOT REDACTED {path}: {}", escape_for_terminal(why))?;
            }
            FileStatus::Omitted(why) => {
                writeln!(out, "  left out     {path}: {}", escape_for_terminal(why))?;
            }
        }
        for t in &f.type_errors {
            writeln!(
                out,
                "               TYPE ERROR: {} value(s) a {} column does not accept in {} (lines {:?})",
                t.count,
                escape_for_terminal(&t.sql_type),
                escape_for_terminal(&t.path),
                t.lines
            )?;
        }
    }
    if let Some(p) = plan {
        writeln!(out, "{}", p.summary())?;
        for s in p.steps.iter().filter(|s| !s.applied) {
            writeln!(
                out,
                "  plan step {} not applied ({}): {}",
                s.rank,
                s.reason.as_deref().unwrap_or("?"),
                escape_for_terminal(&s.description)
            )?;
        }
    }
    writeln!(out)?;
    writeln!(
        out,
        "{:<16} {:>14} {:>14}   {:>14} {:>14}",
        "kind", "values before", "distinct", "values after", "distinct"
    )?;
    let kinds: Vec<Kind> = Kind::ALL
        .into_iter()
        .filter(|k| v.before.by_kind.contains_key(k) || v.after.by_kind.contains_key(k))
        .collect();
    let get = |s: &Side, k: Kind| s.by_kind.get(&k).copied().unwrap_or_default();
    for k in kinds {
        let (b, a) = (get(&v.before, k), get(&v.after, k));
        writeln!(
            out,
            "{:<16} {:>14} {:>14}   {:>14} {:>14}",
            k.as_str(),
            b.values,
            b.distinct,
            a.values,
            a.distinct
        )?;
    }
    writeln!(
        out,
        "{:<16} {:>14} {:>14}   {:>14} {:>14}",
        "total", v.before.values, v.before.distinct, v.after.values, v.after.distinct
    )?;
    writeln!(
        out,
        "people exposed: {} → {}; identity-kit records: {} → {}",
        v.before.people,
        v.after.people,
        v.before.identity_kit_records,
        v.after.identity_kit_records
    )?;
    for r in &v.residual {
        writeln!(
            out,
            "  residual: {} {} value(s) in {} (lines {:?})",
            r.count,
            r.kind,
            escape_for_terminal(&r.path),
            r.lines
        )?;
    }
    if !stable_key {
        writeln!(
            out,
            "note: random key — tokens match only within this run (set PIISCAN_FINGERPRINT_KEY or --fingerprint-key-file)"
        )?;
    }
    Ok(())
}
