//! The binary's commands: resolve arguments and `piiscan.toml` into library configuration (with
//! `anyhow` context on every failure), run the pipeline, print, and decide the exit code.
//!
//! One file per command beyond `scan`: [`baseline`], [`diff`], [`hook`], [`merge`]; [`staged`] reads git's
//! index and diffs for `scan --staged` / `--since`. Flags override `piiscan.toml`, which overrides
//! built-in defaults.

pub mod baseline;
pub mod cli;
pub mod diff;
pub mod hook;
pub mod merge;
pub mod out;
pub mod progress;
pub mod redact;
pub mod staged;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result, bail};

use baseline::BaselineFilter;
use cli::{BaselineCommand, ScanCommon};
use cli::{Cli, Command, ConfigCommand, DetectorArgs, HookCommand, MinConfidence, ScanArgs};
use piiscan::config::{self, Config, FailOn};
use piiscan::detect::{Engine, builtin};
use piiscan::exposure::Weights;
use piiscan::finding::{Confidence, Finding, Fingerprinter};
use piiscan::report::{self, Report, Settings, plural};
use piiscan::scan::bucket;
use piiscan::scan::cache::{Cache, RulesetHasher};
use piiscan::scan::collect::{Collected, Collector};
use piiscan::scan::shard::Shard;
use piiscan::scan::spool::Findings;
use piiscan::scan::walk::{self, WalkOptions};
use piiscan::scan::{Allow, ScanOptions, Scanner, Status};
use piiscan::validate;

/// Exit code: nothing found at or above the threshold, everything scanned.
pub const EXIT_CLEAN: i32 = 0;
/// Exit code: findings at or above the threshold.
pub const EXIT_FINDINGS: i32 = 1;
/// Exit code: something could not be scanned, or the run failed.
pub const EXIT_INCOMPLETE: i32 = 2;

/// The message for a failed run: the error and its causes, joined by `: ` (as `{:#}` would),
/// except causes whose text an outer message already quotes. A library error such as
/// `#[error("{file}: cannot read: {source}")]` both shows its `io::Error` and returns it as its
/// source, so `{:#}` printed the OS error twice ("…: No such file or directory (os error 2):
/// No such file or directory (os error 2)").
pub fn error_message(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if text.is_empty() || out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

/// Runs the parsed command; returns the process exit code.
pub fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Scan(args) => scan(args),
        Command::Detectors(args) => detectors(&args),
        Command::Baseline(BaselineCommand::Create(args)) => baseline::create(args),
        Command::Diff(args) => diff::run(&args),
        Command::Merge(args) => merge::run(args),
        Command::Redact(args) => redact::run(args),
        Command::Hook(HookCommand::Install) => hook::install(),
        Command::Config(ConfigCommand::Check { file, detectors }) => {
            config_check(file.as_deref(), &detectors)
        }
    }
}

/// Loads the configuration: `--config FILE`, else `piiscan.toml` found upward from `root`, else
/// none (`--no-config`, or nothing found).
fn load_config(args: &DetectorArgs, root: &Path) -> Result<Config> {
    if args.no_config {
        return Ok(Config::default());
    }
    let file = match &args.config {
        Some(f) => Some(f.clone()),
        None => config::discover(root),
    };
    match file {
        Some(f) => Ok(Config::load(&f)?),
        None => Ok(Config::default()),
    }
}

/// The directory configuration discovery starts from: the first scan path (its directory for
/// a file), or the working directory for stdin and git modes.
fn config_root(paths: &[PathBuf]) -> PathBuf {
    let not_url = |p: &&PathBuf| !p.to_str().is_some_and(piiscan::input::db::is_db_url);
    match paths.iter().find(not_url) {
        Some(p) if p.as_os_str() != "-" => p.clone(),
        _ => PathBuf::from("."),
    }
}

