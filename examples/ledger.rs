//! The cost ledger (issue 26): user-space instructions per input byte and per finding, per input
//! shape, counted with the CPU's performance counters (or callgrind where the CPU offers none) —
//! stable on a noisy machine, where time is not — and checked against budgets in
//! `benches/ledger-budget.toml`. Also prints CPU ns per byte and per finding (informative).
//!
//! For each shape (CSV, NDJSON, pg_dump COPY, mysqldump INSERT, app log, access log, prose,
//! code) two small inputs are generated from a fixed seed and written to a temporary directory:
//!
//! * **clean** — the shape with no PII (same structure, numbers, ids, look-alikes): its
//!   instructions / bytes are the per-byte cost of reading, decoding, structure and candidate
//!   finding;
//! * **dense** — the shape full of (fake) PII: (its instructions − bytes × the clean per-byte
//!   cost) / findings is the cost of a reported finding, all in (validate, score, mask,
//!   fingerprint, exposure, spool, JSONL line).
//!
//! Each is scanned in-process the way the binary scans a directory with `-j1`: each file through
//! the scanner as the walk hands it over (no helper thread), the spooled collector, the report
//! with its exposure, and the JSONL reporter writing every finding (to a sink). Engine
//! construction and a warm-up scan are outside the count. Everything counted runs on the
//! calling thread (one rayon thread), so a per-thread counter sees all of it.
//!
//! ```sh
//! cargo run --features parquet --example ledger               # print the table
//! cargo run --features parquet --example ledger -- --check    # exit 1 if a shape is >10% over budget
//! cargo run --features parquet --example ledger -- --update   # rewrite the budget file
//! ```
//!
//! Budgets are counted in the dev profile as Cargo.toml sets it (this crate at opt-level 1 with
//! debug assertions, dependencies at opt-level 2 without), the build `cargo test --features
//! parquet` has already made when CI runs this (`.ci/run`, stage "cost ledger"): a guard against
//! regressions, not the released binary's cost (docs/performance.md has those). Exit status: 0
//! within budget, 1 over budget, 2 usage or setup error, 3 no instruction counter (the message
//! says why: `perf_event_paranoid`, a container without the syscall, a VM without a PMU and no
//! valgrind). `LEDGER_COUNTER=perf` or `callgrind` forces one.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use perf_event::Builder;
use perf_event::events::{Hardware, Software};
use piiscan::detect::Scratch;
use piiscan::detect::{Engine, builtin};
use piiscan::exposure::Weights;
use piiscan::finding::{Confidence, Fingerprinter};
use piiscan::report::{Report, Reporter, Settings};
use piiscan::scan::collect::Collector;
use piiscan::scan::unpack::Source;
use piiscan::scan::{ScanOptions, Scanner};
use piiscan::validate::Ctx;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A shape over its budget by more than this fraction fails `--check`.
const TOLERANCE: f64 = 0.10;
/// Bytes of each clean and dense input (per shape): a few hundred KB keeps the whole ledger
/// within a minute under callgrind, and is far above the per-run fixed cost.
const CLEAN_BYTES: usize = 256 << 10;
const DENSE_BYTES: usize = 128 << 10;
/// Exit statuses (see the module doc).
const EXIT_OVER: u8 = 1;
const EXIT_USAGE: u8 = 2;
const EXIT_NO_COUNTERS: u8 = 3;

fn budget_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/ledger-budget.toml")
}

// ---------------------------------------------------------------------------------------------
// Measuring

/// What one scan cost.
#[derive(Debug, Clone, Copy, Default)]
struct Cost {
    bytes: u64,
    findings: u64,
    instructions: u64,
    cpu_ns: u64,
}

/// How instructions are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Counter {
    /// The CPU's counter, through `perf_event_open`, in this process.
    Perf,
    /// Valgrind's callgrind, in a child process (a VM without a PMU): counts the same
    /// instructions, except that SHA-256 runs its portable code there (the CPU's SHA extensions
    /// are not offered), so its budgets are its own.
    Callgrind,
}

impl Counter {
    fn name(self) -> &'static str {
        match self {
            Counter::Perf => "perf",
            Counter::Callgrind => "callgrind",
        }
    }
}

/// A counter on this thread (the measured scan runs on it alone).
fn open(event: impl perf_event::events::Event + 'static) -> io::Result<perf_event::Counter> {
    Builder::new(event)
        .exclude_kernel(true)
        .exclude_hv(true)
        .build()
}

