//! The findings of a run, kept out of memory.
//!
//! A dense export yields a finding every few dozen bytes, and each [`Finding`] in memory costs
//! a few hundred bytes: a run that held them all until the report was written grew with the
//! corpus (measured: 2.5 GB for 273 MB of exports). Instead, each input's findings are written
//! to a [`SpoolWriter`] the moment that input is done — an anonymous temporary file (mode 0600,
//! unlinked at creation, so nothing is left behind even on a crash) holding a compact binary
//! record per finding (see `encode`) — and the report reads them back, input by input, when it
//! is written.
//!
//! [`Findings`] is the report's list: spooled segments for a scan, or a plain vector for a
//! report read from a file or built in a test. It serialises as a JSON array either way, so the
//! JSON report format does not depend on where the findings lived.
//!
//! What a report *carries* may be less than what it counts ([`Included`], `scan --findings`):
//! a dense export's JSON report was 6–21× its input, nearly all findings, while merging shards
//! and reading exposure need none of them. [`Findings::iter`] always yields every finding
//! (summaries count from it); [`Findings::reported`] — what the JSON and SARIF reports
//! serialise — yields the included ones.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::os::unix::fs::FileExt;
use std::sync::{Arc, Mutex};

use serde::de::Deserializer;
use serde::ser::{Error as _, SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

use crate::finding::{Confidence, Finding, Kind};

/// Where one input's findings sit in the spool file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    /// Byte offset of the first line.
    pub offset: u64,
    /// Bytes.
    pub len: u64,
    /// Findings (lines).
    pub count: u64,
}

/// Appends findings to the run's spool file. Shared by the scanning threads.
#[derive(Debug)]
pub struct SpoolWriter {
    inner: Mutex<Writer>,
    file: Arc<File>,
}

#[derive(Debug)]
struct Writer {
    out: BufWriter<File>,
    offset: u64,
}

impl SpoolWriter {
    /// A spool in the system temporary directory (`TMPDIR`).
    pub fn new() -> io::Result<SpoolWriter> {
        // `tempfile()` is created 0600 and unlinked at once (O_TMPFILE where the kernel has
        // it): the findings never appear under a name, and disappear when the run ends.
        let file = tempfile::tempfile()?;
        let reader = file.try_clone()?;
        Ok(SpoolWriter {
            inner: Mutex::new(Writer {
                out: BufWriter::with_capacity(1 << 20, file),
                offset: 0,
            }),
            file: Arc::new(reader),
        })
    }

    /// Appends `findings` (one input's, in report order) and says where they went.
    pub fn append(&self, findings: &[Finding]) -> io::Result<Segment> {
        // Encoded outside the lock: the other threads only wait for the copy.
        let mut buf = Vec::with_capacity(findings.len() * 96);
        let mut prev = Prev::default();
        for f in findings {
            encode(f, &mut prev, &mut buf);
        }
        let mut w = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let offset = w.offset;
        w.out.write_all(&buf)?;
        w.offset += buf.len() as u64;
        Ok(Segment {
            offset,
            len: buf.len() as u64,
            count: findings.len() as u64,
        })
    }

    /// Flushes and returns the list over `segments` (in the order they should be read).
    pub fn finish(self, segments: Vec<Segment>) -> io::Result<Findings> {
        let mut w = self.inner.into_inner().unwrap_or_else(|p| p.into_inner());
        w.out.flush()?;
        Ok(Findings {
            repr: Repr::Spooled {
                file: self.file,
                count: segments.iter().map(|s| s.count).sum(),
                segments: Arc::new(segments),
            },
            included: Included::All,
        })
    }
}

/// Which findings a report carries (`scan --findings`); its counts cover every finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Included {
    /// None: the report is the summary and the exposure state (what `merge` needs).
    None,
    /// The first [`SAMPLE_PER_PLACE`] findings of each place (input, field, kind).
    Sample,
    /// Every finding.
    #[default]
    All,
}

