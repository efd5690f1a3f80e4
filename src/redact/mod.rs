//! Redaction: write minimised copies of files and trees, keep them usable, prove the result.
//!
//! `piiscan redact SRC --out DST` walks SRC and, for every text input, writes a copy under DST in
//! which each detected value is replaced according to [`Rules`] (see [`action`]). The source is
//! never written: DST may not be SRC, inside it, or contain it (all canonicalised), and each
//! output is written to a temporary file in its DST directory and renamed into place, with the
//! source's permission bits (so never looser than the source).
//!
//! # One input, four steps
//!
//! ```text
//! bytes ──decode──▶ text ──formats::X.scan──▶ cells ──Engine::scan──▶ values (+ action)
//!                    │                                                   │
//!                    └──────────── redact::<format>::edits ◀──────────────┘
//!                                        │ Vec<Edit> (byte ranges of the decoded text)
//!                                        ▼
//!                           apply ──encode back──▶ DST/rel (atomic)
//! ```
//!
//! 1. **Decode** the whole input (it must fit the size cap) with the scanner's [`decode`] and
//!    note its encoding and byte-order mark, so the copy is written back the same way.
//! 2. **Analyse** with the *scanner's own* format and engine: the format is chosen by
//!    [`formats::sniff`] and its cells are scanned with [`Engine::scan`] exactly as `scan` does,
//!    so what is redacted is what a scan reports. A cell's byte offset in the decoded text is
//!    derived from its line and column (both exact in every format) through a line index.
//! 3. **Plan edits** per format: [`text`] (and key/value text) splices replacements in place;
//!    [`csv`], [`json`] and [`sql`] re-tokenise the text to find the structure a value sits in,
//!    so `drop` can remove a column from the header and every row, a key from every object, or
//!    a column from a COPY list / INSERT column list and every tuple, and `null` can write the
//!    format's null. Everything not edited is copied byte for byte, so unredacted fields, line
//!    endings, quoting and whitespace are unchanged.
//! 4. **Apply and encode back**: UTF-8 (with its BOM if it had one), UTF-16 LE/BE with BOM,
//!    Windows-1252.
//!
//! Two kinds of input take other paths (one module each): archives and compressed streams are
//! taken apart in memory, each member goes through the four steps above under its member path,
//! and the container is re-packed in its own format ([`archive`]); SQLite databases are copied
//! and changed with SQL ([`sqlite`]). Binary files and inputs a format cannot parse are not
//! redacted (listed, and the run is incomplete). An input a plan step deletes is left out of
//! the copy ([`FileStatus::Omitted`], see [`plan`]). In SQL dumps a redacted value always fits
//! its column's declared type ([`sql`], [`sqltype`]). [`verify`] re-scans DST, checks typed
//! SQL columns statically, and writes the receipt.

pub mod action;
pub mod archive;
pub mod bytes;
pub mod csv;
pub mod json;
pub mod plan;
pub mod sql;
pub mod sqlite;
pub mod sqltype;
pub mod text;
pub mod verify;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{self, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use thiserror::Error;

pub use action::{Action, Rule, Rules, Selector};
use bytes::file_mode;
pub use bytes::{decode_whole, encode, sha256_file, sha256_hex, write_atomic_mode};

use crate::detect::names::{self, FieldNames};
use crate::detect::{Engine, Hit, Scratch};
use crate::finding::{Confidence, Fingerprinter, Kind};
use crate::formats::{self, Cell, CellSink};
use crate::input::archive::Limits;
use crate::input::decode;

/// The reason given for an input whose redaction panicked (caught, as in `scan`).
const PANICKED: &str = "internal error: piiscan panicked on this input (a bug; please report it)";

/// Default largest input redacted (inputs are decoded whole).
pub const DEFAULT_MAX_FILESIZE: u64 = 512 << 20;

/// Why redaction could not start or one input could not be redacted. Messages never quote
/// input text.
#[derive(Debug, Error)]
pub enum RedactError {
    /// A file-system operation failed.
    #[error("{path}: {source}")]
    Io {
        /// Path involved.
        path: PathBuf,
        /// Cause.
        source: io::Error,
    },
    /// DST is SRC, inside it, or contains it.
    #[error(
        "refusing to write {dst}: the output must be outside the source tree {src} (and not contain it)"
    )]
    Overlap {
        /// Canonical source.
        src: PathBuf,
        /// Canonical output.
        dst: PathBuf,
    },
    /// A bad `--action` or plan.
    #[error("{0}")]
    Rule(String),
    /// One input's structure could not be rewritten.
    #[error("{format}: {message}")]
    Structure {
        /// Format name.
        format: &'static str,
        /// What went wrong (no input text).
        message: String,
    },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> RedactError + '_ {
    move |source| RedactError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Everything a redaction run needs besides SRC and DST.
