//! The scan glue: one input's bytes → decoded text → format cells → engine hits → findings.
//!
//! This is the only module that sees both formats and detectors, and the place where a raw
//! value becomes a [`Finding`]: its text is masked and fingerprinted here and then dropped.
//! A panic while scanning one input is caught and reported as an internal error for that input,
//! so one bad file never ends the run.

pub mod batch;
pub mod bucket;
pub mod cache;
pub mod collect;
pub mod db;
pub mod memo;
pub mod outcome;
pub mod shard;
pub mod spool;
pub mod unpack;
pub mod walk;

use std::collections::HashSet;
use std::io::Read;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use crate::detect::columns::{Admit, Columns};
use crate::detect::names::{self, FieldNames};
use crate::detect::{Engine, Hit, Scratch};
use crate::finding::{Confidence, Finding, Fingerprinter, mask_shared};
use crate::formats::{self, Cell, CellSink};
use crate::input::decode::{Decoder, Sniffed};
pub use crate::scan::batch::Prepared;
use crate::scan::batch::{Batch, Helper, Prepare};
pub use crate::scan::outcome::{InputReport, Status};
use crate::scan::unpack::Members;

/// Options that change what a scan reports.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Put raw values in `masked` (the user asked with `--reveal`).
    pub reveal: bool,
    /// Attach the engine's reasoning to each finding.
    pub explain: bool,
    /// Drop findings below this confidence.
    pub min_confidence: Confidence,
    /// Accepted values: never reported, counted in [`InputReport::suppressed`].
    pub allow: Allow,
    /// Share an input's detection with a helper thread once it has produced this much text
    /// (see [`crate::scan::batch`]); `None` for `-j1`, which promises one thread.
    pub split_after: Option<usize>,
    /// Inputs the walk scans at once (its thread count). A helper thread is started only while
    /// fewer inputs than this are being scanned, that is when a core would otherwise idle: with
    /// every walker busy, a helper only adds a thread that warms up its own caches (measured on
    /// twelve 10 MB files, `-j2`: 0.47 s with a helper per file, 0.43 s without).
    pub parallel_inputs: usize,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            reveal: false,
            explain: false,
            min_confidence: Confidence::Medium,
            allow: Allow::default(),
            split_after: Some(crate::scan::batch::PARALLEL_AFTER),
            parallel_inputs: default_parallel_inputs(),
        }
    }
}

/// The marker that suppresses every finding on its line, in any comment syntax.
pub const INLINE_ALLOW: &[u8] = b"piiscan:allow";

/// A searcher for [`INLINE_ALLOW`], built once: `memmem::find` builds one per call, which cost
/// ~10% of a scan of short CSV cells.
fn inline_allow() -> &'static memchr::memmem::Finder<'static> {
    static F: std::sync::OnceLock<memchr::memmem::Finder<'static>> = std::sync::OnceLock::new();
    F.get_or_init(|| memchr::memmem::Finder::new(INLINE_ALLOW))
}

/// What the scan glue drops before a finding is made. Checked here, on the raw value, because
/// this is the only place the raw value exists.
#[derive(Debug, Clone, Default)]
pub struct Allow {
    /// Honour `piiscan:allow` anywhere on a finding's line.
    pub inline: bool,
    /// Value patterns (e.g. `@example\.com$`), matched against the value as written and its
    /// normalised form.
    pub values: Option<regex::RegexSet>,
    /// Keyed fingerprints (hex) of accepted values.
    pub fingerprints: Arc<HashSet<String>>,
}

/// Receives chunks of an input's findings while the input is still being scanned (see
/// [`Scanner::with_spill`]): the input's display path and the findings.
pub type Spill = Arc<dyn Fn(&Arc<str>, Vec<Finding>) + Send + Sync>;

/// Findings an input may hold before a chunk is handed to the [`Spill`].
pub const SPILL_AT: usize = 16 * 1024;

/// Scans inputs with one engine and fingerprint key. Shared by all threads.
pub struct Scanner {
    engine: Engine,
    fingerprinter: Fingerprinter,
    opts: ScanOptions,
    spill: Option<Spill>,
    /// Bytes read so far of the inputs being scanned, for a progress display
    /// ([`Scanner::with_progress`]).
    progress: Option<Arc<AtomicU64>>,
    /// Detector ids, shared by every finding (one allocation per detector, not per finding).
    detector_ids: Vec<Arc<str>>,
    /// Inputs being scanned right now, by any thread (see [`ScanOptions::parallel_inputs`]).
    active: AtomicUsize,
}