impl Included {
    /// Parses `all`, `sample` or `none`.
    pub fn parse(s: &str) -> Option<Included> {
        match s {
            "all" => Some(Included::All),
            "sample" => Some(Included::Sample),
            "none" => Some(Included::None),
            _ => None,
        }
    }

    /// The name [`Included::parse`] reads.
    pub fn as_str(self) -> &'static str {
        match self {
            Included::All => "all",
            Included::Sample => "sample",
            Included::None => "none",
        }
    }
}

/// Findings per place (input, field, kind) that `--findings sample` keeps: enough to see what
/// a place holds and where, without a line per customer.
pub const SAMPLE_PER_PLACE: u32 = 5;

/// The findings of a report, in report order (path, then line, column, detector).
#[derive(Debug, Clone)]
pub struct Findings {
    repr: Repr,
    included: Included,
}

#[derive(Debug, Clone)]
enum Repr {
    Memory(Vec<Finding>),
    Spooled {
        file: Arc<File>,
        segments: Arc<Vec<Segment>>,
        count: u64,
    },
}

impl Default for Findings {
    fn default() -> Self {
        Findings::from(Vec::new())
    }
}

impl From<Vec<Finding>> for Findings {
    fn from(v: Vec<Finding>) -> Self {
        Findings {
            repr: Repr::Memory(v),
            included: Included::All,
        }
    }
}

impl PartialEq for Findings {
    /// Equal when they hold the same findings (reads spooled ones back; for tests).
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len()
            && self
                .iter()
                .zip(other.iter())
                .all(|(a, b)| matches!((a, b), (Ok(a), Ok(b)) if a == b))
    }
}