fn build_engine(args: &DetectorArgs, cfg: &Config) -> Result<Engine> {
    let dirs: Vec<&Path> = args
        .patterns
        .iter()
        .chain(&cfg.pattern_dirs)
        .map(|p| p.as_path())
        .collect();
    let specs = builtin::load(&dirs).context("loading pattern files")?;
    let specs = cfg.select_specs(specs)?;
    let region = match (&args.region, &cfg.region) {
        (Some(r), _) => r.to_ascii_uppercase(),
        (None, Some(r)) => r.clone(),
        (None, None) => "AU".to_string(),
    };
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
    let cfg = load_config(args, Path::new("."))?;
    let engine = build_engine(args, &cfg)?;
    let mut out = out::stdout();
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

fn config_check(file: Option<&Path>, args: &DetectorArgs) -> Result<i32> {
    let file = match file
        .map(Path::to_path_buf)
        .or_else(|| config::discover(Path::new(".")))
    {
        Some(f) => f,
        None => bail!(
            "no {} in the current directory or its parents",
            config::FILE_NAME
        ),
    };
    let cfg = Config::load(&file)?;
    let engine = build_engine(args, &cfg)?;
    writeln!(
        out::stdout(),
        "{}: ok ({} enabled)",
        report::escape_for_terminal(&file.display().to_string()),
        plural(engine.specs().len() as u64, "detector", "detectors")
    )?;
    Ok(EXIT_CLEAN)
}

/// The fingerprint key: `key_file`, else `PIISCAN_FINGERPRINT_KEY`, else a random per-run key.
/// Returns the fingerprinter and `"provided"` or `"random"`.
fn fingerprinter(key_file: Option<&Path>) -> Result<(Fingerprinter, &'static str)> {
    if let Some(path) = key_file {
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

/// Where the inputs come from.
enum Source<'a> {
    /// Walk these paths.
    Paths(&'a [PathBuf]),
    /// The git index (`--staged`), limited to these paths.
    Staged(&'a [PathBuf]),
    /// Changes since a revision (`--since`), limited to these paths.
    Since(&'a str, &'a [PathBuf]),
}

/// Per-command options for [`run_scan`] that `ScanCommon` does not carry.
struct Extra<'a> {
    reveal: bool,
    explain: bool,
    cache: Option<&'a Path>,
    source: Source<'a>,
    /// `scan --baseline FILE` (else piiscan.toml's `baseline`, for `scan` only).
    baseline: Option<&'a Path>,
    /// Whether piiscan.toml's `baseline` applies (it does for `scan`, not `baseline create`).
    use_config_baseline: bool,
    /// `scan --shard`: only this shard's inputs.
    shard: Option<Shard>,
}

/// One scan's results, before reporting.
struct Scanned {
    /// Every input, sorted by path (findings spooled, see `piiscan::scan::collect`).
    collected: Vec<Collected>,
    /// Their findings, in the same order.
    findings: Findings,
    /// Notes from the baseline filter, if one applied.
    baseline_notes: Vec<String>,
    settings: Settings,
    cfg: Config,
    fp: Fingerprinter,
    roots: Vec<String>,
    started: String,
    /// Findings dropped by `allow.paths` (value, fingerprint and inline suppressions are counted
    /// per input by the scan glue).
    suppressed_paths: u64,
}

impl Scanned {
    fn suppressed(&self) -> u64 {
        self.suppressed_paths
            + self
                .collected
                .iter()
                .map(|c| c.input.suppressed)
                .sum::<u64>()
    }
}

/// Scans the live databases named by `urls` (see `piiscan::scan::db`), one after another.
/// Like stdin, they are shard 1's.
fn scan_databases(
    common: &ScanCommon,
    urls: &[PathBuf],
    shard: Option<piiscan::scan::shard::Shard>,
    scanner: &Scanner,
    collector: &Collector,
) -> Result<()> {
    if urls.is_empty() || shard.is_some_and(|s| s.index != 1) {
        return Ok(());
    }
    if !(common.db_timeout.is_finite() && common.db_timeout > 0.0) {
        bail!("--db-timeout must be a positive number of seconds");
    }
    let opts = piiscan::input::db::DbOptions {
        sample: common.sample,
        timeout: std::time::Duration::from_secs_f64(common.db_timeout.min(1e6)),
        excludes: piiscan::input::db::excludes(&common.exclude)
            .context("an --exclude glob does not parse")?,
    };
    let mut scratch = piiscan::detect::Scratch::default();
    for url in urls.iter().filter_map(|u| u.to_str()) {
        piiscan::scan::db::scan_url(scanner, url, &opts, &mut scratch, &mut |r| collector.add(r));
    }
    Ok(())
}

/// Resolves configuration, builds the scanner, scans (walk, git index or diff, through the
/// cache when asked) and applies `allow.paths`.
fn run_scan(common: &ScanCommon, extra: Extra<'_>) -> Result<Scanned> {
    let started = now_rfc3339();
    let default_paths = [PathBuf::from(".")];
    let paths: &[PathBuf] = match extra.source {
        Source::Paths([]) => &default_paths,
        Source::Paths(p) | Source::Staged(p) | Source::Since(_, p) => p,
    };
    let cfg = load_config(&common.detectors, &config_root(paths))?;
    let mut engine = build_engine(&common.detectors, &cfg)?;
    let detectors: Vec<String> = engine.specs().iter().map(|s| s.id.clone()).collect();
    let (fp, key_kind) = fingerprinter(common.fingerprint_key_file.as_deref())?;
    let min_confidence = match common.min_confidence {
        Some(MinConfidence::Low) => Confidence::Low,
        Some(MinConfidence::Medium) => Confidence::Medium,
        Some(MinConfidence::High) => Confidence::High,
        None => cfg.min_confidence.unwrap_or(Confidence::Medium),
    };
    engine.set_report_floor(min_confidence);
    let region = engine.validate_ctx().region.clone();
    let cache = match extra.cache {
        None => None,
        Some(dir) => {
            if extra.reveal {
                bail!("--cache cannot be used with --reveal: the cache would hold raw values");
            }
            if key_kind == "random" {
                bail!(
                    "--cache needs a stable fingerprint key (PIISCAN_FINGERPRINT_KEY or \
                     --fingerprint-key-file): cached findings carry fingerprints, and with a \
                     random per-run key they could never be linked with this run's"
                );
            }
            let settings = format!(
                "{}|{}|{}|{:?}",
                region,
                min_confidence.as_str(),
                extra.explain,
                common.max_filesize
            );
            let ruleset = ruleset_hash(common, &cfg, &detectors, &settings, &fp)?;
            let cache = Cache::open(dir, &ruleset, &fp);
            if let Some(why) = &cache.invalidated
                && !common.quiet
            {
                eprintln!("piiscan: cache: starting afresh ({why})");
            }
            Some(Arc::new(cache))
        }
    };
    if let Some(n) = common.threads.filter(|&n| n > 0) {
        // `-j` also sizes rayon's pool (report serialisation, staged blobs). It can be set
        // once per process; a second scan in the same process keeps the first size.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global();
    }
    let scanner = Scanner::new(
        engine,
        fp.clone(),
        ScanOptions {
            reveal: extra.reveal,
            explain: extra.explain,
            min_confidence,
            allow: Allow {
                inline: cfg.inline_allow,
                values: cfg.allow_values.clone(),
                fingerprints: Arc::new(cfg.allow_fingerprints.clone()),
            },
            split_after: (common.threads != Some(1))
                .then_some(piiscan::scan::batch::PARALLEL_AFTER),
            parallel_inputs: common
                .threads
                .filter(|&n| n > 0)
                .unwrap_or_else(piiscan::scan::default_parallel_inputs),
        },
    );
    let baseline_file = extra
        .baseline
        .map(Path::to_path_buf)
        .or(if extra.use_config_baseline {
            cfg.baseline.clone()
        } else {
            None
        });
    let baseline = match &baseline_file {
        Some(file) => Some(Arc::new(BaselineFilter::load(file, &fp)?)),
        None => None,
    };
    let suppressed_paths = Arc::new(AtomicU64::new(0));
    let filter = {
        let (baseline, suppressed_paths) = (baseline.clone(), suppressed_paths.clone());
        let allow_paths = cfg.allow_paths.is_some().then(|| cfg.clone());
        move |path: &str, findings: &mut Vec<Finding>| {
            if let Some(cfg) = &allow_paths
                && !findings.is_empty()
                && cfg.allows_path(path)
            {
                suppressed_paths.fetch_add(findings.len() as u64, Ordering::Relaxed);
                findings.clear();
            }
            if let Some(b) = &baseline {
                b.apply(findings);
            }
        }
    };
    let collector = Arc::new(
        Collector::spooled()
            .context("creating the temporary findings spool (is TMPDIR writable?)")?
            .with_filter(Box::new(filter)),
    );
    // Findings leave the scanner in chunks while a large input is still being read — except
    // where something else needs an input's findings whole: the cache stores them per input,
    // and `--staged`/`--since` keep only those on added lines after the scan.
    let live = (matches!(extra.source, Source::Paths(_)) && progress::wanted(common.quiet))
        .then(|| Arc::new(AtomicU64::new(0)));
    let scanner = match &live {
        Some(live) => scanner.with_progress(live.clone()),
        None => scanner,
    };
    let scanner = if cache.is_none() && matches!(extra.source, Source::Paths(_)) {
        let c = collector.clone();
        scanner.with_spill(Arc::new(move |path: &Arc<str>, f: Vec<Finding>| {
            c.spill(path, f)
        }))
    } else {
        scanner
    };
    let roots = match extra.source {
        Source::Paths(_) => {
            let (progress, display) = match &live {
                Some(live) => {
                    let (p, d) = progress::start(paths, live.clone());
                    (Some(p), Some(d))
                }
                None => (None, None),
            };
            let wopts = WalkOptions {
                threads: common.threads.unwrap_or(0),
                respect_gitignore: common.respect_gitignore,
                follow: common.follow,
                excludes: common.exclude.clone(),
                max_filesize: common.max_filesize,
                cache: cache.clone(),
                progress,
                shard: extra.shard,
            };
            // Live databases (URLs) are read here, `s3://…` objects by piiscan::scan::bucket,
            // files and directories by the walk.
            let (db_urls, rest): (Vec<PathBuf>, Vec<PathBuf>) = paths
                .iter()
                .cloned()
                .partition(|p| p.to_str().is_some_and(piiscan::input::db::is_db_url));
            scan_databases(common, &db_urls, extra.shard, &scanner, &collector)?;
            let (files, urls) = bucket::split(&rest);
            let walked = walk::scan_paths(&files, &wopts, &scanner, &collector)
                .and_then(|()| bucket::scan_urls(&urls, &wopts, &scanner, &collector));
            if let Some(d) = display {
                d.finish();
            }
            walked?;
            // A database URL is named without its password.
            paths
                .iter()
                .map(|p| match p.to_str() {
                    Some(u) if piiscan::input::db::is_db_url(u) => {
                        piiscan::scan::db::display_arg(u)
                    }
                    _ => p.display().to_string(),
                })
                .collect()
        }
        Source::Staged(p) => {
            let changes = staged::staged(p, &common.exclude)?;
            staged::scan(&scanner, changes, &collector);
            vec![":staged".to_string()]
        }
        Source::Since(rev, p) => {
            let changes = staged::since(rev, p, &common.exclude)?;
            staged::scan(&scanner, changes, &collector);
            vec![format!("{rev}..")]
        }
    };
    // The scanner (holding the spill hook) is done; the collector is ours alone again.
    drop(scanner);
    let collector = Arc::try_unwrap(collector)
        .map_err(|_| anyhow::anyhow!("internal error: collector still shared after the scan"))?;
    let (collected, findings) = collector
        .finish()
        .context("collecting findings (temporary spool)")?;
    if let Some(cache) = cache {
        let stats = cache.stats();
        if !common.quiet {
            eprintln!(
                "piiscan: cache: {} reused unread, {} reused after re-hashing, {} scanned",
                plural(stats.reused, "input", "inputs"),
                stats.rehashed,
                stats.scanned
            );
        }
        match Arc::try_unwrap(cache) {
            Ok(cache) => cache.save().context("writing the cache")?,
            Err(_) => bail!("internal error: cache still shared after the walk"),
        }
    }
    let partial = !matches!(extra.source, Source::Paths(_));
    let baseline_notes = baseline
        .map(|b| b.notes(&collected, partial))
        .unwrap_or_default();
    if !common.quiet {
        let mut err = std::io::stderr().lock();
        for r in collected.iter().map(|c| &c.input) {
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
        reveal: extra.reveal,
        detectors,
    };
    Ok(Scanned {
        collected,
        findings,
        baseline_notes,
        settings,
        cfg,
        fp,
        roots,
        started,
        suppressed_paths: suppressed_paths.load(Ordering::Relaxed),
    })
}

/// Everything that changes what a scan reports, hashed: the cache is valid for this only.
fn ruleset_hash(
    common: &ScanCommon,
    cfg: &Config,
    detectors: &[String],
    settings: &str,
    fp: &Fingerprinter,
) -> Result<String> {
    let mut h = RulesetHasher::new();
    h.add("version", env!("CARGO_PKG_VERSION").as_bytes());
    // The binary itself: validators and formats are code, not pattern files.
    if let Ok(meta) = std::env::current_exe().and_then(std::fs::metadata) {
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        h.add("exe", format!("{}:{mtime}", meta.len()).as_bytes());
    }
    for (stem, text) in builtin::PATTERNS {
        h.add(stem, text.as_bytes());
    }
    for (stem, text) in builtin::DICTS {
        h.add(stem, text.as_bytes());
    }
    for dir in common.detectors.patterns.iter().chain(&cfg.pattern_dirs) {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .with_context(|| format!("reading pattern directory {}", dir.display()))?
            .flatten()
            .map(|e| e.path())
            .collect();
        files.sort();
        for f in files {
            if let Ok(bytes) = std::fs::read(&f) {
                h.add(&f.display().to_string(), &bytes);
            }
        }
    }
    if let Some(file) = &cfg.file {
        let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
        h.add("config", &bytes);
    }
    h.add("detectors", detectors.join(",").as_bytes());
    // Region, minimum confidence, --explain, --max-filesize.
    h.add("settings", settings.as_bytes());
    h.add("key", piiscan::report::baseline::key_check(fp).as_bytes());
    Ok(h.finish())
}

/// The fail-on policy: `--fail-on` flags, else piiscan.toml's `fail_on`, else every finding.
fn fail_on(flags: &[String], cfg: &Config) -> Result<FailOn> {
    if !flags.is_empty() {
        let items: Vec<&str> = flags.iter().map(String::as_str).collect();
        return Ok(FailOn::parse(&items, "--fail-on", "--fail-on")?);
    }
    Ok(cfg.fail_on.clone().unwrap_or_default())
}

/// Whether text output lists every finding: `--list`, or by default for a commit gate — the
/// plain-git hook (`--staged`) or a run under the pre-commit framework, which sets `PRE_COMMIT`
/// for its hooks — where the committer needs lines to fix, not a risk score. `--no-list` wins.
fn list_findings(args: &ScanArgs) -> Result<bool> {
    let list = args.list
        || (!args.no_list
            && (args.staged || std::env::var_os("PRE_COMMIT").is_some_and(|v| !v.is_empty())));
    if args.format != "text" {
        if args.list {
            bail!("--list applies to --format text only");
        }
        return Ok(false);
    }
    Ok(list)
}

fn scan(args: ScanArgs) -> Result<i32> {
    let list = list_findings(&args)?;
    // Checked before anything is read: a worker with a bad shard must not scan everything.
    let shard = args.shard.as_deref().map(Shard::from_spec).transpose()?;
    let source = if args.staged {
        Source::Staged(&args.common.paths)
    } else if let Some(rev) = &args.since {
        Source::Since(rev, &args.common.paths)
    } else {
        Source::Paths(&args.common.paths)
    };
    let scanned = run_scan(
        &args.common,
        Extra {
            reveal: args.reveal,
            explain: args.explain,
            cache: args.cache.as_deref(),
            source,
            baseline: args.baseline.as_deref(),
            use_config_baseline: true,
            shard,
        },
    )?;
    let policy = fail_on(&args.fail_on, &scanned.cfg)?;
    let suppressed = scanned.suppressed();
    let risk_weights = scanned.cfg.risk_weights.clone();
    let max_link_partners = scanned.cfg.max_link_partners;
    let cfg_fail_on_skip = scanned.cfg.fail_on_skip;
    let Scanned {
        collected,
        findings,
        baseline_notes,
        settings,
        fp,
        roots,
        started,
        ..
    } = scanned;
    let mut notes = Vec::new();
    if suppressed > 0 {
        notes.push(format!(
            "{} by piiscan:allow or piiscan.toml allowlists",
            plural(suppressed, "finding suppressed", "findings suppressed")
        ));
    }
    notes.extend(baseline_notes);
    let provided = settings.fingerprint_key == "provided";
    let mut weights = Weights::default();
    weights.kinds.extend(risk_weights);
    if let Some(n) = max_link_partners {
        weights.max_link_partners = n;
    }
    let mut report = Report::from_collected(
        collected,
        findings,
        roots,
        settings,
        started,
        now_rfc3339(),
        weights,
    )
    .context("building the exposure report")?;
    if provided {
        report.key_id = Some(report::key_id(&fp));
    }
    report.shard = shard;
    report.include_findings(report::Included::parse(&args.findings).unwrap_or_default());
    if !args.common.quiet {
        for n in &notes {
            eprintln!("piiscan: {n}");
        }
    }
    emit_report(
        &report,
        &Emit {
            format: &args.format,
            color: &args.color,
            list,
            top: args.top,
        },
        args.output.as_deref(),
    )?;
    let fail_on_skip = args.fail_on_skip || cfg_fail_on_skip;
    if fail_on_skip && !args.common.quiet {
        for s in &report.skipped {
            eprintln!(
                "piiscan: {}: skipped: {}",
                report::escape_for_terminal(&s.path),
                s.reason
            );
        }
    }
    Ok(
        if report.totals.errors > 0 || fail_on_skip && report.totals.skipped > 0 {
            EXIT_INCOMPLETE
        } else if report.any_finding(|kind, confidence| policy.fails_on(kind, confidence)) {
            EXIT_FINDINGS
        } else {
            EXIT_CLEAN
        },
    )
}

/// How to print a report.
pub struct Emit<'a> {
    /// `--format`.
    pub format: &'a str,
    /// `--color`: `auto|always|never`.
    pub color: &'a str,
    /// Text: one line per finding (`scan --list`).
    pub list: bool,
    /// Text: most entries of each list (`--top`).
    pub top: usize,
}

/// Writes `report` as `how` says to `output` (atomically, 0600) or to stdout. `auto` colour
/// means stdout is a terminal and `NO_COLOR` is unset. A closed pipe (`| head`, or a FIFO whose
/// reader left) is a normal end, not a failure: the report simply stops there.
pub fn emit_report(
    report: &piiscan::report::Report,
    how: &Emit<'_>,
    output: Option<&Path>,
) -> Result<()> {
    let (format, color) = (how.format, how.color);
    let color = match color {
        "always" => true,
        "never" => false,
        "auto" => {
            output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
        other => bail!("--color must be auto, always or never (got {other:?})"),
    };
    let reporter: Box<dyn report::Reporter> = if format == "text" {
        Box::new(report::text::Text {
            color,
            list: how.list,
            top: how.top,
        })
    } else {
        match report::reporter(format, color) {
            Some(r) => r,
            None => bail!("unknown format {format}"),
        }
    };
    // The reporter stops at the first failed write, so a closed pipe also ends the reading of
    // the spooled findings.
    let written = match output {
        Some(path) => report::write_atomic_with(path, |w| reporter.write(report, w))
            .map_err(|e| (e, report::escape_for_terminal(&path.display().to_string()))),
        None => {
            // Stdout is line-buffered: without a buffer of our own, JSONL would cost a write
            // per finding.
            let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            let r = reporter.write(report, &mut out).and_then(|_| out.flush());
            // After a failure the buffer still holds what could not be written; dropping the
            // BufWriter would try again (and ignore the error), so let it go without a flush.
            let _ = out.into_parts();
            r.map_err(|e| (e, "stdout".to_string()))
        }
    };
    match written {
        Err((e, _)) if out::is_closed_pipe(&e) => Ok(()),
        Err((e, to)) => Err(e).with_context(|| format!("writing report to {to}")),
        Ok(()) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::error_message;

    #[derive(Debug, thiserror::Error)]
    #[error("{file}: cannot read: {source}")]
    struct Quoting {
        file: String,
        source: std::io::Error,
    }

    #[test]
    fn a_cause_is_printed_once() {
        let io = || std::io::Error::new(std::io::ErrorKind::NotFound, "gone (os error 2)");
        // The library error quotes its source: the source is not repeated.
        let e = anyhow::Error::new(Quoting {
            file: "a.toml".into(),
            source: io(),
        });
        assert_eq!(error_message(&e), "a.toml: cannot read: gone (os error 2)");
        // What `{:#}` printed before.
        assert_eq!(format!("{e:#}").matches("gone").count(), 2);
        // Context that does not quote its cause: the cause follows, as with `{:#}`.
        let e = anyhow::Error::new(io()).context("reading key file k");
        assert_eq!(error_message(&e), "reading key file k: gone (os error 2)");
        assert_eq!(error_message(&e), format!("{e:#}"));
        // Both at once.
        let e = anyhow::Error::new(Quoting {
            file: "b.json".into(),
            source: io(),
        })
        .context("loading the baseline");
        assert_eq!(
            error_message(&e),
            "loading the baseline: b.json: cannot read: gone (os error 2)"
        );
    }
}