impl std::fmt::Debug for Scanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scanner")
            .field("engine", &self.engine)
            .field("opts", &self.opts)
            .field("spill", &self.spill.is_some())
            .finish_non_exhaustive()
    }
}

/// What the walk uses for "all cores" (the `ignore` crate: available parallelism, at most 12).
pub fn default_parallel_inputs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(12))
}

/// Counts an input as being scanned while it lives (see [`ScanOptions::parallel_inputs`]).
struct Active<'a>(&'a AtomicUsize);

impl<'a> Active<'a> {
    fn enter(n: &'a AtomicUsize) -> Active<'a> {
        n.fetch_add(1, Ordering::Relaxed);
        Active(n)
    }
}

impl Drop for Active<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Scanner {
    /// A scanner over `engine`, fingerprinting with `fingerprinter`.
    pub fn new(engine: Engine, fingerprinter: Fingerprinter, opts: ScanOptions) -> Scanner {
        let detector_ids = engine
            .specs()
            .iter()
            .map(|s| Arc::from(s.id.as_str()))
            .collect();
        Scanner {
            engine,
            fingerprinter,
            opts,
            spill: None,
            progress: None,
            detector_ids,
            active: AtomicUsize::new(0),
        }
    }

    /// The options it scans with.
    pub fn options(&self) -> &ScanOptions {
        &self.opts
    }

    /// Prepares `hit`, a hit in the cell `text` (see [`Prepared`]). Here the raw value exists
    /// for the last time: it is matched against the value allowlist, then only its mask (or,
    /// under `--reveal`, itself) and its keyed fingerprint are kept.
    ///
    /// Computed for every finding, not memoised per distinct value: with the CPU's SHA
    /// extensions an HMAC costs about 0.2 µs, and a per-input memo of fingerprints and masks
    /// (two hash tables, a key copy per new value) made the c100 corpus's dense shapes slower
    /// natively (`docs/performance.md`, "Per-finding path").
    pub fn prepare(&self, text: &[u8], hit: &Hit) -> Prepared {
        let kind = self.engine.specs()[hit.detector as usize].kind;
        let raw = &text[hit.start..hit.end];
        if let Some(values) = &self.opts.allow.values
            && (values.is_match(&String::from_utf8_lossy(raw)) || values.is_match(&hit.normalised))
        {
            return Prepared {
                allowed_value: true,
                ..Prepared::default()
            };
        }
        let placeholder = {
            use crate::finding::Kind;
            use crate::validate::placeholder as ph;
            match kind {
                Kind::Email => ph::email(&hit.normalised),
                Kind::CreditCard => ph::credit_card(&hit.normalised),
                Kind::DateOfBirth => ph::date_of_birth(&hit.normalised),
                _ => false,
            }
        };
        let fingerprint = self.fingerprinter.fingerprint_shared(kind, &hit.normalised);
        let masked = if self.opts.reveal {
            Arc::from(String::from_utf8_lossy(raw))
        } else {
            mask_shared(kind, &String::from_utf8_lossy(raw))
        };
        Prepared {
            allowed_value: false,
            placeholder,
            fingerprint,
            masked,
        }
    }

    /// Hands an input's findings to `spill` in chunks of [`SPILL_AT`] while the input is
    /// still being scanned, instead of keeping them all until its report is returned; the
    /// report then carries only the rest. Findings a later `piiscan:allow` marker could still
    /// suppress (those on the current line or record) are kept until it is safe.
    pub fn with_spill(mut self, spill: Spill) -> Scanner {
        self.spill = Some(spill);
        self
    }

    /// Adds each block read of a text input to `live` as it is read, and takes the input's
    /// bytes back when it ends (its total is then counted by whoever counts finished inputs),
    /// so a progress display moves within one large input. One relaxed atomic add per block.
    pub fn with_progress(mut self, live: Arc<AtomicU64>) -> Scanner {
        self.progress = Some(live);
        self
    }