impl Findings {
    /// How many.
    pub fn len(&self) -> u64 {
        match &self.repr {
            Repr::Memory(v) => v.len() as u64,
            Repr::Spooled { count, .. } => *count,
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every finding in order. Reading a spooled finding back can fail (an I/O error on the
    /// temporary file): the error is yielded, and the caller's write fails with it.
    pub fn iter(&self) -> Box<dyn Iterator<Item = io::Result<Finding>> + '_> {
        match &self.repr {
            Repr::Memory(v) => Box::new(v.iter().cloned().map(Ok)),
            Repr::Spooled { file, segments, .. } => Box::new(SpoolIter {
                file,
                segments,
                next: 0,
                left: 0,
                reader: None,
                prev: Prev::default(),
            }),
        }
    }

    /// Splits the list into consecutive parts of at least `target` findings each (the last may
    /// be smaller), each readable on its own — by another thread, too. A spooled part is whole
    /// segments (each encoded on its own), so it may run past `target` by a segment.
    pub fn parts(&self, target: u64) -> Vec<Findings> {
        let target = target.max(1);
        match &self.repr {
            Repr::Memory(v) => v
                .chunks(usize::try_from(target).unwrap_or(usize::MAX))
                .map(|c| Findings::from(c.to_vec()))
                .collect(),
            Repr::Spooled { file, segments, .. } => {
                let mut out = Vec::new();
                let (mut start, mut count) = (0, 0);
                for (i, seg) in segments.iter().enumerate() {
                    count += seg.count;
                    if count >= target || i + 1 == segments.len() {
                        out.push(Findings {
                            repr: Repr::Spooled {
                                file: file.clone(),
                                segments: Arc::new(segments[start..=i].to_vec()),
                                count,
                            },
                            included: self.included,
                        });
                        (start, count) = (i + 1, 0);
                    }
                }
                out
            }
        }
    }

    /// Which findings [`Findings::reported`] yields.
    pub fn included(&self) -> Included {
        self.included
    }

    /// The same list, reporting only `included` findings.
    pub fn with_included(mut self, included: Included) -> Findings {
        self.included = included;
        self
    }

    /// The findings the report carries ([`Included`]), in order.
    pub fn reported(&self) -> Box<dyn Iterator<Item = io::Result<Finding>> + '_> {
        match self.included {
            Included::All => self.iter(),
            Included::None => Box::new(std::iter::empty()),
            Included::Sample => {
                // Findings come sorted by path: the per-place counts start over with each
                // input, so they hold one input's places at a time.
                let mut path: Option<Arc<str>> = None;
                let mut seen: std::collections::HashMap<(Option<Arc<str>>, Kind), u32> =
                    std::collections::HashMap::new();
                Box::new(self.iter().filter(move |f| {
                    let Ok(f) = f else { return true };
                    if path.as_ref() != Some(&f.path) {
                        path = Some(f.path.clone());
                        seen.clear();
                    }
                    let n = seen.entry((f.field.clone(), f.kind)).or_default();
                    *n += 1;
                    *n <= SAMPLE_PER_PLACE
                }))
            }
        }
    }

    /// Reads every finding into memory (for callers that need them all at once, such as
    /// `baseline create`, whose output lists every accepted value anyway).
    pub fn to_vec(&self) -> io::Result<Vec<Finding>> {
        self.iter().collect()
    }

    /// Calls `each` with every finding in order, borrowed ([`FindingRef`]): a spooled one is
    /// read into buffers reused from one finding to the next, not into a [`Finding`] of its
    /// own (two allocations and a free per finding). Stops at the first error, `each`'s or a
    /// read's.
    pub fn for_each_ref(
        &self,
        mut each: impl FnMut(&FindingRef<'_>) -> io::Result<()>,
    ) -> io::Result<()> {
        match &self.repr {
            Repr::Memory(v) => v.iter().try_for_each(|f| each(&FindingRef::from(f))),
            Repr::Spooled { file, segments, .. } => {
                let mut prev = Prev::default();
                for seg in segments.iter() {
                    // Each segment was encoded on its own (see `SpoolIter`); the buffers stay.
                    prev.path = None;
                    prev.detectors = Slots::default();
                    prev.fields = Slots::default();
                    let mut r = BufReader::with_capacity(
                        usize::try_from(seg.len)
                            .unwrap_or(usize::MAX)
                            .clamp(1, 1 << 16),
                        SegmentReader::new(file, seg.offset, seg.len),
                    );
                    for _ in 0..seg.count {
                        let raw = decode_raw(&mut r, &mut prev)?;
                        each(&prev.view(&raw)?)?;
                    }
                }
                Ok(())
            }
        }
    }
}

struct SpoolIter<'a> {
    file: &'a File,
    segments: &'a [Segment],
    next: usize,
    /// Findings left in the current segment.
    left: u64,
    reader: Option<BufReader<SegmentReader<'a>>>,
    prev: Prev,
}

impl Iterator for SpoolIter<'_> {
    type Item = io::Result<Finding>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.left > 0
                && let Some(r) = &mut self.reader
            {
                self.left -= 1;
                return Some(decode(r, &mut self.prev));
            }
            let seg = self.segments.get(self.next)?;
            self.next += 1;
            self.left = seg.count;
            // Each segment was encoded on its own: "same as the previous finding" starts over.
            self.prev = Prev::default();
            // No larger than the segment: a buffer is zeroed before its first read, and an
            // input of a few findings paid for 64 KiB of it.
            self.reader = Some(BufReader::with_capacity(
                usize::try_from(seg.len)
                    .unwrap_or(usize::MAX)
                    .clamp(1, 1 << 16),
                SegmentReader {
                    file: self.file,
                    pos: seg.offset,
                    end: seg.offset + seg.len,
                },
            ));
        }
    }
}

// The record format. Every finding of a chunk shares its path, and a few detectors and fields
// take turns (a CSV row's email, phone and date columns), so detectors and fields are written
// once and then named by their slot in a small table of recent ones ([`Slots`]); numbers are
// LEB128 varints; strings are a varint length and UTF-8 bytes. Encoding and decoding this costs
// a fraction of JSON (measured: the JSON spool was ~10% of a dense scan's instructions), and
// the slots save the allocation of a detector and a field per finding read back.