#[derive(Debug)]
pub struct Redactor<'a> {
    /// The detector engine (the same one verification scans with).
    pub engine: &'a Engine,
    /// The key for tokens.
    pub fingerprinter: &'a Fingerprinter,
    /// Which action each value gets.
    pub rules: Rules,
    /// Values below this confidence are left alone (as `scan` leaves them unreported).
    pub min_confidence: Confidence,
    /// Larger inputs are not redacted (also the cap on each archive member, decoded whole).
    pub max_filesize: u64,
    /// Caps on archives and compressed streams: the scanner's ([`Limits::default`]), so what
    /// is redacted is what `scan` and verification open.
    pub limits: Limits,
    /// Inputs (display paths, as in a report) left out of the copy: a plan step deletes them
    /// ([`Rules::add_plan`]). Only whole files are: an archive member's input (`a.zip!b.csv`)
    /// never matches a file.
    pub omit: Vec<String>,
}

/// One input redacted in memory, ready to be written.
#[derive(Debug, Clone)]
pub struct Redacted {
    /// The copy's bytes.
    pub bytes: Vec<u8>,
    /// Format used (the outermost container's for archives).
    pub format: &'static str,
    /// Encoding read and written (text inputs).
    pub encoding: Option<&'static str>,
    /// Values changed, per kind and action.
    pub applied: Applied,
    /// Fields removed.
    pub dropped_fields: usize,
    /// What the receipt should say besides counts (archive members copied unchanged, columns
    /// nulled instead of dropped, ...). Never input text.
    pub notes: Vec<String>,
    /// Values in typed SQL columns of the copy that their type does not accept (and that the
    /// source did not already hold): the copy would not load.
    pub type_errors: Vec<verify::TypeError>,
    /// Fingerprints of the generalised values written in a column type's form (see
    /// [`sql::Planned::forms`]): not residuals.
    pub generated: BTreeSet<String>,
}

/// A replacement of the byte range `start..end` of the decoded text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// First byte replaced.
    pub start: usize,
    /// One past the last byte replaced.
    pub end: usize,
    /// What goes there.
    pub text: Vec<u8>,
}

/// One detected value that gets an action.
#[derive(Debug, Clone)]
pub struct Value {
    /// Byte range of the value in the decoded text.
    pub start: usize,
    /// End of that range.
    pub end: usize,
    /// Byte range of the cell (the whole field / string / literal) holding it.
    pub cell: (usize, usize),
    /// Kind detected.
    pub kind: Kind,
    /// Field of the cell.
    pub field: Option<Arc<str>>,
    /// What to do.
    pub action: Action,
    /// Replacement text (empty for drop/null).
    pub replacement: String,
}

impl Value {
    /// The value is the whole cell.
    pub fn whole(&self) -> bool {
        (self.start, self.end) == self.cell
    }

    /// The plain splice of this value's replacement.
    pub fn edit(&self) -> Edit {
        Edit {
            start: self.start,
            end: self.end,
            text: self.replacement.clone().into_bytes(),
        }
    }
}