    /// The engine (for listing detectors).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The display path of an input named `name` (a path, or an archive member's name): the
    /// values a detector finds in it masked ([`Engine::mask_name`]), so a file named after a
    /// person does not put that person in every report and baseline. Not under `--reveal`
    /// either: the display path is an input's identity in baselines, caches and diffs, and
    /// must not change with a flag. Only for showing: the file is read by its real path.
    pub fn display_name(&self, name: &str, scratch: &mut Scratch) -> Arc<str> {
        match self.engine.mask_name(name, scratch) {
            Some(masked) => Arc::from(masked.as_str()),
            None => Arc::from(name),
        }
    }

    /// Scans one input read from `reader`, reported as `path`. Never panics: a panic inside is
    /// caught and reported as an internal error for this input.
    pub fn scan_reader(
        &self,
        path: Arc<str>,
        reader: &mut dyn Read,
        scratch: &mut Scratch,
    ) -> InputReport {
        let _active = Active::enter(&self.active);
        let result = catch_unwind(AssertUnwindSafe(|| {
            self.scan_text(path.clone(), reader, scratch)
        }));
        match result {
            Ok(report) => report,
            Err(_) => {
                // The scratch may hold half-updated state; start the next input clean.
                *scratch = Scratch::default();
                InputReport::not_scanned(
                    path,
                    Status::Error(
                        "internal error: piiscan panicked on this input (a bug; please report it)"
                            .into(),
                    ),
                )
            }
        }
    }

    /// Scans any input — text, compressed stream or archive — from `src`: one report per input
    /// found (an archive yields one per member). Never panics: a panic inside is caught and
    /// reported as an internal error for this input.
    pub fn scan_source(
        &self,
        path: Arc<str>,
        src: crate::scan::unpack::Source<'_>,
        scratch: &mut Scratch,
    ) -> Vec<InputReport> {
        let _active = Active::enter(&self.active);
        let budget = crate::input::archive::Budget::default();
        let limits = crate::input::archive::Limits::default();
        let mut out = Vec::new();
        let result =
            catch_unwind(AssertUnwindSafe(|| {
                crate::scan::unpack::Unpack::new(self, &limits, &budget, scratch, &mut out)
                    .scan_any(path.clone(), src, 0)
            }));
        if result.is_err() {
            *scratch = Scratch::default();
            out.push(InputReport::not_scanned(
                path,
                Status::Error(
                    "internal error: piiscan panicked on this input (a bug; please report it)"
                        .into(),
                ),
            ));
        }
        out
    }

    /// Scans one text input (already known not to be a container): decode, pick a format,
    /// detect. Panics propagate; callers catch them.
    pub fn scan_text(
        &self,
        path: Arc<str>,
        reader: &mut dyn Read,
        scratch: &mut Scratch,
    ) -> InputReport {
        let mut report = InputReport::not_scanned(path.clone(), Status::Scanned);
        let mut counting;
        let reader: &mut dyn Read = match &self.progress {
            Some(live) => {
                counting = Counting {
                    inner: reader,
                    live,
                    n: 0,
                };
                &mut counting
            }
            None => reader,
        };
        let mut decoder = match Decoder::sniff(reader) {
            Ok(Sniffed::Text(d)) => d,
            Ok(Sniffed::Binary { why }) => {
                report.status = Status::Skipped(why.to_string());
                return report;
            }
            Err(e) => {
                report.status = Status::Error(format!("read error: {e}"));
                return report;
            }
        };
        report.encoding = Some(decoder.encoding().as_str().to_string());
        let head = match std::io::BufRead::fill_buf(&mut decoder) {
            Ok(h) => h,
            Err(e) => {
                report.status = Status::Error(format!("read error: {e}"));
                return report;
            }
        };
        let format = formats::sniff(&path, head);
        report.format = Some(format.name().to_string());
        // A helper thread is only started once the input proves large (see `batch`); the scope
        // joins it before the input's report is returned, and carries its panic, if any, to the
        // caller's catch_unwind (an internal error for this input).
        std::thread::scope(|sc| {
            let mut start = || {
                let (to, rx) = std::sync::mpsc::channel();
                let (tx, from) = std::sync::mpsc::channel();
                sc.spawn(move || crate::scan::batch::helper_loop(self, rx, tx));
                Helper { to, from }
            };
            let mut sink = FindingSink::new(self, path, scratch, false);
            if self.opts.split_after.is_some() {
                sink.start_helper = Some(&mut start);
            }
            let result = format.scan(&mut decoder, &mut sink);
            sink.finish(&mut report, result);
        });
        report.bytes = decoder.raw_bytes();
        report
    }