/// Recent detectors or fields of a segment, shared by the encoder and the decoder: a string
/// not in the table is written out and takes the next slot, round-robin, on both sides.
const SLOTS: usize = 16;
/// A slot byte: the string follows, and takes the next slot.
const NEW_SLOT: u8 = 0xff;
/// A slot byte for fields: no field.
const NO_FIELD: u8 = 0xfe;

#[derive(Default)]
struct Slots {
    names: Vec<Arc<str>>,
    next: usize,
}

impl Slots {
    /// The slot holding `s` (the same `Arc` nearly always, so the pointer is compared first).
    fn find(&self, s: &Arc<str>) -> Option<u8> {
        if let Some(i) = self.names.iter().position(|n| Arc::ptr_eq(n, s)) {
            return Some(i as u8);
        }
        self.names.iter().position(|n| **n == **s).map(|i| i as u8)
    }

    fn get(&self, i: u8) -> Option<&Arc<str>> {
        self.names.get(usize::from(i))
    }

    /// Puts `s` in the next slot and returns that slot.
    fn push(&mut self, s: Arc<str>) -> u8 {
        if self.names.len() < SLOTS {
            self.names.push(s);
            (self.names.len() - 1) as u8
        } else {
            let at = self.next;
            self.names[at] = s;
            self.next = (self.next + 1) % SLOTS;
            at as u8
        }
    }
}

/// What the segment has had so far: the path of the previous finding, recent detectors and
/// fields, and (reading) the last finding's strings, in buffers reused from one to the next.
#[derive(Default)]
struct Prev {
    path: Option<Arc<str>>,
    detectors: Slots,
    fields: Slots,
    buf: Vec<u8>,
    masked: Vec<u8>,
    fingerprint: Vec<u8>,
    explain: Vec<u8>,
}

const SAME_PATH: u8 = 1;
const HAS_RECORD: u8 = 8;
const HAS_EXPLAIN: u8 = 16;
const PLACEHOLDER: u8 = 32;

fn put_varint(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_str(s: &str, out: &mut Vec<u8>) {
    put_varint(s.len() as u64, out);
    out.extend_from_slice(s.as_bytes());
}

/// Writes `s` as its slot, or as [`NEW_SLOT`] and the string (which then takes a slot).
fn put_slot(s: &Arc<str>, slots: &mut Slots, out: &mut Vec<u8>) {
    match slots.find(s) {
        Some(i) => out.push(i),
        None => {
            out.push(NEW_SLOT);
            put_str(s, out);
            slots.push(s.clone());
        }
    }
}

fn encode(f: &Finding, prev: &mut Prev, out: &mut Vec<u8>) {
    let mut flags = 0u8;
    let same_path = prev.path.as_ref() == Some(&f.path);
    if same_path {
        flags |= SAME_PATH;
    }
    if f.record.is_some() {
        flags |= HAS_RECORD;
    }
    if f.explain.is_some() {
        flags |= HAS_EXPLAIN;
    }
    if f.placeholder {
        flags |= PLACEHOLDER;
    }
    out.push(flags);
    if !same_path {
        put_str(&f.path, out);
        prev.path = Some(f.path.clone());
    }
    put_slot(&f.detector, &mut prev.detectors, out);
    match &f.field {
        None => out.push(NO_FIELD),
        Some(name) => put_slot(name, &mut prev.fields, out),
    }
    put_varint(f.line, out);
    put_varint(f.column, out);
    out.push(kind_index(f.kind));
    out.push(f.confidence as u8);
    put_str(&f.masked, out);
    put_str(&f.fingerprint, out);
    if let Some(r) = f.record {
        put_varint(r, out);
    }
    if let Some(e) = &f.explain {
        put_str(e, out);
    }
}

fn kind_index(k: Kind) -> u8 {
    Kind::ALL.iter().position(|&x| x == k).unwrap_or(0) as u8
}

fn corrupt(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("findings spool is corrupt ({what})"),
    )
}