/// What the analysis of one decoded input found.
#[derive(Debug, Default)]
pub struct Analysis {
    /// Values to change, in input order.
    pub values: Vec<Value>,
    /// Start offset and field of every cell that has one, in input order (the structured
    /// writers map columns to field names through it).
    pub cells: Vec<(usize, Arc<str>)>,
    /// Fields removed everywhere (`drop`).
    pub dropped: BTreeSet<Arc<str>>,
    /// A cell's position could not be mapped onto the text (a format bug; the input is not
    /// redacted rather than redacted wrongly).
    pub bad_position: bool,
}

impl Analysis {
    /// Field names of cells by start offset.
    pub fn field_at(&self, start: usize) -> Option<&Arc<str>> {
        self.cells
            .binary_search_by_key(&start, |c| c.0)
            .ok()
            .map(|i| &self.cells[i].1)
    }
}

/// Actions applied, per kind and action.
pub type Applied = BTreeMap<Kind, BTreeMap<Action, u64>>;

/// What happened to one input.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "status", content = "reason", rename_all = "snake_case")]
pub enum FileStatus {
    /// A copy was written (with or without changes).
    Redacted,
    /// No copy was written.
    NotRedacted(String),
    /// Left out of the copy on purpose: a plan step deletes it (see [`plan`]).
    Omitted(String),
}

/// One input's outcome (no raw values: counts, digests and names of formats only).
#[derive(Debug, Clone, Serialize)]
pub struct FileOutcome {
    /// Path relative to SRC (`/`-separated).
    pub path: String,
    /// Outcome.
    #[serde(flatten)]
    pub status: FileStatus,
    /// Format used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<&'static str>,
    /// Encoding read and written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<&'static str>,
    /// SHA-256 of the source file.
    pub input_sha256: String,
    /// SHA-256 of the written copy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_sha256: Option<String>,
    /// Values changed, per kind and action.
    pub applied: Applied,
    /// Number of fields (columns / keys / SQL columns) removed.
    pub dropped_fields: usize,
    /// Remarks (archive members copied unchanged, columns nulled instead of dropped, ...).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Values in typed SQL columns the copy holds that the type does not accept (see
    /// [`verify::sql_type_errors`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub type_errors: Vec<verify::TypeError>,
    /// Fingerprints of generalised values written in a column type's form (verification's
    /// own-output list; not in the receipt).
    #[serde(skip)]
    pub generated: BTreeSet<String>,
}

/// The whole run's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct TreeOutcome {
    /// Canonical source root.
    pub src: PathBuf,
    /// Canonical output root.
    pub dst: PathBuf,
    /// Per input, in path order.
    pub files: Vec<FileOutcome>,
}

impl TreeOutcome {
    /// Inputs not redacted.
    pub fn not_redacted(&self) -> impl Iterator<Item = &FileOutcome> {
        self.files
            .iter()
            .filter(|f| matches!(f.status, FileStatus::NotRedacted(_)))
    }

    /// Inputs left out of the copy by a plan step.
    pub fn omitted(&self) -> impl Iterator<Item = &FileOutcome> {
        self.files
            .iter()
            .filter(|f| matches!(f.status, FileStatus::Omitted(_)))
    }
}

/// Canonical form of a path that may not exist yet: its nearest existing ancestor,
/// canonicalised, joined with the rest.
fn canonical_maybe(p: &Path) -> io::Result<PathBuf> {
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()?.join(p)
    };
    let mut rest = Vec::new();
    let mut cur = abs.as_path();
    loop {
        match cur.canonicalize() {
            Ok(c) => {
                let mut out = c;
                for part in rest.iter().rev() {
                    out.push(part);
                }
                return Ok(out);
            }
            Err(e) => {
                let (Some(parent), Some(name)) = (cur.parent(), cur.file_name()) else {
                    return Err(e);
                };
                rest.push(name.to_os_string());
                cur = parent;
            }
        }
    }
}