/// Counts what `f` does on this thread: (result, instructions, CPU ns). Instructions are
/// `None` without a PMU; CPU time (a software counter) is always there. Refuses an instruction
/// count the kernel had to estimate (counter multiplexed).
fn count<T>(
    instructions: Option<&mut perf_event::Counter>,
    cpu: &mut perf_event::Counter,
    f: impl FnOnce() -> T,
) -> io::Result<(T, Option<u64>, u64)> {
    cpu.reset()?;
    cpu.enable()?;
    let (out, n) = match instructions {
        Some(c) => {
            c.reset()?;
            c.enable()?;
            let out = f();
            c.disable()?;
            let data = c.read_full()?;
            if let (Some(on), Some(run)) = (data.time_enabled(), data.time_running())
                && run < on
            {
                return Err(io::Error::other(format!(
                    "the instruction counter ran {:.0}% of the time it was enabled (the PMU \
                     is shared or multiplexed): the count would be an estimate",
                    100.0 * run.as_secs_f64() / on.as_secs_f64().max(1e-9)
                )));
            }
            (out, Some(data.count()))
        }
        None => (f(), None),
    };
    cpu.disable()?;
    Ok((out, n, cpu.read()?))
}

/// The engine as the binary builds it with no configuration (region AU, floor medium).
fn engine() -> Result<Engine, String> {
    let specs = builtin::load(&[]).map_err(|e| format!("patterns: {e}"))?;
    let mut engine = Engine::new(specs, Ctx::default()).map_err(|e| format!("engine: {e}"))?;
    engine.set_report_floor(Confidence::Medium);
    Ok(engine)
}

/// What the scan of one input directory needs, built before counting starts (the engine
/// takes ~0.03 s; a fresh one per input, so no input starts with another's warm caches).
struct Prepared {
    scanner: Scanner,
    collector: Arc<Collector>,
    settings: Settings,
    files: Vec<PathBuf>,
    dir: PathBuf,
}

fn prepare(dir: &Path) -> Result<Prepared, String> {
    let engine = engine()?;
    let settings = Settings {
        min_confidence: Confidence::Medium,
        region: "AU".into(),
        fingerprint_key: "provided".into(),
        reveal: false,
        detectors: engine.specs().iter().map(|s| s.id.clone()).collect(),
    };
    let collector = Arc::new(Collector::spooled().map_err(|e| format!("spool: {e}"))?);
    let c = collector.clone();
    let scanner = Scanner::new(
        engine,
        Fingerprinter::new(b"ledger-key-0123456789abcdef"),
        ScanOptions {
            split_after: None,
            parallel_inputs: 1,
            ..ScanOptions::default()
        },
    )
    .with_spill(Arc::new(move |path, f| c.spill(path, f)));
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .and_then(|d| d.map(|e| e.map(|e| e.path())).collect())
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    files.sort();
    Ok(Prepared {
        scanner,
        collector,
        settings,
        files,
        dir: dir.to_path_buf(),
    })
}

/// The counted work: what `piiscan -j1 --format jsonl DIR > /dev/null` does after start-up —
/// each file through the scanner as the walk hands it over (on this thread: the walk's own
/// threads would escape a per-thread count, and callgrind's toggle), collected and spooled,
/// the report with its exposure, every finding written as JSONL. Returns (bytes, findings).
/// Not inlined: callgrind counts inside this function by name.
#[inline(never)]
fn ledger_measured_scan(p: Prepared) -> Result<(u64, u64), String> {
    let Prepared {
        scanner,
        collector,
        settings,
        files,
        dir,
    } = p;
    let mut scratch = Scratch::default();
    for path in &files {
        let mut file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let display: Arc<str> = Arc::from(path.display().to_string());
        for r in scanner.scan_source(display, Source::File(&mut file), &mut scratch) {
            collector.add(r);
        }
    }
    drop(scanner);
    let collector = Arc::try_unwrap(collector).map_err(|_| "collector still shared".to_string())?;
    let (collected, findings) = collector.finish().map_err(|e| format!("collect: {e}"))?;
    if let Some(bad) = collected
        .iter()
        .find(|c| !matches!(c.input.status, piiscan::scan::Status::Scanned))
    {
        return Err(format!("{}: {:?}", bad.input.path, bad.input.status));
    }
    let report = Report::from_collected(
        collected,
        findings,
        vec![dir.display().to_string()],
        settings,
        String::new(),
        String::new(),
        Weights::default(),
    )
    .map_err(|e| format!("report: {e}"))?;
    piiscan::report::jsonl::Jsonl
        .write(&report, &mut io::sink())
        .map_err(|e| format!("jsonl: {e}"))?;
    Ok((report.totals.bytes, report.findings.len()))
}

/// Scans each of `dirs`, counting on this thread: instructions with perf if `pmu` is given.
fn measure_here(
    dirs: &[PathBuf],
    mut pmu: Option<&mut perf_event::Counter>,
) -> Result<Vec<Cost>, String> {
    let mut cpu = open(Software::TASK_CLOCK).map_err(|e| format!("CPU-time counter: {e}"))?;
    let mut out = Vec::new();
    for dir in dirs {
        let p = prepare(dir)?;
        let (res, instructions, cpu_ns) =
            count(pmu.as_deref_mut(), &mut cpu, || ledger_measured_scan(p))
                .map_err(|e| format!("perf counters: {e}"))?;
        let (bytes, findings) = res?;
        out.push(Cost {
            bytes,
            findings,
            instructions: instructions.unwrap_or(0),
            cpu_ns,
        });
    }
    Ok(out)
}