    /// Scans one input whose cells come from `produce` rather than from decoded text (SQLite
    /// databases and spreadsheets, see [`formats::table`]), reported as `path` with format
    /// `format` and `bytes` raw bytes. Inline `piiscan:allow` markers suppress the findings of
    /// their record (row). Panics propagate; callers catch them.
    pub fn scan_cells(
        &self,
        path: Arc<str>,
        format: &str,
        bytes: u64,
        produce: &mut dyn FnMut(
            &mut dyn CellSink,
        ) -> Result<formats::FormatStats, formats::FormatError>,
        scratch: &mut Scratch,
    ) -> InputReport {
        let mut report = InputReport::not_scanned(path.clone(), Status::Scanned);
        report.format = Some(format.to_string());
        report.bytes = bytes;
        let mut sink = FindingSink::new(self, path, scratch, true);
        let result = produce(&mut sink);
        sink.finish(&mut report, result);
        report
    }
}

impl Prepare for Scanner {
    fn engine(&self) -> &Engine {
        &self.engine
    }
    fn explain(&self) -> bool {
        self.opts.explain
    }
    fn prepare(&self, text: &[u8], hit: &Hit) -> Prepared {
        Scanner::prepare(self, text, hit)
    }
}

impl Members for Scanner {
    fn display_name(&self, name: &str, scratch: &mut Scratch) -> Arc<str> {
        Scanner::display_name(self, name, scratch)
    }
    fn scan_text(
        &self,
        path: Arc<str>,
        reader: &mut dyn Read,
        scratch: &mut Scratch,
    ) -> InputReport {
        Scanner::scan_text(self, path, reader, scratch)
    }
    fn scan_cells(
        &self,
        path: Arc<str>,
        format: &str,
        bytes: u64,
        produce: &mut dyn FnMut(
            &mut dyn CellSink,
        ) -> Result<formats::FormatStats, formats::FormatError>,
        scratch: &mut Scratch,
    ) -> InputReport {
        Scanner::scan_cells(self, path, format, bytes, produce, scratch)
    }
}

/// A reader that counts what it reads into a progress counter, and takes it back when dropped
/// (see [`Scanner::with_progress`]).
struct Counting<'a> {
    inner: &'a mut dyn Read,
    live: &'a AtomicU64,
    n: u64,
}

impl Read for Counting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let k = self.inner.read(buf)?;
        self.live.fetch_add(k as u64, Ordering::Relaxed);
        self.n += k as u64;
        Ok(k)
    }
}

impl Drop for Counting<'_> {
    fn drop(&mut self) {
        self.live.fetch_sub(self.n, Ordering::Relaxed);
    }
}

struct FindingSink<'a> {
    scanner: &'a Scanner,
    path: Arc<str>,
    scratch: &'a mut Scratch,
    hits: Vec<Hit>,
    findings: Vec<Finding>,
    /// `findings` may grow to this before [`FindingSink::spill_before`] is tried again (see
    /// there: why it grows with what the last try had to keep).
    spill_at: usize,
    /// Lines holding [`INLINE_ALLOW`]; their findings are dropped when the input ends (the
    /// marker may come after the finding, e.g. in a later CSV cell or a trailing comment).
    allow_lines: Vec<u64>,
    /// Whether `allow_lines` holds record ids instead of lines (table files, where lines, i.e.
    /// row numbers, repeat across tables and sheets).
    allow_by_record: bool,
    suppressed: u64,
    /// Per-field value statistics; holds low hits until their field is decided (`None`: a held
    /// hit an allowlist suppresses, counted only if its field is classified).
    columns: Columns<Option<Finding>>,
    /// Cell text seen so far (until detection is shared).
    seen: usize,
    /// Starts the helper thread for a large input (see [`crate::scan::batch`]).
    start_helper: Option<&'a mut dyn FnMut() -> Helper>,
    /// Batches, once detection is shared.
    par: Option<Par>,
    /// Display names of the fields that hold values.
    names: FieldNames,
    /// The input's field names, one shared copy each.
    fields: crate::scan::memo::Interned,
    /// Address and length of the format's current block (see [`CellSink::block`]): a cell
    /// whose text lies inside it is scanned with the block pass's results. Valid only
    /// until the format's next refill, which calls `block` again, or the input's end.
    block: Option<(usize, usize)>,
}