fn get_u8(r: &mut impl BufRead) -> io::Result<u8> {
    // The common case, a byte already buffered, without `read_exact`'s generic path.
    if let Some(&b) = r.fill_buf()?.first() {
        r.consume(1);
        return Ok(b);
    }
    Err(io::Error::new(
        io::ErrorKind::UnexpectedEof,
        "findings spool ends early",
    ))
}

fn get_varint(r: &mut impl BufRead) -> io::Result<u64> {
    // The common case, a whole varint buffered: decoded from the slice, consumed once.
    let buf = r.fill_buf()?;
    if let Some(end) = buf.iter().take(10).position(|&b| b & 0x80 == 0) {
        let mut v = 0u64;
        // Bits past 64 drop out of a 10th byte, as in the byte-at-a-time loop.
        for (i, &b) in buf[..=end].iter().enumerate() {
            v |= u64::from(b & 0x7f) << (7 * i);
        }
        r.consume(end + 1);
        return Ok(v);
    }
    get_varint_slow(r)
}

fn get_varint_slow(r: &mut impl BufRead) -> io::Result<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let b = get_u8(r)?;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err(corrupt("varint"))
}

/// Reads a string into `buf` (reused) and returns it.
fn get_str<'b>(r: &mut impl BufRead, buf: &'b mut Vec<u8>) -> io::Result<&'b str> {
    get_bytes(r, buf)?;
    std::str::from_utf8(buf).map_err(|_| corrupt("string"))
}

/// Reads a string's bytes into `buf` (reused), not yet checked to be UTF-8.
fn get_bytes(r: &mut impl BufRead, buf: &mut Vec<u8>) -> io::Result<()> {
    let n = get_varint(r)?;
    // Our own file, but still input: a bad length must not allocate gigabytes.
    if n > 1 << 24 {
        return Err(corrupt("string length"));
    }
    let n = n as usize;
    buf.clear();
    // The common case, the whole string buffered: copied once, no zeroing first.
    let avail = r.fill_buf()?;
    if avail.len() >= n {
        buf.extend_from_slice(&avail[..n]);
        r.consume(n);
    } else {
        buf.resize(n, 0);
        r.read_exact(buf)?;
    }
    Ok(())
}

fn get_arc(r: &mut impl BufRead, buf: &mut Vec<u8>) -> io::Result<Arc<str>> {
    get_str(r, buf).map(Arc::from)
}

/// Reads a slot byte's detector or field (see [`put_slot`]) and returns its slot.
fn get_slot(r: &mut impl BufRead, slot: u8, prev: &mut Prev, fields: bool) -> io::Result<u8> {
    if slot == NEW_SLOT {
        let s = get_arc(r, &mut prev.buf)?;
        return Ok(match fields {
            true => prev.fields.push(s),
            false => prev.detectors.push(s),
        });
    }
    let table = if fields {
        &prev.fields
    } else {
        &prev.detectors
    };
    match table.get(slot) {
        Some(_) => Ok(slot),
        None => Err(corrupt("slot")),
    }
}

/// One finding read back, its strings left in [`Prev`] (see [`Prev::view`]).
struct Raw {
    line: u64,
    column: u64,
    kind: Kind,
    confidence: Confidence,
    detector: u8,
    field: Option<u8>,
    record: Option<u64>,
    explain: bool,
    placeholder: bool,
}