/// Checks that `dst` is outside `src` and does not contain it; returns both canonicalised.
pub fn check_paths(src: &Path, dst: &Path) -> Result<(PathBuf, PathBuf), RedactError> {
    let csrc = src.canonicalize().map_err(io_err(src))?;
    let cdst = canonical_maybe(dst).map_err(io_err(dst))?;
    let src_dir = if csrc.is_file() {
        csrc.parent().map_or(csrc.clone(), Path::to_path_buf)
    } else {
        csrc.clone()
    };
    // A single file's directory may hold DST (`redact a.csv --out out/`), but DST may not be the
    // file itself; a directory source may not hold DST at all.
    let overlap = if csrc.is_file() {
        cdst == csrc || csrc.starts_with(&cdst) || cdst.starts_with(&csrc)
    } else {
        cdst.starts_with(&src_dir) || src_dir.starts_with(&cdst)
    };
    if overlap {
        return Err(RedactError::Overlap {
            src: csrc,
            dst: cdst,
        });
    }
    Ok((csrc, cdst))
}

impl Redactor<'_> {
    /// Redacts every input under `src` (a file or directory) into `dst` (a directory, created if
    /// needed). Per-input failures are recorded in the outcome, not returned.
    pub fn redact_tree(&self, src: &Path, dst: &Path) -> Result<TreeOutcome, RedactError> {
        let (csrc, cdst) = check_paths(src, dst)?;
        std::fs::create_dir_all(&cdst).map_err(io_err(&cdst))?;
        let mut files = Vec::new();
        let root = if csrc.is_file() {
            csrc.parent().map_or(csrc.clone(), Path::to_path_buf)
        } else {
            csrc.clone()
        };
        let walker = ignore::WalkBuilder::new(&csrc)
            .standard_filters(false)
            .hidden(false)
            .follow_links(false)
            .filter_entry(|e| e.file_name() != ".git")
            .sort_by_file_name(|a, b| a.cmp(b))
            .build();
        let mut scratch = Scratch::default();
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    files.push(not_redacted(
                        String::from("(walk)"),
                        format!("could not list: {e}"),
                    ));
                    continue;
                }
            };
            let Some(ft) = entry.file_type() else {
                continue;
            };
            let rel = rel_path(&root, entry.path());
            if ft.is_dir() {
                continue;
            }
            if !ft.is_file() {
                files.push(not_redacted(
                    rel,
                    "not a regular file (symlink or special file)".into(),
                ));
                continue;
            }
            let out = cdst.join(&rel);
            if self.omit.iter().any(|i| action::input_matches(i, &rel)) {
                files.push(omit(entry.path(), rel, &out));
                continue;
            }
            files.push(self.redact_file(entry.path(), &rel, &out, &mut scratch));
        }
        Ok(TreeOutcome {
            src: csrc,
            dst: cdst,
            files,
        })
    }

    /// Redacts one file into `out`. Never panics on input: failures become
    /// [`FileStatus::NotRedacted`].
    pub fn redact_file(
        &self,
        path: &Path,
        rel: &str,
        out: &Path,
        scratch: &mut Scratch,
    ) -> FileOutcome {
        let mut o = not_redacted(rel.to_string(), String::new());
        let mode;
        let raw = {
            let mut f = match std::fs::File::open(path) {
                Ok(f) => f,
                Err(e) => return fail(o, format!("cannot open: {e}")),
            };
            let meta = match f.metadata() {
                Ok(m) => m,
                Err(e) => return fail(o, format!("cannot stat: {e}")),
            };
            if meta.len() > self.max_filesize {
                return fail(
                    o,
                    format!(
                        "larger than the redaction size cap ({} bytes)",
                        self.max_filesize
                    ),
                );
            }
            mode = file_mode(&meta);
            let mut raw = Vec::with_capacity(meta.len() as usize);
            if let Err(e) = f.read_to_end(&mut raw) {
                return fail(o, format!("read error: {e}"));
            }
            raw
        };
        o.input_sha256 = sha256_hex(&raw);
        let head = &raw[..raw.len().min(decode::SNIFF_LEN)];
        if head.starts_with(crate::formats::table::SQLITE_MAGIC) {
            let fallback = o.clone();
            return catch_unwind(AssertUnwindSafe(|| {
                sqlite::redact_file(self, path, rel, out, mode, scratch, o)
            }))
            .unwrap_or_else(|_| {
                *scratch = Scratch::default();
                fail(fallback, PANICKED.into())
            });
        }
        if let Some(e) = archive::not_rewritten(&raw, rel) {
            return fail(o, e.to_string());
        }
        let redacted = if crate::input::archive::sniff(head).is_some() {
            // A panic in a container crate on hostile input fails this input only.
            catch_unwind(AssertUnwindSafe(|| {
                archive::redact(self, &raw, rel, scratch).map_err(|e| e.to_string())
            }))
            .unwrap_or_else(|_| {
                *scratch = Scratch::default();
                Err(PANICKED.into())
            })
        } else {
            self.redact_bytes(&raw, rel, scratch)
        };
        let r = match redacted {
            Ok(r) => r,
            Err(e) => return fail(o, e),
        };
        if let Err(e) = write_atomic_mode(out, &r.bytes, mode) {
            return fail(o, format!("cannot write the copy: {e}"));
        }
        o.output_sha256 = Some(sha256_hex(&r.bytes));
        o.format = Some(r.format);
        o.encoding = r.encoding;
        o.applied = r.applied;
        o.dropped_fields = r.dropped_fields;
        o.notes = r.notes;
        o.type_errors = r.type_errors;
        o.generated = r.generated;
        o.status = FileStatus::Redacted;
        o
    }

    /// Redacts one text input held in memory (a file's bytes or an archive member's): decode,
    /// analyse, plan the format's edits, apply, encode back. `Err` gives the reason it could not
    /// be redacted (never input text). Never panics on input.
    pub fn redact_bytes(
        &self,
        raw: &[u8],
        rel: &str,
        scratch: &mut Scratch,
    ) -> Result<Redacted, String> {
        let (text, encoding, bom) = match decode_whole(raw) {
            Ok(Some(t)) => t,
            Ok(None) => return Err("binary content: not redacted".into()),
            Err(e) => return Err(format!("read error: {e}")),
        };
        let head = &text[..text.len().min(decode::SNIFF_LEN)];
        let format = formats::sniff(rel, head);
        // A panic inside a format or detector fails this input only (as in `scan`).
        let planned = catch_unwind(AssertUnwindSafe(|| {
            let an = self.analyse(format, &text, rel, scratch)?;
            let edits = self.edits(format.name(), rel, head, &text, &an);
            Ok::<_, String>((an, edits))
        }));
        let (an, edits) = match planned {
            Ok(Ok(p)) => p,
            Ok(Err(e)) => return Err(e),
            Err(_) => {
                *scratch = Scratch::default();
                return Err(PANICKED.into());
            }
        };
        let sql::Planned {
            edits,
            notes,
            forms,
        } = edits.map_err(|e| e.to_string())?;
        let changed = !edits.is_empty();
        let new_text = apply(&text, edits);
        if matches!(format.name(), "json" | "ndjson") {
            json::validate(&new_text).map_err(|e| e.to_string())?;
        }
        // The static type check of a dump's copy (see `verify::sql_type_errors`): on the text
        // exactly as it is written, so archive members are checked too.
        let type_errors = if changed && format.name() == "sql" {
            verify::sql_type_errors(rel, &text, &new_text)
        } else {
            Vec::new()
        };
        let generated = self.fingerprints_of(&forms, scratch);
        let bytes = encode(&new_text, encoding, bom)?;
        let mut applied = Applied::new();
        for v in &an.values {
            *applied
                .entry(v.kind)
                .or_default()
                .entry(v.action)
                .or_default() += 1;
        }
        Ok(Redacted {
            bytes,
            format: format.name(),
            encoding: Some(encoding.as_str()),
            applied,
            dropped_fields: an.dropped.len(),
            notes,
            type_errors,
            generated,
        })
    }

    /// Fingerprints of what the scanner finds in generalised values written in their
    /// column type's form (`field`, text): how verification recognises its own output.
    fn fingerprints_of(
        &self,
        forms: &[(String, String)],
        scratch: &mut Scratch,
    ) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut hits = Vec::new();
        for (field, text) in forms {
            hits.clear();
            self.engine.scan(
                text.as_bytes(),
                Some(field),
                0..text.len(),
                false,
                scratch,
                &mut hits,
            );
            for h in &hits {
                let kind = self.engine.specs()[h.detector as usize].kind;
                out.insert(self.fingerprinter.fingerprint(kind, &h.normalised));
            }
        }
        out
    }

    /// The format writer's edits for an analysed input.
    fn edits(
        &self,
        format: &str,
        rel: &str,
        head: &[u8],
        text: &[u8],
        an: &Analysis,
    ) -> Result<sql::Planned, RedactError> {
        let plain = |edits| sql::Planned {
            edits,
            ..sql::Planned::default()
        };
        match format {
            "csv" | "tsv" | "psv" => {
                let delim = formats::csv::sniff(head)
                    .or_else(|| formats::csv::by_extension(&extension(rel), head))
                    .map_or(b',', |c| c.delimiter());
                csv::edits(text, delim, an).map(plain)
            }
            "json" | "ndjson" => json::edits(text, an).map(plain),
            "sql" => sql::edits(text, an),
            _ => Ok(plain(text::edits(an))),
        }
    }

    /// Scans decoded `text` with `format` and the engine, and decides each value's action.
    pub fn analyse(
        &self,
        format: &dyn formats::Format,
        text: &[u8],
        rel: &str,
        scratch: &mut Scratch,
    ) -> Result<Analysis, String> {
        let mut line_starts = vec![0usize];
        line_starts.extend(memchr::memchr_iter(b'\n', text).map(|p| p + 1));
        let mut sink = Analyse {
            r: self,
            rel,
            text,
            line_starts: &line_starts,
            shown_rel: self.engine.mask_name(rel, scratch),
            scratch,
            hits: Vec::new(),
            interned: HashMap::new(),
            names: FieldNames::default(),
            an: Analysis::default(),
        };
        format
            .scan(&mut &text[..], &mut sink)
            .map_err(|e| e.to_string())?;
        let mut an = sink.an;
        if an.bad_position {
            return Err("internal error: a cell position did not map onto the input".into());
        }
        an.cells.sort_by_key(|c| c.0);
        an.cells.dedup_by_key(|c| c.0);
        Ok(an)
    }
}