/// The batches of a large input (see [`crate::scan::batch`]).
struct Par {
    helper: Helper,
    filling: Batch,
    spare: Vec<Batch>,
    /// Batches not yet finished, in input order: detected here (`Some`) or with the helper
    /// (`None`: its results come back in the order sent).
    queue: std::collections::VecDeque<Option<Batch>>,
}

/// Batches the helper may hold at once; beyond that the scanning thread detects the next one
/// itself, so neither thread waits for the other while there is work.
const HELPER_DEPTH: usize = 2;
/// Batches waiting to be finished before the scanning thread blocks on the helper (bounds
/// memory: each is about `batch::BATCH_BYTES`).
const MAX_QUEUED: usize = 4;

impl<'a> FindingSink<'a> {
    fn new(
        scanner: &'a Scanner,
        path: Arc<str>,
        scratch: &'a mut Scratch,
        allow_by_record: bool,
    ) -> FindingSink<'a> {
        FindingSink {
            scanner,
            path,
            scratch,
            hits: Vec::new(),
            findings: Vec::new(),
            spill_at: SPILL_AT,
            allow_lines: Vec::new(),
            allow_by_record,
            suppressed: 0,
            columns: Columns::new(),
            seen: 0,
            start_helper: None,
            par: None,
            names: FieldNames::default(),
            fields: Default::default(),
            block: None,
        }
    }

    /// Forgets the format's block: its memory may be freed or reused from now on.
    fn forget_block(&mut self) {
        self.block = None;
        self.scanner.engine.clear_block(self.scratch);
    }

    /// Hands the filling batch to the helper while it has fewer than [`HELPER_DEPTH`], else
    /// detects it here; then finishes, in input order, every batch at the front of the queue
    /// that is ready. `last`: the input has ended — detect the rest here and finish everything.
    fn dispatch(&mut self, last: bool) {
        let Some(mut par) = self.par.take() else {
            return;
        };
        let mut batch = std::mem::replace(&mut par.filling, par.spare.pop().unwrap_or_default());
        if !batch.is_empty() {
            let with_helper = par.queue.iter().filter(|b| b.is_none()).count();
            if with_helper < HELPER_DEPTH && !last {
                match par.helper.to.send(batch) {
                    Ok(()) => par.queue.push_back(None),
                    // The helper is gone (it panicked: the scope re-raises that); do it here.
                    Err(std::sync::mpsc::SendError(mut b)) => {
                        b.detect(self.scanner, self.scratch);
                        par.queue.push_back(Some(b));
                    }
                }
            } else {
                batch.detect(self.scanner, self.scratch);
                par.queue.push_back(Some(batch));
            }
        } else {
            par.spare.push(batch);
        }
        while let Some(front) = par.queue.front_mut() {
            let ready = match front {
                Some(_) => front.take(),
                None => {
                    let block = last || par.queue.len() > MAX_QUEUED;
                    let got = if block {
                        par.helper.from.recv().ok()
                    } else {
                        match par.helper.from.try_recv() {
                            Ok(b) => Some(b),
                            Err(std::sync::mpsc::TryRecvError::Empty) => break,
                            Err(std::sync::mpsc::TryRecvError::Disconnected) => None,
                        }
                    };
                    let Some(b) = got else {
                        // Its batch died with it; the input cannot be reported whole. The
                        // scope re-raises the helper's panic into this input's catch_unwind.
                        panic!("detection helper thread stopped");
                    };
                    Some(b)
                }
            };
            par.queue.pop_front();
            if let Some(mut b) = ready {
                self.finish_batch(&mut b);
                b.clear();
                par.spare.push(b);
            }
        }
        self.par = Some(par);
    }

    fn finish_batch(&mut self, b: &mut Batch) {
        for i in 0..b.len() {
            let (cell, hits, prepared) = b.cell(i);
            self.finish_cell(&cell, hits, Some(prepared));
        }
    }

    /// Applies the inline allow markers and records findings, suppressions and the result.
    fn finish(
        mut self,
        report: &mut InputReport,
        result: Result<formats::FormatStats, formats::FormatError>,
    ) {
        self.forget_block();
        self.dispatch(true);
        let FindingSink {
            mut findings,
            mut allow_lines,
            mut suppressed,
            allow_by_record,
            columns,
            ..
        } = self;
        let (released, held_suppressed, columns) = columns.finish_held();
        findings.extend(released);
        suppressed += held_suppressed;
        report.columns = (!columns.is_empty()).then(|| Box::new(columns));
        if !allow_lines.is_empty() {
            allow_lines.sort_unstable();
            allow_lines.dedup();
            let before = findings.len();
            findings.retain(|f| {
                let key = if allow_by_record {
                    f.record.unwrap_or(f.line)
                } else {
                    f.line
                };
                allow_lines.binary_search(&key).is_err()
            });
            suppressed += (before - findings.len()) as u64;
        }
        report.findings = findings;
        report.suppressed = suppressed;
        match result {
            Ok(stats) => report.records = stats.records,
            Err(e) => report.status = Status::Error(e.to_string()),
        }
    }

    fn note_allow_markers(&mut self, cell: &Cell<'_>) {
        if self.allow_by_record {
            if let Some(record) = cell.record
                && inline_allow().find(cell.text).is_some()
            {
                self.allow_lines.push(record);
            }
            return;
        }
        let mut from = 0;
        let mut line = cell.line;
        for at in inline_allow().find_iter(cell.text) {
            line += memchr::memchr_iter(b'\n', &cell.text[from..at]).count() as u64;
            from = at;
            if self.allow_lines.last() != Some(&line) {
                self.allow_lines.push(line);
            }
        }
    }
}

