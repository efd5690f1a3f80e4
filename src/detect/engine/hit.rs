//! What the engine hands back and what it reuses: [`Hit`], one detector match in a cell, and
//! [`Scratch`], the per-thread space (caches, regex clones, per-cell flags) that keeps the hot
//! path from allocating.

use std::sync::Arc;

use regex::bytes::{CaptureLocations, Regex};
use regex_automata::{PatternSet, meta};

use crate::detect::ascii::TwinCache;
use crate::detect::keywords::{KeywordCache, KeywordHit};
use crate::finding::Confidence;

use super::*;

/// A detector hit inside a cell: offsets into the cell text, never the text itself beyond the
/// normalised value (which the caller fingerprints and drops).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Start offset in the cell text.
    pub start: usize,
    /// End offset (exclusive).
    pub end: usize,
    /// Index of the detector in [`Engine::specs`].
    pub detector: u16,
    /// Decided confidence.
    pub confidence: Confidence,
    /// Normalised value for fingerprinting.
    pub normalised: String,
    /// Why, when explaining.
    pub explain: Option<String>,
}

/// Per-thread scratch space, reused across cells so the hot path does not allocate.
///
/// It also holds this thread's own clones of the detectors' regexes. A `regex::bytes::Regex`
/// keeps its search caches in an internal pool: the first thread to use a regex gets a
/// lock-free fast path and every other thread takes a mutex-guarded slow path on every search
/// (measured: `Pool::get_slow` in the profile, and `-j2` no faster than `-j1`). Cloning a
/// regex gives the clone a pool of its own, so each thread searching its own clones never
/// contends.
#[derive(Debug, Default)]
pub struct Scratch {
    /// What each field name seen so far says (see [`Engine::field_info`]). A fast hash, not
    /// SipHash, and no copy of the name to look it up: CSV and SQL look up a field per cell.
    pub(super) fields: foldhash::HashMap<Box<str>, Arc<FieldInfo>>,
    /// What a cell without a field knows (nothing), shared instead of allocated per cell.
    pub(super) no_field: Arc<FieldInfo>,
    pub(super) ctx_flags: Vec<u8>,
    /// Context-word occurrences (start, end, word) in `ctx_span` of the current cell, in end
    /// order (see [`Engine::find_context`]): candidates read the ones in their window instead
    /// of each searching its window again.
    pub(super) ctx_matches: Vec<(usize, usize, u32)>,
    pub(super) ctx_span: (usize, usize),
    pub(super) ctx_matched: bool,
    /// A digit detector that needs a context word has one near the current candidate.
    pub(super) ctx_unlocked: bool,
    /// A [demoted](Engine::demoted) detector has a context word near the current candidate.
    pub(super) weak_unlocked: bool,
    /// The current candidate core (`flag_context`'s `s..e`) whose negative words are not
    /// looked up yet; `None` once they are, or outside a candidate.
    pub(super) neg_pending: Option<(usize, usize)>,
    pub(super) touched: Vec<u16>,
    pub(super) cands: Vec<Hit>,
    pub(super) regexes: Vec<Regex>,
    pub(super) locs: Vec<Option<CaptureLocations>>,
    /// Search state of each detector's ASCII finder (see [`Engine::finders`]), made on first use.
    pub(super) finder_caches: Vec<Option<meta::Cache>>,
    /// Search state of each detector's ASCII twin (see [`Spec::ascii_value`]), made on first use.
    pub(super) twins: Vec<Option<TwinCache>>,
    /// This thread's search caches for [`Engine::digit_pool`] (never shared, so never locked).
    pub(super) digit_cache: Vec<meta::Cache>,
    pub(super) digit_hits: Vec<PatternSet>,
    pub(super) kw_cache: KeywordCache,
    pub(super) kw_hits: Vec<KeywordHit>,
    /// Per digit detector: run it around the current cluster.
    pub(super) digit_run: Vec<bool>,
    /// Validator outcomes of the current cell's header pass, by (detector, value span, weak
    /// counts); `None` where the value was invalid. The `@`, keyword and digit passes find
    /// the same values again (a phone column's cell is a field value and also holds digit
    /// clusters), and a verdict depends on nothing else, so they reuse it: on a customer
    /// export phone validation ran three times per phone cell.
    pub(super) verdicts: Vec<Verdicted>,
    /// The header pass is running: [`Scratch::verdicts`] takes its outcomes.
    pub(super) remember: bool,
    /// Raw keyword occurrences (start, end, spelling) of the current block, by start (see
    /// [`Engine::set_block`]).
    pub(super) block_kw: Vec<(usize, usize, u32)>,
    /// [`Scratch::block_kw`] holds the current block's occurrences.
    pub(super) block_ok: bool,
}

/// One remembered validator outcome (see [`Scratch::verdicts`]).
pub(super) type Verdicted = ((u16, usize, usize, bool), Option<(String, bool)>);

pub(super) const FLAG_CTX: u8 = 1;
pub(super) const FLAG_NEG: u8 = 2;