struct Analyse<'a, 'r> {
    r: &'a Redactor<'r>,
    rel: &'a str,
    text: &'a [u8],
    line_starts: &'a [usize],
    scratch: &'a mut Scratch,
    hits: Vec<Hit>,
    /// Each field as written, and its display name when that differs (see `detect::names`).
    interned: HashMap<String, (Arc<str>, Option<Arc<str>>)>,
    /// The input's display path when it differs from `rel` (a value in its name is masked).
    shown_rel: Option<String>,
    names: FieldNames,
    an: Analysis,
}

impl CellSink for Analyse<'_, '_> {
    fn cell(&mut self, cell: &Cell<'_>) {
        let Some(&ls) = self.line_starts.get((cell.line as usize).wrapping_sub(1)) else {
            self.an.bad_position = true;
            return;
        };
        let abs = ls + (cell.column as usize).saturating_sub(1);
        let end = abs + cell.text.len();
        if end > self.text.len() {
            self.an.bad_position = true;
            return;
        }
        // Rules match a field and an input as written and as a scan report shows them (a
        // `--plan` step names `users.{email}.phone`); detection reads the display name, as the
        // scan does, so the copy is checked against what the scan finds.
        let shown_rel = self.shown_rel.as_deref().unwrap_or(self.rel);
        let (field, shown): (Option<Arc<str>>, Option<Arc<str>>) = match cell.field {
            None => (None, None),
            Some(f) => match self.interned.get(f) {
                Some((a, d)) => (Some(a.clone()), d.clone()),
                None => {
                    let a: Arc<str> = Arc::from(f);
                    let d = if names::may_hold_value(f.as_bytes()) {
                        self.names.get(self.r.engine, f, self.scratch)
                    } else {
                        None
                    };
                    let shown = d.as_deref().unwrap_or(f);
                    if self
                        .r
                        .rules
                        .drops_field_shown(self.rel, f, (shown_rel, shown))
                    {
                        self.an.dropped.insert(a.clone());
                    }
                    self.interned.insert(f.to_string(), (a.clone(), d.clone()));
                    (Some(a), d)
                }
            },
        };
        let shown_field = shown.as_deref().or(cell.field);
        if let Some(f) = &field {
            self.an.cells.push((abs, f.clone()));
        }
        self.hits.clear();
        self.r.engine.scan(
            cell.text,
            shown_field,
            cell.accept.clone(),
            false,
            self.scratch,
            &mut self.hits,
        );
        for hit in self.hits.drain(..) {
            if hit.confidence < self.r.min_confidence {
                continue;
            }
            let kind = self.r.engine.specs()[hit.detector as usize].kind;
            let decided =
                self.r
                    .rules
                    .decide_shown(self.rel, cell.field, (shown_rel, shown_field), kind);
            let Some(action) = decided else {
                continue;
            };
            if action == Action::Drop
                && let Some(f) = &field
            {
                self.an.dropped.insert(f.clone());
            }
            let raw = String::from_utf8_lossy(&cell.text[hit.start..hit.end]);
            let replacement =
                action::replacement(action, kind, &raw, &hit.normalised, self.r.fingerprinter);
            self.an.values.push(Value {
                start: abs + hit.start,
                end: abs + hit.end,
                cell: (abs, end),
                kind,
                field: field.clone(),
                action,
                replacement,
            });
        }
    }
}