impl CellSink for FindingSink<'_> {
    fn block(&mut self, block: &[u8]) {
        // Batched cells are copies made for the helper thread, never slices of a block.
        if self.par.is_some() {
            return;
        }
        self.scanner.engine.set_block(block, self.scratch);
        self.block = Some((block.as_ptr() as usize, block.len()));
    }

    fn cell(&mut self, cell: &Cell<'_>) {
        // A field whose name holds a value (a map keyed by email address) is shown, counted
        // and detected under its display name, never its raw one (see `detect::names`).
        let renamed = match cell.field {
            Some(f) if names::may_hold_value(f.as_bytes()) => {
                self.names.get(&self.scanner.engine, f, self.scratch)
            }
            _ => None,
        };
        let named;
        let cell = match &renamed {
            Some(n) => {
                named = Cell {
                    field: Some(n),
                    ..cell.clone()
                };
                &named
            }
            None => cell,
        };
        if self.par.is_none() && self.start_helper.is_some() {
            self.seen += cell.text.len();
            let opts = &self.scanner.opts;
            if self.seen >= opts.split_after.unwrap_or(usize::MAX)
                && self.scanner.active.load(Ordering::Relaxed) < opts.parallel_inputs
                && let Some(start) = self.start_helper.take()
            {
                // Batched cells are copies: no block pass for them.
                self.forget_block();
                self.par = Some(Par {
                    helper: start(),
                    filling: Batch::default(),
                    spare: Vec::new(),
                    queue: std::collections::VecDeque::new(),
                });
            }
        }
        if let Some(par) = &mut self.par {
            par.filling.push(cell);
            if par.filling.full() {
                self.dispatch(false);
            }
            return;
        }
        let s = self.scanner;
        let mut hits = std::mem::take(&mut self.hits);
        hits.clear();
        // A cell cut from the current block is scanned with what the block pass found.
        let at = self.block.and_then(|(start, len)| {
            let p = cell.text.as_ptr() as usize;
            (p >= start && p + cell.text.len() <= start + len).then(|| p - start)
        });
        s.engine.scan_in_block(
            at,
            cell.text,
            cell.field,
            cell.accept.clone(),
            s.opts.explain,
            self.scratch,
            &mut hits,
        );
        self.finish_cell(cell, &hits, None);
        self.hits = hits;
    }
}