/// Instructions of each of `dirs`' scans, counted by callgrind in a child process: the child
/// runs `--measure DIR...`; callgrind collects only inside [`ledger_measured_scan`] and dumps
/// its totals after each call, one file per input, in order.
fn measure_callgrind(dirs: &[PathBuf], tmp: &Path) -> Result<Vec<u64>, String> {
    let exe = std::env::current_exe().map_err(|e| format!("this executable: {e}"))?;
    let out = tmp.join("callgrind.out");
    let status = std::process::Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg("--quiet")
        .arg("--collect-atstart=no")
        // Exact names: callgrind 3.19 ignores a wildcard in --dump-after.
        .arg("--toggle-collect=ledger::ledger_measured_scan")
        .arg("--dump-after=ledger::ledger_measured_scan")
        .arg("--dump-instr=no")
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(&exe)
        .arg("--measure")
        .args(dirs)
        .stdout(std::process::Stdio::null())
        .status()
        .map_err(|e| format!("running valgrind: {e}"))?;
    if !status.success() {
        return Err(format!("valgrind --tool=callgrind failed ({status})"));
    }
    // Dumps are `OUT.1`, `OUT.2`, … in call order; the final `OUT` holds what ran after.
    (1..=dirs.len())
        .map(|i| {
            let f = tmp.join(format!("callgrind.out.{i}"));
            if !f.exists() {
                return Err(format!(
                    "callgrind wrote no {} (did it not see ledger::ledger_measured_scan?)",
                    f.display()
                ));
            }
            let text = std::fs::read_to_string(&f).map_err(|e| format!("{}: {e}", f.display()))?;
            text.lines()
                .find_map(|l| {
                    l.strip_prefix("totals:")
                        .or_else(|| l.strip_prefix("summary:"))
                })
                .and_then(|v| v.split_whitespace().next()?.parse().ok())
                .ok_or_else(|| format!("{}: no totals line", f.display()))
        })
        .collect()
}

/// One shape's line of the ledger.
#[derive(Debug, Clone, Copy)]
struct Line {
    clean: Cost,
    dense: Cost,
}

impl Line {
    fn instr_per_byte(&self) -> f64 {
        self.clean.instructions as f64 / self.clean.bytes.max(1) as f64
    }
    fn ns_per_byte(&self) -> f64 {
        self.clean.cpu_ns as f64 / self.clean.bytes.max(1) as f64
    }
    /// The dense input's cost beyond what its bytes cost at the clean rate, per finding.
    fn per_finding(&self, total: u64, per_byte: f64) -> f64 {
        let rest = total as f64 - per_byte * self.dense.bytes as f64;
        rest / self.dense.findings.max(1) as f64
    }
    fn instr_per_finding(&self) -> f64 {
        self.per_finding(self.dense.instructions, self.instr_per_byte())
    }
    fn ns_per_finding(&self) -> f64 {
        self.per_finding(self.dense.cpu_ns, self.ns_per_byte())
    }
}

// ---------------------------------------------------------------------------------------------
// Budgets

/// Per shape: (instructions per byte, instructions per finding).
type Budgets = BTreeMap<String, (f64, f64)>;

fn read_budgets(path: &Path, counter: Counter) -> Result<Budgets, String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let theirs = table.get("counter").and_then(|v| v.as_str()).unwrap_or("");
    if theirs != counter.name() {
        return Err(format!(
            "{}: the budgets were counted with {theirs:?}, this run counts with {:?}: the two \
             differ (SHA-256 under valgrind runs portable code), so they cannot be compared; \
             re-measure with --update where CI runs",
            path.display(),
            counter.name()
        ));
    }
    let mut out = Budgets::new();
    for (shape, v) in table.iter().filter(|(_, v)| v.is_table()) {
        let get = |key: &str| {
            v.get(key)
                .and_then(|x| x.as_float().or_else(|| x.as_integer().map(|i| i as f64)))
                .ok_or_else(|| format!("{}: [{shape}] has no number {key}", path.display()))
        };
        out.insert(
            shape.clone(),
            (get("instr_per_byte")?, get("instr_per_finding")?),
        );
    }
    Ok(out)
}

fn render_budgets(lines: &[(&str, Line)], counter: Counter) -> String {
    let mut s = String::from(
        "# Cost ledger budgets (examples/ledger.rs): user-space instructions per input byte on a\n\
         # PII-free input of each shape, and per reported finding on a dense one, as measured in\n\
         # the dev profile (.ci/run, stage \"cost ledger\"). `--check` fails when a shape\n\
         # exceeds either by more than 10%. Rewrite with `--update` (same profile), and say why in\n\
         # the commit: a budget that rises is a cost someone chose to pay.\n",
    );
    let _ = writeln!(s, "\ncounter = \"{}\"", counter.name());
    for (name, l) in lines {
        let _ = write!(
            s,
            "\n[{name}]\ninstr_per_byte = {:.1}\ninstr_per_finding = {:.0}\n",
            l.instr_per_byte(),
            l.instr_per_finding().max(0.0)
        );
    }
    s
}