fn not_redacted(path: String, reason: String) -> FileOutcome {
    FileOutcome {
        path,
        status: FileStatus::NotRedacted(reason),
        format: None,
        encoding: None,
        input_sha256: String::new(),
        output_sha256: None,
        applied: Applied::new(),
        dropped_fields: 0,
        notes: Vec::new(),
        type_errors: Vec::new(),
        generated: BTreeSet::new(),
    }
}

/// The outcome of a file a plan step deletes: not copied (its digest still recorded). A file
/// already at its place in DST (an earlier run's copy) would still be in the copy tree, so the
/// input is then reported as not redacted instead of being silently kept or deleted.
fn omit(path: &Path, rel: String, out: &Path) -> FileOutcome {
    let mut o = not_redacted(rel, String::new());
    match sha256_file(path) {
        Ok(h) => o.input_sha256 = h,
        Err(e) => return fail(o, format!("cannot read: {e}")),
    }
    if out.symlink_metadata().is_ok() {
        return fail(
            o,
            "a plan step leaves this input out of the copy, but the output already holds a \
             file at its path (from an earlier run?): remove it and run again"
                .into(),
        );
    }
    o.status = FileStatus::Omitted("left out of the copy: a plan step deletes this input".into());
    o
}

fn fail(mut o: FileOutcome, reason: String) -> FileOutcome {
    o.status = FileStatus::NotRedacted(reason);
    o
}