/// Reads one finding: its path and slots into `prev`'s tables, its masked value, fingerprint
/// and explanation into `prev`'s buffers (validated UTF-8), the rest returned.
fn decode_raw(r: &mut impl BufRead, prev: &mut Prev) -> io::Result<Raw> {
    let flags = get_u8(r)?;
    match (flags & SAME_PATH != 0, &prev.path) {
        (true, Some(_)) => {}
        (true, None) => return Err(corrupt("path")),
        (false, _) => prev.path = Some(get_arc(r, &mut prev.buf)?),
    }
    let slot = get_u8(r)?;
    let detector = get_slot(r, slot, prev, false)?;
    let field = match get_u8(r)? {
        NO_FIELD => None,
        slot => Some(get_slot(r, slot, prev, true)?),
    };
    let line = get_varint(r)?;
    let column = get_varint(r)?;
    let kind = *Kind::ALL
        .get(usize::from(get_u8(r)?))
        .ok_or_else(|| corrupt("kind"))?;
    let confidence = match get_u8(r)? {
        0 => Confidence::Low,
        1 => Confidence::Medium,
        2 => Confidence::High,
        _ => return Err(corrupt("confidence")),
    };
    // Checked to be UTF-8 once, by `Prev::view`.
    get_bytes(r, &mut prev.masked)?;
    get_bytes(r, &mut prev.fingerprint)?;
    let record = if flags & HAS_RECORD != 0 {
        Some(get_varint(r)?)
    } else {
        None
    };
    let explain = flags & HAS_EXPLAIN != 0;
    if explain {
        get_bytes(r, &mut prev.explain)?;
    }
    Ok(Raw {
        line,
        column,
        kind,
        confidence,
        detector,
        field,
        record,
        explain,
        placeholder: flags & PLACEHOLDER != 0,
    })
}

/// A string [`get_bytes`] read, checked: not UTF-8 means the spool is corrupt.
fn utf8(b: &[u8]) -> io::Result<&str> {
    std::str::from_utf8(b).map_err(|_| corrupt("string"))
}

impl Prev {
    /// The finding [`decode_raw`] just read, borrowed from the tables and buffers.
    fn view(&self, raw: &Raw) -> io::Result<FindingRef<'_>> {
        fn slot(slots: &Slots, i: u8) -> io::Result<&Arc<str>> {
            slots.get(i).ok_or_else(|| corrupt("slot"))
        }
        Ok(FindingRef {
            path: self.path.as_ref().ok_or_else(|| corrupt("path"))?,
            line: raw.line,
            column: raw.column,
            kind: raw.kind,
            detector: slot(&self.detectors, raw.detector)?,
            confidence: raw.confidence,
            field: match raw.field {
                Some(i) => Some(slot(&self.fields, i)?),
                None => None,
            },
            masked: utf8(&self.masked)?,
            fingerprint: utf8(&self.fingerprint)?,
            record: raw.record,
            explain: match raw.explain {
                true => Some(utf8(&self.explain)?),
                false => None,
            },
            placeholder: raw.placeholder,
        })
    }
}

fn decode(r: &mut impl BufRead, prev: &mut Prev) -> io::Result<Finding> {
    let raw = decode_raw(r, prev)?;
    prev.view(&raw).map(|f| f.to_owned())
}

/// A finding borrowed from where it lies — a [`Finding`], or a spool reader's tables and
/// buffers ([`Findings::for_each_ref`]) — so a writer that only formats it (JSONL) does not
/// allocate its strings. The same fields as [`Finding`].
#[derive(Debug, Clone, Copy)]
pub struct FindingRef<'a> {
    /// See [`Finding::path`]; shared (an `Arc`) so writers may recognise a repeated one.
    pub path: &'a Arc<str>,
    /// See [`Finding::line`].
    pub line: u64,
    /// See [`Finding::column`].
    pub column: u64,
    /// See [`Finding::kind`].
    pub kind: Kind,
    /// See [`Finding::detector`].
    pub detector: &'a Arc<str>,
    /// See [`Finding::confidence`].
    pub confidence: Confidence,
    /// See [`Finding::field`].
    pub field: Option<&'a Arc<str>>,
    /// See [`Finding::masked`].
    pub masked: &'a str,
    /// See [`Finding::fingerprint`].
    pub fingerprint: &'a str,
    /// See [`Finding::record`].
    pub record: Option<u64>,
    /// See [`Finding::explain`].
    pub explain: Option<&'a str>,
    /// See [`Finding::placeholder`].
    pub placeholder: bool,
}