// ---------------------------------------------------------------------------------------------
// Main

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // One rayon thread: the JSONL reporter then serialises on the calling thread, inside the
    // count (with more, it hands parts to the pool).
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build_global();
    if args.first().map(String::as_str) == Some("--measure") {
        // The callgrind child: scan each directory; callgrind does the counting.
        let dirs: Vec<PathBuf> = args[1..].iter().map(PathBuf::from).collect();
        return match measure_here(&dirs, None) {
            Ok(_) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("ledger: {e}");
                ExitCode::from(EXIT_USAGE)
            }
        };
    }
    let check = args.iter().any(|a| a == "--check");
    let update = args.iter().any(|a| a == "--update");
    if let Some(bad) = args
        .iter()
        .find(|a| !matches!(a.as_str(), "--check" | "--update" | "--bench"))
    {
        eprintln!("ledger: unknown argument {bad:?} (use --check or --update)");
        return ExitCode::from(EXIT_USAGE);
    }
    let wanted = std::env::var("LEDGER_COUNTER").unwrap_or_default();
    let pmu = match wanted.as_str() {
        "" | "perf" => open(Hardware::INSTRUCTIONS),
        "callgrind" => Err(io::Error::other("LEDGER_COUNTER=callgrind")),
        other => {
            eprintln!("ledger: LEDGER_COUNTER={other:?}: use perf or callgrind");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let (counter, pmu) = match pmu {
        Ok(c) => (Counter::Perf, Some(c)),
        Err(e) => {
            let paranoid = std::fs::read_to_string("/proc/sys/kernel/perf_event_paranoid")
                .map(|s| s.trim().to_string())
                .unwrap_or_else(|_| "unreadable".into());
            let why = format!(
                "PERF COUNTERS UNAVAILABLE: cannot count this process's instructions with \
                 perf_event_open ({e}; perf_event_paranoid = {paranoid}; it needs a CPU or VM \
                 with a PMU, perf_event_paranoid <= 2 and a container that allows the syscall)"
            );
            let valgrind = std::process::Command::new("valgrind")
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success());
            if wanted == "perf" || !valgrind {
                eprintln!(
                    "ledger: {why}, and {}. Nothing was measured.",
                    if valgrind {
                        "LEDGER_COUNTER=perf forbids the callgrind fallback"
                    } else {
                        "valgrind (the fallback) is not installed"
                    }
                );
                return ExitCode::from(EXIT_NO_COUNTERS);
            }
            if wanted.is_empty() {
                eprintln!("ledger: {why}: counting with callgrind instead (slower).");
            }
            (Counter::Callgrind, None)
        }
    };
    match run(counter, pmu, check, update) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("ledger: {e}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn run(
    counter: Counter,
    mut pmu: Option<perf_event::Counter>,
    check: bool,
    update: bool,
) -> Result<ExitCode, String> {
    let budgets = match check {
        true => Some(read_budgets(&budget_file(), counter)?),
        false => None,
    };
    let tmp = tempfile::tempdir().map_err(|e| format!("temporary directory: {e}"))?;
    let mut dirs = Vec::new();
    for shape in SHAPES {
        for (pii, size) in [(false, CLEAN_BYTES), (true, DENSE_BYTES)] {
            let dir = tmp.path().join(format!(
                "{}-{}",
                shape.name,
                if pii { "dense" } else { "clean" }
            ));
            write_shape(shape, pii, size, &dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            dirs.push(dir);
        }
    }
    // A first scan pays one-time set-up (lazily built tables): a small dense input of every
    // shape is scanned first, uncounted, so that no shape's line carries it.
    let warm = tmp.path().join("warm-up");
    for shape in SHAPES {
        write_shape(shape, true, 8 << 10, &warm).map_err(|e| format!("{}: {e}", warm.display()))?;
    }
    dirs.insert(0, warm);
    if let Some(keep) = std::env::var_os("LEDGER_WRITE_TO") {
        // Only writes the inputs (for profiling them with callgrind's call graph).
        for d in &dirs {
            let to = Path::new(&keep).join(d.file_name().unwrap_or_default());
            std::fs::create_dir_all(&to).map_err(|e| e.to_string())?;
            for f in std::fs::read_dir(d).map_err(|e| e.to_string())? {
                let f = f.map_err(|e| e.to_string())?.path();
                std::fs::copy(&f, to.join(f.file_name().unwrap_or_default()))
                    .map_err(|e| e.to_string())?;
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut costs = measure_here(&dirs, pmu.as_mut())?;
    if counter == Counter::Callgrind {
        for (c, n) in costs.iter_mut().zip(measure_callgrind(&dirs, tmp.path())?) {
            c.instructions = n;
        }
    }
    costs.remove(0);
    let lines: Vec<(&str, Line)> = SHAPES
        .iter()
        .zip(costs.chunks(2))
        .map(|(s, c)| {
            (
                s.name,
                Line {
                    clean: c[0],
                    dense: c[1],
                },
            )
        })
        .collect();
    println!("instructions counted with {}", counter.name());
    let over = print_table(&lines, budgets.as_ref());
    if update {
        let path = budget_file();
        std::fs::write(&path, render_budgets(&lines, counter))
            .map_err(|e| format!("writing {}: {e}", path.display()))?;
        eprintln!("ledger: wrote {}", path.display());
    }
    if check {
        if over.is_empty() {
            eprintln!(
                "ledger: every shape within {:.0}% of its budget",
                TOLERANCE * 100.0
            );
        } else {
            eprintln!(
                "ledger: over budget by more than {:.0}%: {} (a deliberate cost? re-measure with \
                 --update in CI's profile and say why in the commit)",
                TOLERANCE * 100.0,
                over.join(", ")
            );
            return Ok(ExitCode::from(EXIT_OVER));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints the ledger (and the budgets, if given); returns what is over budget.
fn print_table(lines: &[(&str, Line)], budgets: Option<&Budgets>) -> Vec<String> {
    let mut over = Vec::new();
    println!(
        "| shape | clean bytes | clean findings | instr/byte | ns/byte | dense bytes | findings | instr/finding | ns/finding |{}",
        if budgets.is_some() {
            " budget instr/byte | budget instr/finding |"
        } else {
            ""
        }
    );
    println!(
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|{}",
        if budgets.is_some() { "---:|---:|" } else { "" }
    );
    for (name, l) in lines {
        let (ipb, ipf) = (l.instr_per_byte(), l.instr_per_finding());
        let mut row = format!(
            "| {name} | {} | {} | {ipb:.1} | {:.2} | {} | {} | {ipf:.0} | {:.0} |",
            l.clean.bytes,
            l.clean.findings,
            l.ns_per_byte(),
            l.dense.bytes,
            l.dense.findings,
            l.ns_per_finding()
        );
        if let Some(b) = budgets {
            match b.get(*name) {
                Some(&(bb, bf)) => {
                    let mark = |v: f64, budget: f64, what: &str, over: &mut Vec<String>| {
                        if v > budget * (1.0 + TOLERANCE) {
                            over.push(format!("{name} {what} {v:.1} > {budget:.1}"));
                            " OVER"
                        } else {
                            ""
                        }
                    };
                    let m1 = mark(ipb, bb, "instr/byte", &mut over);
                    let m2 = mark(ipf, bf, "instr/finding", &mut over);
                    let _ = write!(row, " {bb:.1}{m1} | {bf:.0}{m2} |");
                }
                None => {
                    over.push(format!("{name} (no budget)"));
                    row.push_str(" — | — |");
                }
            }
        }
        println!("{row}");
    }
    over
}

// ---------------------------------------------------------------------------------------------
// Inputs: seeded, all fake (reserved domains, fiction phone ranges, TEST-NET addresses,
// published test cards)

/// One input shape: its files, clean or dense.
struct Shape {
    name: &'static str,
    /// Appends one record (one or more lines) to `out`.
    record: fn(&mut Fake, bool, &mut String),
    /// What a file starts with (header, dump preamble), and its extension.
    head: fn(bool) -> &'static str,
    /// What a file ends with (a COPY block's terminator).
    tail: &'static str,
    ext: &'static str,
    /// Bytes per file: the input is cut into files of this size.
    file_bytes: usize,
    /// Records per line (extended INSERT lines hold many tuples).
    per_line: usize,
}

const SHAPES: &[Shape] = &[
    Shape {
        name: "csv",
        record: csv_record,
        head: csv_head,
        tail: "",
        ext: "csv",
        file_bytes: 64 << 10,
        per_line: 1,
    },
    Shape {
        name: "ndjson",
        record: ndjson_record,
        head: |_| "",
        tail: "",
        ext: "ndjson",
        file_bytes: 64 << 10,
        per_line: 1,
    },
    Shape {
        name: "pgdump",
        record: pg_record,
        head: pg_head,
        tail: "\\.\n",
        ext: "sql",
        file_bytes: 64 << 10,
        per_line: 1,
    },
    Shape {
        name: "mysqldump",
        record: mysql_record,
        head: mysql_head,
        tail: "",
        ext: "sql",
        file_bytes: 64 << 10,
        per_line: 400,
    },
    Shape {
        name: "app-log",
        record: app_log_record,
        head: |_| "",
        tail: "",
        ext: "log",
        file_bytes: 64 << 10,
        per_line: 1,
    },
    Shape {
        name: "access-log",
        record: access_log_record,
        head: |_| "",
        tail: "",
        ext: "log",
        file_bytes: 64 << 10,
        per_line: 1,
    },
    Shape {
        name: "prose",
        record: prose_record,
        head: |_| "",
        tail: "",
        ext: "txt",
        file_bytes: 32 << 10,
        per_line: 1,
    },
    Shape {
        name: "code",
        record: code_record,
        head: |_| "",
        tail: "",
        ext: "py",
        file_bytes: 16 << 10,
        per_line: 1,
    },
];

fn write_shape(shape: &Shape, pii: bool, total: usize, dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let seed = shape.name.bytes().fold(26u64, |h, b| h * 31 + u64::from(b)) + u64::from(pii);
    let mut fake = Fake {
        rng: ChaCha8Rng::seed_from_u64(seed),
        id: 0,
    };
    let (mut written, mut n) = (0, 0);
    while written < total {
        let mut text = String::from((shape.head)(pii));
        while text.len() < shape.file_bytes.min(total - written) {
            if shape.per_line > 1 {
                mysql_line(&mut fake, pii, shape, &mut text);
            } else {
                (shape.record)(&mut fake, pii, &mut text);
            }
        }
        text.push_str(shape.tail);
        written += text.len();
        let file = format!("{}-{}-{n:03}.{}", shape.name, pii as u8, shape.ext);
        std::fs::write(dir.join(file), text)?;
        n += 1;
    }
    Ok(())
}

const FIRST: &[&str] = &[
    "Olivia", "Noah", "Aroha", "Priya", "Mei", "Omar", "James", "Lucia", "Harper", "Wiremu",
    "Fatima", "Mateo", "Grace", "Hiroshi", "Chloe", "Liam",
];
const LAST: &[&str] = &[
    "Smith", "Nguyen", "Tan", "Patel", "Singh", "Kim", "Lee", "Wilson", "Garcia", "Brown", "Walsh",
    "Fraser", "Costa", "Murphy", "Evans", "Chen",
];
const DOMAINS: &[&str] = &[
    "example.com",
    "example.org",
    "example.net",
    "mail.example.com",
];
const WORDS: &[&str] = &[
    "the",
    "of",
    "and",
    "to",
    "in",
    "is",
    "that",
    "for",
    "order",
    "delivery",
    "refund",
    "invoice",
    "update",
    "request",
    "please",
    "thanks",
    "team",
    "week",
    "today",
    "since",
    "still",
    "again",
    "received",
    "missing",
    "item",
    "package",
    "store",
    "account",
    "issue",
    "resolved",
    "pending",
    "approval",
    "statement",
    "checked",
    "confirmed",
    "sorry",
    "understand",
    "shift",
    "roster",
];
const PRODUCTS: &[&str] = &[
    "Desk Lamp",
    "Kettle",
    "Backpack",
    "Notebook A5",
    "Water Bottle",
    "Headphones",
    "Phone Case",
    "Yoga Mat",
    "Coffee Beans 1kg",
    "USB-C Cable",
];
const CARDS: &[&str] = &[
    "4111111111111111",
    "4242424242424242",
    "5555555555554444",
    "5105105105105100",
    "378282246310005",
    "6011111111111117",
];

/// Seeded generator of fake values.
struct Fake {
    rng: ChaCha8Rng,
    id: u64,
}

impl Fake {
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.rng.gen_range(0..from.len())]
    }
    fn n(&mut self, r: std::ops::Range<u64>) -> u64 {
        self.rng.gen_range(r)
    }
    fn next_id(&mut self) -> u64 {
        self.id += 1;
        self.id
    }
    fn name(&mut self) -> (&'static str, &'static str) {
        (self.pick(FIRST), self.pick(LAST))
    }
    fn email(&mut self, f: &str, l: &str) -> String {
        let d = self.pick(DOMAINS);
        format!(
            "{}.{}{}@{d}",
            f.to_ascii_lowercase(),
            l.to_ascii_lowercase(),
            self.n(0..1000)
        )
    }
    /// A phone number from the ranges kept for fiction (AU 0491 570 xxx, (0x) 5550 xxxx).
    fn phone(&mut self) -> String {
        match self.n(0..3) {
            0 => format!("0491 570 {:03}", self.n(0..1000)),
            1 => format!("+61 491 570 {:03}", self.n(0..1000)),
            _ => format!("(02) 5550 {:04}", self.n(0..10000)),
        }
    }
    fn dob(&mut self) -> String {
        format!(
            "{}-{:02}-{:02}",
            self.n(1940..2005),
            self.n(1..13),
            self.n(1..29)
        )
    }
    /// An address from TEST-NET-1..3 (RFC 5737).
    fn ip(&mut self) -> String {
        let net = self.pick(&["192.0.2", "198.51.100", "203.0.113"]);
        format!("{net}.{}", self.n(1..255))
    }
    fn uuid(&mut self) -> String {
        let a = self.rng.r#gen::<u128>();
        let h = format!("{a:032x}");
        format!(
            "{}-{}-{}-{}-{}",
            &h[..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..]
        )
    }
    fn timestamp(&mut self) -> String {
        format!(
            "2024-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            self.n(1..13),
            self.n(1..29),
            self.n(0..24),
            self.n(0..60),
            self.n(0..60)
        )
    }
    fn words(&mut self, n: usize, out: &mut String) {
        for i in 0..n {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(self.pick(WORDS));
        }
    }
    /// A price, a quantity, an epoch-millisecond time and a `d.d.d.d` build: the numbers every
    /// shape carries, PII or not.
    fn numbers(&mut self) -> String {
        format!(
            "{}.{:02},{},{},{}.{}.{}.{}",
            self.n(1..500),
            self.n(0..100),
            self.n(1..20),
            self.n(1_700_000_000_000..1_735_000_000_000),
            self.n(1..9),
            self.n(0..20),
            self.n(0..10),
            self.n(100..9999)
        )
    }
}

fn csv_head(pii: bool) -> &'static str {
    if pii {
        "customer_id,uuid,first_name,last_name,email,phone,date_of_birth,card_number,ip_address,price,qty,updated_ms,app_version,created_at\n"
    } else {
        "product_id,uuid,product,category,warehouse,bin,batch,sku,status,price,qty,updated_ms,app_version,created_at\n"
    }
}

fn csv_record(f: &mut Fake, pii: bool, out: &mut String) {
    let id = f.next_id();
    let uuid = f.uuid();
    let nums = f.numbers();
    let ts = f.timestamp();
    if pii {
        let (a, b) = f.name();
        let (email, phone, dob, card, ip) =
            (f.email(a, b), f.phone(), f.dob(), f.pick(CARDS), f.ip());
        let _ = writeln!(
            out,
            "{id},{uuid},{a},{b},{email},{phone},{dob},{card},{ip},{nums},{ts}"
        );
    } else {
        let p = f.pick(PRODUCTS);
        let (wh, bin, batch, sku) = (
            f.n(1..40),
            f.n(100..999),
            f.n(10_000..99_999),
            f.n(100_000..999_999),
        );
        let _ = writeln!(
            out,
            "{id},{uuid},{p},home,WH-{wh},B{bin},{batch},SKU-{sku},active,{nums},{ts}"
        );
    }
}

fn ndjson_record(f: &mut Fake, pii: bool, out: &mut String) {
    let (id, uuid, ts) = (f.next_id(), f.uuid(), f.timestamp());
    let (ms, qty) = (f.n(1..900), f.n(1..9));
    if pii {
        let (a, b) = f.name();
        let (email, phone, ip) = (f.email(a, b), f.phone(), f.ip());
        let _ = writeln!(
            out,
            r#"{{"event":"order.created","id":{id},"trace":"{uuid}","ts":"{ts}","user":{{"name":"{a} {b}","email":"{email}","phone":"{phone}"}},"client":{{"ip":"{ip}","latency_ms":{ms}}},"order":{{"qty":{qty},"sku":"SKU-{id}"}}}}"#
        );
    } else {
        let p = f.pick(PRODUCTS);
        let status = f.pick(&["ok", "retry", "timeout"]);
        let _ = writeln!(
            out,
            r#"{{"event":"stock.updated","id":{id},"trace":"{uuid}","ts":"{ts}","item":{{"product":"{p}","status":"{status}"}},"worker":{{"shard":{qty},"latency_ms":{ms}}},"order":{{"qty":{qty},"sku":"SKU-{id}"}}}}"#
        );
    }
}

fn pg_head(pii: bool) -> &'static str {
    if pii {
        "--\n-- PostgreSQL database dump\n--\n\nCREATE TABLE public.customers (id integer, full_name text, email text, phone text, date_of_birth date, created_at timestamptz);\n\nCOPY public.customers (id, full_name, email, phone, date_of_birth, created_at) FROM stdin;\n"
    } else {
        "--\n-- PostgreSQL database dump\n--\n\nCREATE TABLE public.stock (id integer, product text, sku text, warehouse text, qty integer, created_at timestamptz);\n\nCOPY public.stock (id, product, sku, warehouse, qty, created_at) FROM stdin;\n"
    }
}

fn pg_record(f: &mut Fake, pii: bool, out: &mut String) {
    let (id, ts) = (f.next_id(), f.timestamp());
    if pii {
        let (a, b) = f.name();
        let (email, phone, dob) = (f.email(a, b), f.phone(), f.dob());
        let _ = writeln!(out, "{id}\t{a} {b}\t{email}\t{phone}\t{dob}\t{ts}");
    } else {
        let p = f.pick(PRODUCTS);
        let (sku, wh, qty) = (f.n(100_000..999_999), f.n(1..40), f.n(0..500));
        let _ = writeln!(out, "{id}\t{p}\tSKU-{sku}\tWH-{wh}\t{qty}\t{ts}");
    }
}

fn mysql_head(pii: bool) -> &'static str {
    if pii {
        "-- MySQL dump 10.13  Distrib 8.0.36\nCREATE TABLE `members` (`id` int, `full_name` varchar(100), `email` varchar(200), `phone` varchar(40), `dob` date, `card` varchar(20));\n"
    } else {
        "-- MySQL dump 10.13  Distrib 8.0.36\nCREATE TABLE `stock` (`id` int, `product` varchar(100), `sku` varchar(20), `warehouse` varchar(20), `qty` int, `updated_ms` bigint);\n"
    }
}

fn mysql_record(f: &mut Fake, pii: bool, out: &mut String) {
    let id = f.next_id();
    if pii {
        let (a, b) = f.name();
        let (email, phone, dob, card) = (f.email(a, b), f.phone(), f.dob(), f.pick(CARDS));
        let _ = write!(out, "({id},'{a} {b}','{email}','{phone}','{dob}','{card}')");
    } else {
        let p = f.pick(PRODUCTS);
        let (sku, wh, qty) = (f.n(100_000..999_999), f.n(1..40), f.n(0..500));
        let ms = f.n(1_700_000_000_000..1_735_000_000_000);
        let _ = write!(out, "({id},'{p}','SKU-{sku}','WH-{wh}',{qty},{ms})");
    }
}

/// One extended INSERT line of `shape.per_line` tuples.
fn mysql_line(f: &mut Fake, pii: bool, shape: &Shape, out: &mut String) {
    out.push_str(if pii {
        "INSERT INTO `members` VALUES "
    } else {
        "INSERT INTO `stock` VALUES "
    });
    for i in 0..shape.per_line {
        if i > 0 {
            out.push(',');
        }
        (shape.record)(f, pii, out);
    }
    out.push_str(";\n");
}

fn app_log_record(f: &mut Fake, pii: bool, out: &mut String) {
    let ts = f.timestamp();
    let (id, ms) = (f.next_id(), f.n(1..900));
    let thread = f.n(1..17);
    if f.n(0..20) == 0 {
        let _ = writeln!(
            out,
            "{ts} ERROR [http-nio-8080-exec-{thread}] c.e.shop.OrderService - order {id} failed\n\
             java.lang.IllegalStateException: stock changed under order {id}\n\
             \tat com.example.shop.OrderService.reserve(OrderService.java:{ms})\n\
             \tat com.example.shop.OrderController.create(OrderController.java:88)\n\
             Caused by: java.sql.SQLTransientException: lock wait timeout after {ms} ms"
        );
        return;
    }
    if pii {
        let (a, b) = f.name();
        let (email, phone, ip) = (f.email(a, b), f.phone(), f.ip());
        let _ = writeln!(
            out,
            "{ts} INFO  [http-nio-8080-exec-{thread}] c.e.shop.AuthService - login ok user={email} phone={phone} from {ip} in {ms} ms"
        );
    } else {
        let p = f.pick(PRODUCTS);
        let _ = writeln!(
            out,
            "{ts} INFO  [http-nio-8080-exec-{thread}] c.e.shop.StockService - reserved item {id} ({p}) shard={thread} in {ms} ms"
        );
    }
}

fn access_log_record(f: &mut Fake, pii: bool, out: &mut String) {
    let (id, ms, size) = (f.next_id(), f.n(1..900), f.n(200..90_000));
    let day = f.n(1..29);
    let (h, m, s) = (f.n(0..24), f.n(0..60), f.n(0..60));
    let status = f.pick(&["200", "200", "304", "404", "500"]);
    // A PII-free access log: requests through a unix socket (no client address), no user query.
    let (addr, query) = if pii {
        let (a, b) = f.name();
        (f.ip(), format!("?email={}", f.email(a, b)))
    } else {
        ("unix:".to_string(), format!("?page={}", f.n(1..50)))
    };
    let _ = writeln!(
        out,
        "{addr} - - [{day:02}/Mar/2024:{h:02}:{m:02}:{s:02} +0000] \"GET /api/v2/orders/{id}{query} HTTP/1.1\" {status} {size} \"-\" \"Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0\" 0.{ms:03}"
    );
}

fn prose_record(f: &mut Fake, pii: bool, out: &mut String) {
    let n = f.n(12..40) as usize;
    f.words(n, out);
    if pii {
        let (a, b) = f.name();
        let (email, phone, dob) = (f.email(a, b), f.phone(), f.dob());
        let _ = write!(
            out,
            ". Customer {a} {b} (email {email}, mobile {phone}, date of birth {dob}) asked again"
        );
    } else {
        let _ = write!(
            out,
            ". Ticket {} was updated by the support team",
            f.n(10_000..99_999)
        );
    }
    out.push_str(".\n");
    if f.n(0..4) == 0 {
        out.push('\n');
    }
}

fn code_record(f: &mut Fake, pii: bool, out: &mut String) {
    let id = f.next_id();
    let (a, b) = (f.n(0..100_000), f.n(1..64));
    let _ = writeln!(
        out,
        "def handle_{id}(request, retries={b}):\n    total = request.count * {a}\n    if total > LIMIT_{b}:\n        raise ValueError(\"over limit: %d\" % total)"
    );
    if pii {
        let (x, y) = f.name();
        let (email, phone) = (f.email(x, y), f.phone());
        let _ = writeln!(
            out,
            "    fixture = {{\"name\": \"{x} {y}\", \"email\": \"{email}\", \"phone\": \"{phone}\"}}"
        );
    } else {
        let _ = writeln!(
            out,
            "    fixture = {{\"name\": \"widget\", \"version\": \"{}.{}.{}\"}}",
            f.n(0..9),
            f.n(0..30),
            f.n(0..99)
        );
    }
    out.push_str("    return total\n\n");
}