/// `/`-separated path of `p` relative to `root` (the file name when `p` is `root`).
fn rel_path(root: &Path, p: &Path) -> String {
    let rel = p.strip_prefix(root).unwrap_or(p);
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

fn extension(path: &str) -> String {
    let name = path.rsplit(['/', '\\', '!']).next().unwrap_or(path);
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext.to_ascii_lowercase(),
        _ => String::new(),
    }
}

/// Applies `edits` to `text`. Edits are sorted; one that overlaps an earlier (or enclosing) edit
/// is skipped — a dropped column swallows the values inside it.
pub fn apply(text: &[u8], mut edits: Vec<Edit>) -> Vec<u8> {
    edits.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut out = Vec::with_capacity(text.len());
    let mut pos = 0usize;
    for e in edits {
        if e.start < pos || e.end > text.len() || e.end < e.start {
            continue;
        }
        out.extend_from_slice(&text[pos..e.start]);
        out.extend_from_slice(&e.text);
        pos = e.end;
    }
    out.extend_from_slice(&text[pos..]);
    out
}

/// Edits removing the items marked `true` from a separated list of `(start, end, remove)` spans
/// (object members, tuple values, tab-separated fields), separators included: an item before
/// the last kept one goes up to the next item's start, the items after it from its end.
pub fn remove_items(m: &[(usize, usize, bool)]) -> Vec<Edit> {
    let mut out = Vec::new();
    if !m.iter().any(|x| x.2) {
        return out;
    }
    let gone = |start, end| Edit {
        start,
        end,
        text: Vec::new(),
    };
    match m.iter().rposition(|x| !x.2) {
        None => out.push(gone(m[0].0, m[m.len() - 1].1)),
        Some(last_kept) => {
            for k in 0..last_kept {
                if m[k].2 {
                    out.push(gone(m[k].0, m[k + 1].0));
                }
            }
            if last_kept + 1 < m.len() {
                out.push(gone(m[last_kept].1, m[m.len() - 1].1));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apply_skips_edits_inside_earlier_ones() {
        let e = |s, e, t: &str| Edit {
            start: s,
            end: e,
            text: t.as_bytes().to_vec(),
        };
        let out = apply(b"abcdefgh", vec![e(2, 3, "X"), e(1, 5, ""), e(6, 7, "YY")]);
        assert_eq!(out, b"afYYh");
    }

    #[test]
    fn overlap_checks() {
        let d = tempfile::tempdir().unwrap();
        let src = d.path().join("src");
        std::fs::create_dir_all(src.join("sub")).unwrap();
        std::fs::write(src.join("a.csv"), "x").unwrap();
        assert!(check_paths(&src, &src).is_err());
        assert!(check_paths(&src, &src.join("out/new")).is_err());
        assert!(check_paths(&src.join("sub"), &src).is_err());
        assert!(check_paths(&src.join("sub/../"), &src.join("sub")).is_err());
        assert!(check_paths(&src, &d.path().join("out")).is_ok());
        assert!(check_paths(&src.join("a.csv"), &src.join("out")).is_ok());
        assert!(check_paths(&src.join("a.csv"), &src.join("a.csv")).is_err());
    }
}

/// Builders shared by the writers' table tests.
#[cfg(test)]
pub(crate) mod test_util {
    use std::sync::Arc;

    use super::{Action, Analysis, Value};
    use crate::finding::Kind;

    /// An email value covering the first `needle` in `text`, to be replaced by `rep`.
    pub fn value(text: &str, needle: &str, action: Action, rep: &str) -> Value {
        let start = text
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} not in text"));
        Value {
            start,
            end: start + needle.len(),
            cell: (start, start + needle.len()),
            kind: Kind::Email,
            field: None,
            action,
            replacement: rep.into(),
        }
    }

    /// An analysis with these values and dropped fields.
    pub fn analysis(values: Vec<Value>, dropped: &[&str]) -> Analysis {
        Analysis {
            values,
            dropped: dropped.iter().map(|d| Arc::from(*d)).collect(),
            ..Analysis::default()
        }
    }
}
