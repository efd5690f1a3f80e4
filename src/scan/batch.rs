//! Two cores on one large input: cells copied into batches, every other batch's detection run
//! on a helper thread.
//!
//! The walk gives each thread whole inputs, so a single 5 GB dump would otherwise run on one
//! core. For a large input the scan glue ([`crate::scan`]) stops running the engine cell by
//! cell once it has seen [`PARALLEL_AFTER`] bytes (by default): it copies cells into a [`Batch`] (their text
//! into one buffer, positions and field names beside it) and alternates — one batch goes to a
//! helper thread, the next is detected on the scanning thread while the helper works, then both
//! are finished *in order* (findings, allowlists, column statistics), so the output is exactly
//! what the sequential path produces. What is shared is the engine's work (the candidate pass,
//! regexes, validators) and each hit's order-free preparation (fingerprint, mask, value
//! allowlist: [`Prepared`]); parsing and finishing stay on the scanning thread.
//!
//! Memory: at most three batches of about [`BATCH_BYTES`] each are alive per large input.

use std::ops::Range;
use std::sync::mpsc::{Receiver, Sender};

use crate::detect::{Engine, Hit, Scratch};
use crate::formats::Cell;
use std::sync::Arc;

/// The per-hit work that does not depend on input order, so it may run on a helper thread
/// (this module): the value allowlist, the keyed fingerprint and the masked rendering.
#[derive(Debug, Default)]
pub struct Prepared {
    /// An `allow.values` pattern matched: suppressed (fingerprint and mask are not made).
    pub allowed_value: bool,
    /// Keyed fingerprint of the normalised value.
    pub fingerprint: Arc<str>,
    /// Masked value (raw under `--reveal`).
    pub masked: Arc<str>,
    /// A known placeholder or test value ([`crate::validate::placeholder`]).
    pub placeholder: bool,
}

/// What detecting a batch needs of the scanner (implemented by [`super::Scanner`]): the engine,
/// whether to explain, and the order-free preparation of each hit. A trait owned here so the
/// batch does not depend on the scanner that drives it.
pub trait Prepare: Sync {
    /// The engine.
    fn engine(&self) -> &Engine;
    /// Whether hits carry their explanation (`--explain`).
    fn explain(&self) -> bool;
    /// Prepares `hit`, a hit in the cell `text`.
    fn prepare(&self, text: &[u8], hit: &Hit) -> Prepared;
}

/// Text an input must have produced before its detection is shared with a helper thread.
pub const PARALLEL_AFTER: usize = 8 << 20;
/// A batch is sent once it holds this much cell text.
pub const BATCH_BYTES: usize = 256 << 10;
/// ... or this many cells (short CSV cells: the bookkeeping per cell matters more).
pub const BATCH_CELLS: usize = 8192;

/// One cell of a batch: where its text and field sit in the batch's buffers.
#[derive(Debug, Clone)]
struct BatchCell {
    text: Range<usize>,
    field: Option<Range<usize>>,
    line: u64,
    column: u64,
    record: Option<u64>,
    accept: Range<usize>,
    /// End (exclusive) of this cell's hits in [`Batch::hits`].
    hits_end: usize,
}

/// Cells copied out of the format's buffers, and (once detected) their hits.
#[derive(Debug, Default)]
pub struct Batch {
    text: Vec<u8>,
    fields: String,
    cells: Vec<BatchCell>,
    hits: Vec<Hit>,
    /// One per hit.
    prepared: Vec<Prepared>,
}

impl Batch {
    /// Copies `cell` in.
    pub fn push(&mut self, cell: &Cell<'_>) {
        let start = self.text.len();
        self.text.extend_from_slice(cell.text);
        let field = cell.field.map(|f| {
            let s = self.fields.len();
            self.fields.push_str(f);
            s..self.fields.len()
        });
        self.cells.push(BatchCell {
            text: start..self.text.len(),
            field,
            line: cell.line,
            column: cell.column,
            record: cell.record,
            accept: cell.accept.clone(),
            hits_end: 0,
        });
    }

    /// Whether it should be sent now.
    pub fn full(&self) -> bool {
        self.text.len() >= BATCH_BYTES || self.cells.len() >= BATCH_CELLS
    }

    /// Whether it holds no cell.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// Empties it, keeping its buffers.
    pub fn clear(&mut self) {
        self.text.clear();
        self.fields.clear();
        self.cells.clear();
        self.hits.clear();
        self.prepared.clear();
    }

    /// Runs the engine over every cell and prepares every hit (on whichever thread holds the
    /// batch).
    pub fn detect(&mut self, scanner: &dyn Prepare, scratch: &mut Scratch) {
        let engine = scanner.engine();
        let explain = scanner.explain();
        self.hits.clear();
        self.prepared.clear();
        for c in &mut self.cells {
            let field = c.field.clone().map(|r| &self.fields[r]);
            let text = &self.text[c.text.clone()];
            let from = self.hits.len();
            engine.scan(
                text,
                field,
                c.accept.clone(),
                explain,
                scratch,
                &mut self.hits,
            );
            c.hits_end = self.hits.len();
            for h in &self.hits[from..] {
                self.prepared.push(scanner.prepare(text, h));
            }
        }
    }

    /// How many cells.
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// Cell `i` (as the format gave it), its hits and their preparations.
    pub fn cell(&mut self, i: usize) -> (Cell<'_>, &[Hit], &mut [Prepared]) {
        let c = &self.cells[i];
        let start = if i == 0 {
            0
        } else {
            self.cells[i - 1].hits_end
        };
        let cell = Cell {
            text: &self.text[c.text.clone()],
            line: c.line,
            column: c.column,
            field: c.field.clone().map(|r| &self.fields[r]),
            record: c.record,
            accept: c.accept.clone(),
        };
        (
            cell,
            &self.hits[start..c.hits_end],
            &mut self.prepared[start..c.hits_end],
        )
    }
}

/// The scanning thread's ends of the channels to its helper.
#[derive(Debug)]
pub struct Helper {
    /// Batches to detect.
    pub to: Sender<Batch>,
    /// Detected batches, in the order sent.
    pub from: Receiver<Batch>,
}

/// The helper thread's loop: detect every batch received and send it back, until the scanning
/// thread hangs up.
pub fn helper_loop(scanner: &dyn Prepare, rx: Receiver<Batch>, tx: Sender<Batch>) {
    let mut scratch = Scratch::default();
    for mut b in rx {
        b.detect(scanner, &mut scratch);
        if tx.send(b).is_err() {
            break;
        }
    }
}