impl<'a> From<&'a Finding> for FindingRef<'a> {
    fn from(f: &'a Finding) -> Self {
        FindingRef {
            path: &f.path,
            line: f.line,
            column: f.column,
            kind: f.kind,
            detector: &f.detector,
            confidence: f.confidence,
            field: f.field.as_ref(),
            masked: &f.masked,
            fingerprint: &f.fingerprint,
            record: f.record,
            explain: f.explain.as_deref(),
            placeholder: f.placeholder,
        }
    }
}

impl FindingRef<'_> {
    /// An owned copy (shared strings shared, the others allocated).
    pub fn to_owned(&self) -> Finding {
        Finding {
            path: self.path.clone(),
            line: self.line,
            column: self.column,
            kind: self.kind,
            detector: self.detector.clone(),
            confidence: self.confidence,
            field: self.field.cloned(),
            masked: Arc::from(self.masked),
            fingerprint: Arc::from(self.fingerprint),
            record: self.record,
            explain: self.explain.map(str::to_string),
            placeholder: self.placeholder,
        }
    }
}

/// Positional reads of one segment (`pread`: no shared file cursor to fight over).
/// Reads `len` bytes of a spool file from `offset` with positioned reads, so readers of
/// different segments (and the appending writer) never share a file position.
pub(crate) struct SegmentReader<'a> {
    file: &'a File,
    pos: u64,
    end: u64,
}

impl<'a> SegmentReader<'a> {
    /// A reader of `file[offset..offset + len]`.
    pub(crate) fn new(file: &'a File, offset: u64, len: u64) -> SegmentReader<'a> {
        SegmentReader {
            file,
            pos: offset,
            end: offset + len,
        }
    }

    /// Bytes of the segment not yet read from the file.
    pub(crate) fn remaining(&self) -> u64 {
        self.end - self.pos
    }
}

impl Read for SegmentReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want = buf.len().min((self.end - self.pos) as usize);
        if want == 0 {
            return Ok(0);
        }
        let n = self.file.read_at(&mut buf[..want], self.pos)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "spool file is shorter than written",
            ));
        }
        self.pos += n as u64;
        Ok(n)
    }
}