impl FindingSink<'_> {
    /// Everything after detection for one cell, in input order: inline allow markers, column
    /// statistics, findings (masked, fingerprinted), and handing chunks on.
    /// `prepared`: the hits' [`Prepared`] parts when another thread made them.
    fn finish_cell(
        &mut self,
        cell: &Cell<'_>,
        hits: &[Hit],
        mut prepared: Option<&mut [Prepared]>,
    ) {
        let s = self.scanner;
        if s.opts.allow.inline {
            self.note_allow_markers(cell);
        }
        // A column classified by its values' shape (`detect::columns`): the value is scanned
        // again under the kind's header, and that scan's hits stand for the first's.
        let mut rescan = None;
        if let Some(f) = cell.field {
            let specs = s.engine.specs();
            let kinds = hits
                .iter()
                .map(|h| (specs[h.detector as usize].kind, h.start..h.end));
            self.columns.observe(f, cell.text, kinds.clone());
            rescan = self.columns.rescan(f, cell.text, kinds);
        }
        let again;
        let hits = match rescan {
            Some(r) => {
                let mut v = Vec::new();
                let accept = cell.accept.clone();
                s.engine.scan(
                    cell.text,
                    Some(r.header),
                    accept,
                    s.opts.explain,
                    self.scratch,
                    &mut v,
                );
                prepared = None;
                again = v;
                &again[..]
            }
            None => hits,
        };
        if hits.is_empty() {
            return;
        }
        let field = cell.field.map(|f| self.fields.get(f));
        // Walk forward through the cell once, counting newlines up to each hit.
        let (mut pos, mut line, mut line_start) = (0usize, cell.line, None::<usize>);
        for (i, hit) in hits.iter().enumerate() {
            let kind = s.engine.specs()[hit.detector as usize].kind;
            let (span, min) = (hit.start..hit.end, s.opts.min_confidence);
            let admit = match (rescan, cell.field) {
                (Some(r), Some(f)) if r.kind == kind => {
                    self.columns.admit_rescanned(f, kind, hit.confidence, min)
                }
                _ => self
                    .columns
                    .admit(cell.field, cell.text, span, kind, hit.confidence, min),
            };
            let confidence = match admit {
                Admit::Report(c) | Admit::Hold(c) => c,
                Admit::Drop => continue,
            };
            let seg = &cell.text[pos..hit.start];
            let nls = memchr::memchr_iter(b'\n', seg).count();
            if nls > 0 {
                line += nls as u64;
                line_start = memchr::memrchr(b'\n', seg).map(|p| pos + p + 1);
            }
            pos = hit.start;
            let column = match line_start {
                Some(ls) => (hit.start - ls) as u64 + 1,
                None => cell.column + hit.start as u64,
            };
            let spec = &s.engine.specs()[hit.detector as usize];
            let p = match prepared.as_deref_mut().and_then(|p| p.get_mut(i)) {
                Some(p) => std::mem::take(p),
                None => s.prepare(cell.text, hit),
            };
            if p.allowed_value {
                self.suppressed += self.columns.suppress(admit, cell.field, kind);
                continue;
            }
            let (fingerprint, masked, placeholder) = (p.fingerprint, p.masked, p.placeholder);
            if s.opts.allow.fingerprints.contains(&*fingerprint) {
                self.suppressed += self.columns.suppress(admit, cell.field, kind);
                continue;
            }
            let finding = Finding {
                path: self.path.clone(),
                line,
                column,
                kind: spec.kind,
                detector: s.detector_ids[hit.detector as usize].clone(),
                confidence,
                field: field.clone(),
                masked,
                fingerprint,
                record: Some(cell.record.unwrap_or(line)),
                explain: hit
                    .explain
                    .clone()
                    .map(|e| match confidence != hit.confidence {
                        true => format!("{e}; promoted: the column's values classify it as {kind}"),
                        false => e,
                    }),
                placeholder,
            };
            match (admit, cell.field) {
                (Admit::Hold(_), Some(f)) => self.columns.hold(f, kind, Some(finding)),
                _ => self.findings.push(finding),
            }
        }
        if self.findings.len() >= self.spill_at {
            self.spill_before(cell);
        }
    }
}

impl FindingSink<'_> {
    /// Hands over the findings that lie before `cell` (their lines or records are complete,
    /// so every `piiscan:allow` marker that could suppress them has been seen).
    ///
    /// The findings of the current line or record must stay, and a try costs time in all it
    /// looks at, so the next try waits until `findings` has doubled what this one kept (and
    /// for at least [`SPILL_AT`]): each finding is then looked at a constant number of times
    /// on average. Trying again at every cell once past [`SPILL_AT`] was quadratic in the
    /// findings of one line: a mysqldump with ~1 MiB extended-INSERT lines (~35,000 findings
    /// each) spent ~300 s re-partitioning the current line's findings for every cell.
    fn spill_before(&mut self, cell: &Cell<'_>) {
        let Some(spill) = &self.scanner.spill else {
            return;
        };
        let by_record = self.allow_by_record;
        let key = |f: &Finding| {
            if by_record {
                f.record.unwrap_or(f.line)
            } else {
                f.line
            }
        };
        let current = if by_record {
            cell.record.unwrap_or(cell.line)
        } else {
            cell.line
        };
        // Held hits their column's classification has released go out with this chunk.
        let (released, held_suppressed) = self.columns.take_released();
        self.findings.extend(released);
        self.suppressed += held_suppressed;
        let (mut done, keep): (Vec<Finding>, Vec<Finding>) = std::mem::take(&mut self.findings)
            .into_iter()
            .partition(|f| key(f) < current);
        self.findings = keep;
        if !self.allow_lines.is_empty() {
            self.allow_lines.sort_unstable();
            self.allow_lines.dedup();
            let before = done.len();
            done.retain(|f| self.allow_lines.binary_search(&key(f)).is_err());
            self.suppressed += (before - done.len()) as u64;
            // Markers before the current line or record can match nothing still to come —
            // unless a held hit (released only when its column is decided) lies there.
            if !self.columns.has_pending() {
                self.allow_lines.retain(|&l| l >= current);
            }
        }
        if !done.is_empty() {
            spill(&self.path, done);
        }
        self.spill_at = SPILL_AT.max(2 * self.findings.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::builtin;

    fn scanner(split_after: Option<usize>) -> Scanner {
        let engine = builtin::test_engine();
        let opts = ScanOptions {
            allow: Allow {
                inline: true,
                ..Allow::default()
            },
            split_after,
            // Not the machine's core count: the helper must run even on a one-core machine.
            parallel_inputs: 2,
            ..ScanOptions::default()
        };
        Scanner::new(engine, Fingerprinter::new(b"batch-test-key-0123"), opts)
    }

    fn scan(s: &Scanner, name: &str, text: &str) -> InputReport {
        let mut reader = text.as_bytes();
        s.scan_text(Arc::from(name), &mut reader, &mut Scratch::default())
    }

    /// The progress counter moves while one input is read, and gives its bytes back at the end.
    #[test]
    fn progress_counts_blocks_as_they_are_read() {
        struct Watch<'a>(&'a [u8], Arc<AtomicU64>, u64);
        impl Read for Watch<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                self.2 = self.2.max(self.1.load(Ordering::Relaxed));
                let n = buf.len().min(self.0.len()).min(64 * 1024);
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let text = "a line of notes with nothing in it\n".repeat(100_000);
        let live = Arc::new(AtomicU64::new(0));
        let s = scanner(None).with_progress(live.clone());
        let mut w = Watch(text.as_bytes(), live.clone(), 0);
        let r = s.scan_reader(Arc::from("big.txt"), &mut w, &mut Scratch::default());
        assert_eq!(r.bytes, text.len() as u64);
        assert!(
            w.2 > text.len() as u64 / 2,
            "seen {} of {}",
            w.2,
            text.len()
        );
        assert_eq!(live.load(Ordering::Relaxed), 0);
    }

    /// Detection shared with a helper thread from the first byte gives exactly the findings,
    /// suppressions and column summary of the one-thread path: order, inline allows and
    /// columns classified by their values included.
    #[test]
    fn a_helper_thread_changes_nothing_but_speed() {
        let mut text = String::new();
        let mut csv = String::from("id,value,note\n");
        for i in 0..30_000u32 {
            let allow = if i % 97 == 0 { " # piiscan:allow" } else { "" };
            text.push_str(&format!(
                "row {i} mail p{i}.person@example.com call 0491 570 {:03}{allow}\n",
                i % 1000
            ));
            // Weak phones with no telling header: the column is classified by its values.
            csv.push_str(&format!("{i},0491 570 {:03},ok\n", i % 1000));
        }
        let one = scanner(None);
        let two = scanner(Some(0));
        for (name, input) in [("t.txt", &text), ("c.csv", &csv)] {
            let a = scan(&one, name, input);
            let b = scan(&two, name, input);
            assert!(a.findings.len() > 1000, "{name}: {}", a.findings.len());
            assert_eq!(a.findings, b.findings, "{name}");
            assert_eq!(a.suppressed, b.suppressed, "{name}");
            assert_eq!(a.columns, b.columns, "{name}");
            assert_eq!(a.records, b.records, "{name}");
        }
        assert!(scan(&one, "t.txt", &text).suppressed > 300);
        assert!(
            scan(&one, "c.csv", &csv).columns.is_some(),
            "value column not classified"
        );
    }
}