impl Serialize for Findings {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let len = match self.included {
            Included::All => usize::try_from(self.len()).ok(),
            Included::None => Some(0),
            Included::Sample => None,
        };
        let mut seq = s.serialize_seq(len)?;
        for f in self.reported() {
            seq.serialize_element(&f.map_err(S::Error::custom)?)?;
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for Findings {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::<Finding>::deserialize(d).map(Findings::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(line: u64) -> Finding {
        Finding {
            path: Arc::from("a.csv"),
            line,
            column: 1,
            kind: Kind::Email,
            detector: Arc::from("email"),
            confidence: Confidence::High,
            field: Some(Arc::from("email")),
            masked: "j***@e******.com".into(),
            fingerprint: format!("{line:032x}").into(),
            record: Some(line),
            explain: None,
            placeholder: line.is_multiple_of(3),
        }
    }

    #[test]
    fn spooled_findings_read_back_in_segment_order() {
        let w = SpoolWriter::new().unwrap();
        let a = w.append(&[finding(1), finding(2)]).unwrap();
        let empty = w.append(&[]).unwrap();
        let b = w.append(&[finding(3)]).unwrap();
        assert_eq!((a.count, empty.count, b.count), (2, 0, 1));
        // Read b before a: the order is the segments', not the file's.
        let f = w.finish(vec![b, empty, a]).unwrap();
        assert_eq!(f.len(), 3);
        let lines: Vec<u64> = f.iter().map(|f| f.unwrap().line).collect();
        assert_eq!(lines, [3, 1, 2]);
        assert_eq!(f, Findings::from(vec![finding(3), finding(1), finding(2)]));
    }

    #[test]
    fn every_field_round_trips_through_the_binary_records() {
        let mut fs = Vec::new();
        for (i, kind) in Kind::ALL.into_iter().enumerate() {
            let mut f = finding(i as u64 + 1);
            f.kind = kind;
            f.confidence = [Confidence::Low, Confidence::Medium, Confidence::High][i % 3];
            // Fields, detectors and paths change and come back: the slots and the path flag.
            f.field = (i % 3 != 0).then(|| Arc::from(format!("f{}", i % 2).as_str()));
            f.detector = Arc::from(if i % 4 < 2 { "a" } else { "b" });
            f.path = Arc::from(if i < 5 { "x.csv" } else { "dir/ü ñ.csv" });
            f.record = (i % 2 == 0).then_some(u64::MAX - i as u64);
            f.explain = (i % 5 == 0).then(|| format!("why {i}"));
            f.column = 1 << (i * 5);
            fs.push(f);
        }
        let w = SpoolWriter::new().unwrap();
        let seg = w.append(&fs).unwrap();
        let seg2 = w.append(&fs[3..]).unwrap();
        let spooled = w.finish(vec![seg, seg2]).unwrap();
        let back = spooled.to_vec().unwrap();
        assert_eq!(back[..fs.len()], fs[..]);
        // Borrowed, through the reused buffers: the same findings, over two segments.
        let mut refs = Vec::new();
        spooled
            .for_each_ref(|f| {
                refs.push(f.to_owned());
                Ok(())
            })
            .unwrap();
        assert_eq!(refs, back);
        assert_eq!(refs.len(), 2 * fs.len() - 3);
    }

    /// The buffered varint path reads what the byte-at-a-time one reads, buffered whole or
    /// split across refills (a 1-byte buffer).
    #[test]
    fn varints_read_back_buffered_or_not() {
        let values = [0, 1, 127, 128, 300, 1 << 35, u64::MAX - 1, u64::MAX];
        let mut bytes = Vec::new();
        for &v in &values {
            put_varint(v, &mut bytes);
        }
        for cap in [1, 3, 64] {
            let mut r = BufReader::with_capacity(cap, &bytes[..]);
            for &v in &values {
                assert_eq!(get_varint(&mut r).unwrap(), v, "capacity {cap}");
            }
            assert!(get_varint(&mut r).is_err());
        }
        let mut r = &bytes[..];
        for &v in &values {
            assert_eq!(get_varint_slow(&mut r).unwrap(), v);
        }
    }

    #[test]
    fn a_truncated_spool_is_an_error_not_a_panic() {
        let w = SpoolWriter::new().unwrap();
        let mut seg = w.append(&[finding(1), finding(2)]).unwrap();
        seg.len -= 3;
        let f = w.finish(vec![seg]).unwrap();
        let got: Vec<io::Result<Finding>> = f.iter().collect();
        assert!(got[0].is_ok());
        assert!(got[1].is_err());
        let mut seen = 0;
        let r = f.for_each_ref(|_| {
            seen += 1;
            Ok(())
        });
        assert!(r.is_err() && seen == 1, "{r:?} after {seen}");
    }

    #[test]
    fn serialises_like_a_vector() {
        let w = SpoolWriter::new().unwrap();
        let s = w.append(&[finding(7), finding(8)]).unwrap();
        let spooled = w.finish(vec![s]).unwrap();
        let memory = Findings::from(vec![finding(7), finding(8)]);
        let a = serde_json::to_string(&spooled).unwrap();
        assert_eq!(a, serde_json::to_string(&memory).unwrap());
        let back: Findings = serde_json::from_str(&a).unwrap();
        assert_eq!(back, memory);
    }
}
