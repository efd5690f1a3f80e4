//! The detector engine: every compiled [`Spec`] behind one cheap candidate pass.
//!
//! Running every detector's regex over every byte is what makes PII scanners slow (a list of PII
//! regexes has no literal for the regex crate's prefilters to jump to). Instead the engine makes
//! one pass over a cell looking for what every candidate must contain — an ASCII digit, an `@`,
//! a trigger keyword, or a telling field name — and runs a detector's full regex only in a small
//! window around each such candidate, and only for detectors whose required evidence is present.
//!
//! * **Digit clusters.** Digits joined by single separators (`0491 570 156`, `1985-03-12`,
//!   `4111-1111-1111-1111`, `(02) 5550 1234`) form one cluster. Clusters with fewer than
//!   [`MIN_CLUSTER_DIGITS`] digits are skipped (no detector needs them alone). The regex window
//!   extends [`LEFT`] bytes to the left (for `+`, `(`, letter prefixes such as IBAN country codes
//!   and month names) and up to the detector's longest match to the right, and a match must
//!   overlap the cluster. The combined automata that say which detectors can match there
//!   search only the cluster when their patterns provably stay inside it (see [`reach`]).
//! * **`@`.** `memchr` finds each `@`; the window spans the address characters around it.
//! * **Keywords / fields.** An Aho-Corasick automaton over trigger keywords; whole-cell matching
//!   for `field` detectors whose headers match the cell's field.
//!
//! Context words are found with an Aho-Corasick automaton over every pattern's `context` list,
//! searched only in the window around a candidate; negative words with another, only in the few
//! bytes before a candidate where they count and only once a match there is scored. Where several
//! detectors claim overlapping spans, the one with the higher confidence, then priority, then
//! longer match wins: one kind per span.

use std::collections::HashMap;
use std::ops::Range;

use std::sync::Arc;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::bytes::{CaptureLocations, Regex};
use regex_automata::{Input, PatternSet, meta};
use thiserror::Error;

use super::ascii::TwinCache;
use super::fields::FieldIndex;
use super::keywords::{KeywordCache, KeywordHit, Keywords, word_bounded};
use super::reach;
use super::score::{self, Evidence};
use super::spec::{Require, Spec, Trigger, whole_cell};
use crate::finding::Confidence;
use crate::validate::{self, AROUND, Candidate, Verdict};

/// Clusters with fewer digits than this are not candidates.
pub const MIN_CLUSTER_DIGITS: usize = 4;
/// Bytes the regex window reaches left of a digit cluster.
pub const LEFT: usize = 24;
/// Longest match any digit detector may produce (bytes); bounds the right side of the window.
pub const MAX_MATCH: usize = 96;
/// Widest context window a pattern may ask for (bytes before the candidate; half after).
pub const MAX_WINDOW: usize = 64;
/// Negative words count only this close before a candidate.
pub const NEGATIVE_WINDOW: usize = 12;
/// Cells up to this long are also matched whole by detectors whose headers match the field.
pub const MAX_FIELD_CELL: usize = 256;
/// Longest email address considered.
const MAX_EMAIL: usize = 254;

/// The engine could not be built from the given specs.
#[derive(Debug, Error)]
pub enum EngineError {
    /// Building the keyword automaton failed.
    #[error("building keyword automaton: {0}")]
    Automaton(#[from] aho_corasick::BuildError),
    /// Two specs share an id.
    #[error("two pattern files define detector {0:?}")]
    DuplicateId(String),
    /// The combined automaton over all digit detectors could not be built.
    #[error("building the combined digit-detector automaton: {0}")]
    Combined(#[from] Box<regex_automata::meta::BuildError>),
}

/// Words and, per word, the detectors that list it (context or negative context).
#[derive(Debug, Default)]
struct WordList {
    words: Vec<String>,
    dets: Vec<Vec<u16>>,
    idx: HashMap<String, usize>,
}

impl WordList {
    fn add(&mut self, word: &str, detector: u16) {
        let i = *self.idx.entry(word.to_string()).or_insert_with(|| {
            self.words.push(word.to_string());
            self.dets.push(Vec::new());
            self.words.len() - 1
        });
        self.dets[i].push(detector);
    }

    fn longest(&self) -> usize {
        self.words.iter().map(String::len).max().unwrap_or(0)
    }
}

/// Everything per field name the engine needs, computed once per distinct field.
#[derive(Debug, Default, Clone)]
struct FieldInfo {
    /// Detectors whose `headers` match this field.
    header: Vec<u16>,
    /// Detectors with a negative-context word among this field's words.
    negative: Vec<u16>,
    /// Some digit detector that needs a context word or header has its header here.
    unlocks_digit: bool,
    /// The cell has a field: its column may be classified and its `low` hits promoted (see
    /// [`crate::detect::columns`]).
    in_field: bool,
}

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
    fields: foldhash::HashMap<Box<str>, Arc<FieldInfo>>,
    /// What a cell without a field knows (nothing), shared instead of allocated per cell.
    no_field: Arc<FieldInfo>,
    ctx_flags: Vec<u8>,
    /// Context-word occurrences (start, end, word) in `ctx_span` of the current cell, in end
    /// order (see [`Engine::find_context`]): candidates read the ones in their window instead
    /// of each searching its window again.
    ctx_matches: Vec<(usize, usize, u32)>,
    ctx_span: (usize, usize),
    ctx_matched: bool,
    /// A digit detector that needs a context word has one near the current candidate.
    ctx_unlocked: bool,
    /// The current candidate core (`flag_context`'s `s..e`) whose negative words are not
    /// looked up yet; `None` once they are, or outside a candidate.
    neg_pending: Option<(usize, usize)>,
    touched: Vec<u16>,
    cands: Vec<Hit>,
    regexes: Vec<Regex>,
    locs: Vec<Option<CaptureLocations>>,
    /// Search state of each detector's ASCII twin (see [`Spec::ascii_value`]), made on first use.
    twins: Vec<Option<TwinCache>>,
    /// This thread's search caches for [`Engine::digit_sets`] (never shared, so never locked).
    digit_cache: [Vec<meta::Cache>; 2],
    digit_hits: [Vec<PatternSet>; 2],
    kw_cache: KeywordCache,
    kw_hits: Vec<KeywordHit>,
    /// Per digit detector: run it around the current cluster.
    digit_run: Vec<bool>,
    /// Validator outcomes of the current cell's header pass, by (detector, value span, weak
    /// counts); `None` where the value was invalid. The `@`, keyword and digit passes find
    /// the same values again (a phone column's cell is a field value and also holds digit
    /// clusters), and a verdict depends on nothing else, so they reuse it: on a customer
    /// export phone validation ran three times per phone cell.
    verdicts: Vec<Verdicted>,
    /// The header pass is running: [`Scratch::verdicts`] takes its outcomes.
    remember: bool,
}

/// One remembered validator outcome (see [`Scratch::verdicts`]).
type Verdicted = ((u16, usize, usize, bool), Option<(String, bool)>);

const FLAG_CTX: u8 = 1;
const FLAG_NEG: u8 = 2;

/// One combined automaton over some digit detectors.
#[derive(Debug)]
struct DigitSet {
    re: meta::Regex,
    /// Pattern `i` of `re` is the detector at `by_trigger[0][members[i]]`.
    members: Vec<usize>,
    /// The longest match any of its patterns can make (bytes), if bounded: a match overlapping
    /// a cluster ends within this of the cluster's end, so the set need not look further.
    max_len: Option<usize>,
    /// Bytes before and after a cluster that hold every match of its patterns overlapping the
    /// cluster, when [`reach::reach`] proves it for all of them (phone: one byte left, for `+`
    /// or `(`; none right). Searching only that span reports the same detectors as the whole
    /// window: a match elsewhere in the window does not overlap the cluster, and `try_regex`
    /// drops those anyway.
    reach: Option<(usize, usize)>,
    /// A cluster with fewer digits than this, or a bare run of more than `max_bare`, cannot
    /// yield a value of any pattern here (see [`DigitSet::skips`]).
    min_digits: usize,
    max_bare: usize,
}

impl DigitSet {
    /// Whether no pattern of the set can report a value overlapping the cluster `p..ce` of `nd`
    /// digits, so searching the set there would only find matches `try_regex` drops.
    ///
    /// Why this holds: `try_regex` drops a value whose digit count is outside its pattern's
    /// [`Spec::digits`], and a digit pattern's value glued to a digit on either side. With
    /// `reach`, every match keeps its digits inside the one cluster it overlaps, so a value
    /// holds at most `nd` digits. A bare run of digits (no joiners) has non-digits on both
    /// sides, so a value overlapping it that is not glued to a digit holds the whole run: at
    /// least `nd` digits (this needs the value to be the whole match, as it is without a
    /// `value` group). On 113 MB of source code, 36 ms of a 0.45 s scan went on 4,287 bare runs of
    /// more than 15 digits (`0x0000000000000000…`, 64-bit constants), ~8 µs each, almost all of
    /// it the phone pattern's.
    fn skips(&self, p: usize, ce: usize, nd: usize) -> bool {
        nd < self.min_digits || (ce - p == nd && nd > self.max_bare)
    }
}

/// All detectors, compiled into one scanner.
#[derive(Debug)]
pub struct Engine {
    specs: Vec<Spec>,
    by_trigger: [Vec<u16>; 4],
    /// Digit-triggered detectors' regexes in a few combined automata: one pass of each over a
    /// cluster's window says which detectors can match there at all, so a cluster costs a few
    /// searches plus the one or two detectors that matter, not ~25. Two lists: `[0]` holds only
    /// the detectors that need no context or header (what can match around most clusters), in
    /// one automaton; `[1]` all of them, each large pattern in an automaton of its own and the
    /// small ones together (see [`BIG_PATTERN_STATES`]). The smaller list is used whenever no
    /// context word or header lets the others run.
    digit_sets: [Vec<DigitSet>; 2],
    /// Per digit detector (same order): run whether or not the set matched (see
    /// [`set_source`]).
    digit_always: Vec<bool>,
    /// Per detector: digit-triggered and needs a context word or header to run.
    needs_unlock: Vec<bool>,
    /// Headers and negative words, for what a field's name says (see [`FieldIndex`]).
    field_index: FieldIndex,
    /// Every pattern's `context` words; `ctx_dets[w]` lists the detectors of word `w`.
    ctx_ac: Option<AhoCorasick>,
    ctx_dets: Vec<Vec<u16>>,
    /// Every pattern's `negative_context` words, searched apart and only when a match is
    /// scored (see [`Engine::near_negative`]).
    neg_ac: Option<AhoCorasick>,
    neg_dets: Vec<Vec<u16>>,
    /// Length of the longest negative word.
    neg_longest: usize,
    /// Length of the longest context word.
    ctx_longest: usize,
    /// Trigger keywords (see [`Keywords`]).
    keywords: Option<Keywords>,
    vctx: validate::Ctx,
    /// Hits below this confidence in a cell without a field are never reported (see
    /// [`Engine::set_report_floor`]).
    floor: Confidence,
    /// Passes after the header pass reuse its validator outcomes (see [`Scratch::verdicts`]).
    /// Off only in a test that checks the reuse changes no hit.
    reuse_verdicts: bool,
}

fn trigger_slot(t: Trigger) -> usize {
    match t {
        Trigger::Digit => 0,
        Trigger::At => 1,
        Trigger::Keyword => 2,
        Trigger::Field => 3,
    }
}

impl Engine {
    /// Compiles `specs` (already checked) into an engine using `vctx` for validators.
    pub fn new(specs: Vec<Spec>, vctx: validate::Ctx) -> Result<Engine, EngineError> {
        let mut seen = std::collections::HashSet::new();
        for s in &specs {
            if !seen.insert(s.id.clone()) {
                return Err(EngineError::DuplicateId(s.id.clone()));
            }
        }
        let mut by_trigger: [Vec<u16>; 4] = Default::default();
        let mut context = WordList::default();
        let mut negative = WordList::default();
        let mut kws: Vec<String> = Vec::new();
        let mut kw_idx: HashMap<String, usize> = HashMap::new();
        let mut kw_dets: Vec<Vec<u16>> = Vec::new();
        for (i, s) in specs.iter().enumerate() {
            let i = i as u16;
            by_trigger[trigger_slot(s.trigger)].push(i);
            for w in &s.context {
                context.add(w, i);
            }
            for w in &s.negative_context {
                negative.add(w, i);
            }
            for k in &s.keywords {
                let idx = *kw_idx.entry(k.clone()).or_insert_with(|| {
                    kws.push(k.clone());
                    kw_dets.push(Vec::new());
                    kws.len() - 1
                });
                kw_dets[idx].push(i);
            }
        }
        let build = |pats: &[String], kind| -> Result<Option<AhoCorasick>, EngineError> {
            if pats.is_empty() {
                return Ok(None);
            }
            Ok(Some(
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(kind)
                    // A full DFA: ~100 short words make a small one, and it is measured ~5%
                    // faster over clean code than the automaton the crate picks by itself.
                    .kind(Some(AhoCorasickKind::DFA))
                    .build(pats)?,
            ))
        };
        let set_srcs: Vec<Option<String>> = by_trigger[0]
            .iter()
            .map(|&d| set_source(&specs[d as usize].regex_src))
            .collect();
        // Per digit detector, from one NFA each: its size and its reach (see `nfa_facts`).
        let facts: Vec<(usize, Option<(usize, usize)>)> = set_srcs
            .iter()
            .map(|src| src.as_deref().map_or((0, None), nfa_facts))
            .collect();
        let build_set = |members: Vec<usize>| -> Result<Option<DigitSet>, EngineError> {
            if members.is_empty() {
                return Ok(None);
            }
            let srcs: Vec<&str> = members
                .iter()
                .filter_map(|&i| set_srcs[i].as_deref())
                .collect();
            // `All` reports every pattern that matches, which is what a prefilter needs.
            let re = meta::Regex::builder()
                .syntax(set_syntax())
                .configure(
                    meta::Config::new()
                        .match_kind(regex_automata::MatchKind::All)
                        .utf8_empty(false)
                        .nfa_size_limit(Some(64 << 20))
                        .hybrid_cache_capacity(16 << 20),
                )
                .build_many(&srcs)
                .map_err(Box::new)?;
            let max_len = members
                .iter()
                .filter_map(|&i| set_srcs[i].as_deref())
                .map(max_len)
                .try_fold(0usize, |m, l| l.map(|l| m.max(l)));
            let reach = members
                .iter()
                .map(|&i| facts[i].1)
                .try_fold((0usize, 0usize), |(l, r), x| {
                    x.map(|(xl, xr)| (l.max(xl), r.max(xr)))
                });
            let spec = |i: usize| &specs[by_trigger[0][i] as usize];
            let min_digits = match reach {
                Some(_) => members
                    .iter()
                    .map(|&i| spec(i).digits.map_or(0, |(lo, _)| lo))
                    .min()
                    .unwrap_or(0),
                None => 0,
            };
            let max_bare = members
                .iter()
                .map(|&i| match (spec(i).digits, spec(i).value_group) {
                    (Some((_, hi)), None) => hi,
                    _ => usize::MAX,
                })
                .max()
                .unwrap_or(usize::MAX);
            Ok(Some(DigitSet {
                re,
                members,
                max_len,
                reach,
                min_digits,
                max_bare,
            }))
        };
        let settable = |i: &usize| set_srcs[*i].is_some();
        let free: Vec<usize> = (0..by_trigger[0].len())
            .filter(settable)
            .filter(|&i| specs[by_trigger[0][i] as usize].require == Require::None)
            .collect();
        let all: Vec<usize> = (0..by_trigger[0].len()).filter(settable).collect();
        // In the list of all digit detectors a large pattern gets an automaton of its own and
        // the small ones share one (see `BIG_PATTERN_STATES`); of the nine that need no context
        // only the phone pattern does (see `HUGE_PATTERN_STATES`).
        let split = |members: Vec<usize>, limit: usize| -> Result<Vec<DigitSet>, EngineError> {
            let (big, small): (Vec<usize>, Vec<usize>) =
                members.into_iter().partition(|&i| facts[i].0 >= limit);
            let mut sets = Vec::new();
            for group in big.into_iter().map(|i| vec![i]).chain([small]) {
                sets.extend(build_set(group)?);
            }
            Ok(sets)
        };
        let digit_sets = [
            split(free, HUGE_PATTERN_STATES)?,
            split(all, BIG_PATTERN_STATES)?,
        ];
        let digit_always = set_srcs.iter().map(Option::is_none).collect();
        let needs_unlock = specs
            .iter()
            .map(|s| s.trigger == Trigger::Digit && s.require != Require::None)
            .collect();
        Ok(Engine {
            field_index: FieldIndex::new(&specs),
            digit_sets,
            digit_always,
            needs_unlock,
            // Context words are searched overlapping (every word counts).
            ctx_ac: build(&context.words, MatchKind::Standard)?,
            ctx_longest: context.longest(),
            neg_ac: build(&negative.words, MatchKind::Standard)?,
            neg_longest: negative.longest(),
            ctx_dets: context.dets,
            neg_dets: negative.dets,
            keywords: Keywords::new(kws, kw_dets)?,
            specs,
            by_trigger,
            vctx,
            floor: Confidence::Low,
            reuse_verdicts: true,
        })
    }

    /// Tells the engine that the caller reports nothing below `min` except `low` hits that
    /// column classification promotes, which happens only in cells with a field. A validator
    /// may then refuse a value it could only accept in a weak form where that weak form would
    /// score below `min` and nothing (header, context word, field) could lift it: on source
    /// code, most phone candidates are bare runs of digits (`u32 = 2148296213`) that are valid
    /// US numbers in weak form, and deciding so was most of phone validation. The default, `low`,
    /// keeps every weak verdict.
    pub fn set_report_floor(&mut self, min: Confidence) {
        self.floor = min;
    }

    /// The compiled detectors, indexed by [`Hit::detector`].
    pub fn specs(&self) -> &[Spec] {
        &self.specs
    }

    /// The validator context (phone region, today).
    pub fn validate_ctx(&self) -> &validate::Ctx {
        &self.vctx
    }

    /// Scans one cell. `text` is the cell's decoded text; `field` its field name if the format
    /// knows one; only hits starting inside `accept` are reported (the rest belong to a
    /// neighbouring chunk's overlap). Hits are appended to `out` in order of position.
    pub fn scan(
        &self,
        text: &[u8],
        field: Option<&str>,
        accept: Range<usize>,
        explain: bool,
        scratch: &mut Scratch,
        out: &mut Vec<Hit>,
    ) {
        if scratch.ctx_flags.len() != self.specs.len() {
            scratch.ctx_flags = vec![0; self.specs.len()];
        }
        if scratch.regexes.len() != self.specs.len() {
            scratch.regexes = self.specs.iter().map(|s| s.regex.clone()).collect();
            scratch.locs = vec![None; self.specs.len()];
            scratch.twins = vec![None; self.specs.len()];
        }
        let finfo = match field {
            Some(f) => self.field_info(f, scratch),
            None => scratch.no_field.clone(),
        };
        let mut cands = std::mem::take(&mut scratch.cands);
        cands.clear();
        scratch.ctx_matched = false;
        scratch.neg_pending = None;
        scratch.verdicts.clear();
        scratch.remember = self.reuse_verdicts;

        // Field detectors: the whole cell is the candidate. Other detectors whose headers match
        // the field also see the whole (short) cell, so a value their cheap trigger cannot see
        // (an alphanumeric member number, a passport number with few digits) is still found
        // where the field name vouches for it; `resolve` drops the duplicate spans.
        for &d in &finfo.header {
            let spec = &self.specs[d as usize];
            if spec.trigger == Trigger::Field || text.len() <= MAX_FIELD_CELL {
                self.try_regex(
                    d,
                    text,
                    0..text.len(),
                    0..text.len(),
                    &finfo,
                    explain,
                    scratch,
                    &mut cands,
                );
            }
        }
        scratch.remember = false;
        // `@` candidates.
        if !self.by_trigger[1].is_empty() {
            let mut covered = 0;
            for at in memchr::memchr_iter(b'@', text) {
                if at < covered {
                    continue;
                }
                let mut s = at;
                while s > 0 && at - s < 64 && is_local_byte(text[s - 1]) {
                    s -= 1;
                }
                let mut e = at + 1;
                while e < text.len() && e - at < MAX_EMAIL && is_domain_byte(text[e]) {
                    e += 1;
                }
                // An address literal (`user@[192.0.2.1]`): the window takes the brackets.
                if text.get(at + 1) == Some(&b'[') {
                    let lim = (at + 2 + 50).min(text.len());
                    if let Some(close) = memchr::memchr(b']', &text[at + 1..lim]) {
                        e = at + 2 + close;
                    }
                }
                let before = cands.len();
                self.flag_context(text, s, e, scratch);
                for &d in &self.by_trigger[1] {
                    self.try_regex(
                        d,
                        text,
                        s..e,
                        at..at + 1,
                        &finfo,
                        explain,
                        scratch,
                        &mut cands,
                    );
                }
                self.clear_context(scratch);
                covered = cands[before..]
                    .iter()
                    .map(|c| c.end)
                    .max()
                    .unwrap_or(at + 1);
            }
        }
        // Keyword-triggered detectors.
        if let Some(kw) = &self.keywords {
            let mut hits = std::mem::take(&mut scratch.kw_hits);
            hits.clear();
            kw.find(text, &mut scratch.kw_cache, &mut hits);
            for m in &hits {
                let win_end = (m.end + MAX_MATCH).min(text.len());
                let s = m.start;
                // Keywords can sit inside or after the value ("jane [at] example.com", "12 Example
                // Street"): the window reaches `MAX_WINDOW` bytes left, on a char boundary.
                let mut ws = s.saturating_sub(MAX_WINDOW);
                while ws < s && (text[ws] & 0xC0) == 0x80 {
                    ws += 1;
                }
                self.flag_context(text, s, m.end, scratch);
                for &d in kw.detectors(m) {
                    self.try_regex(
                        d,
                        text,
                        ws..win_end,
                        s..win_end,
                        &finfo,
                        explain,
                        scratch,
                        &mut cands,
                    );
                }
                self.clear_context(scratch);
            }
            scratch.kw_hits = hits;
        }
        // Digit clusters.
        if !self.by_trigger[0].is_empty() {
            let mut i = 0;
            let mut covered = 0;
            while let Some(p) = next_digit(text, i) {
                let (ce, nd) = cluster(text, p);
                i = ce.max(p + 1);
                if nd < MIN_CLUSTER_DIGITS || ce <= covered {
                    continue;
                }
                let ws = p.saturating_sub(LEFT);
                let mut we = (p + MAX_MATCH).min(text.len()).max(ce);
                // Do not cut a word in half at the window's end: `\b` would see a false edge.
                while we < text.len() && we - ce < MAX_MATCH && text[we].is_ascii_alphanumeric() {
                    we += 1;
                }
                let before = cands.len();
                self.flag_context(text, p, ce, scratch);
                // Detectors that need a context word or header can only run where one is.
                let unlocked = scratch.ctx_unlocked || finfo.unlocks_digit;
                let which = usize::from(unlocked);
                let n = self.by_trigger[0].len();
                let mut run = std::mem::take(&mut scratch.digit_run);
                run.clear();
                run.extend_from_slice(&self.digit_always);
                run.resize(n, false);
                let sets = &self.digit_sets[which];
                if scratch.digit_cache[which].len() != sets.len() {
                    scratch.digit_cache[which] = sets.iter().map(|s| s.re.create_cache()).collect();
                    scratch.digit_hits[which] = sets
                        .iter()
                        .map(|s| PatternSet::new(s.re.pattern_len()))
                        .collect();
                }
                for (k, set) in sets.iter().enumerate() {
                    let hits = &mut scratch.digit_hits[which][k];
                    hits.clear();
                    if set.skips(p, ce, nd) {
                        continue;
                    }
                    let cache = &mut scratch.digit_cache[which][k];
                    // Look-around at the span's end still sees the haystack beyond it.
                    let span = match set.reach {
                        Some((l, r)) => p.saturating_sub(l).max(ws)..(ce + r).min(we),
                        None => ws..set.max_len.map_or(we, |l| we.min(ce + l)),
                    };
                    set.re.which_overlapping_matches_with(
                        cache,
                        &Input::new(&text[..we]).span(span),
                        hits,
                    );
                    for pid in hits.iter() {
                        run[set.members[pid.as_usize()]] = true;
                    }
                }
                for (i, &d) in self.by_trigger[0].iter().enumerate() {
                    if run[i] {
                        self.try_regex(
                            d,
                            text,
                            ws..we,
                            p..ce,
                            &finfo,
                            explain,
                            scratch,
                            &mut cands,
                        );
                    }
                }
                scratch.digit_run = run;
                self.clear_context(scratch);
                if let Some(end) = cands[before..].iter().map(|c| c.end).max() {
                    covered = covered.max(end);
                    i = i.max(end);
                }
            }
        }
        resolve(&mut cands, &self.specs, accept, out);
        scratch.cands = cands;
    }

    /// Runs detector `d`'s regex within `win` (searching from its start, haystack cut at its
    /// end) and keeps matches overlapping `core`, validated and scored, in `cands`.
    #[allow(clippy::too_many_arguments)]
    fn try_regex(
        &self,
        d: u16,
        text: &[u8],
        win: Range<usize>,
        core: Range<usize>,
        finfo: &FieldInfo,
        explain: bool,
        scratch: &mut Scratch,
        cands: &mut Vec<Hit>,
    ) {
        let spec = &self.specs[d as usize];
        let flags = scratch.ctx_flags[d as usize];
        let header = finfo.header.contains(&d);
        let context = flags & FLAG_CTX != 0;
        let required = match spec.require {
            Require::None => true,
            Require::Context => context,
            Require::Header => header,
            Require::ContextOrHeader => context || header,
        };
        if !required {
            return;
        }
        // What a weak verdict scores with no header or context (see `score`): reportable only
        // at or above the floor, or where a column could promote it.
        let weak_counts = header
            || context
            || finfo.in_field
            || score::confidence(
                spec.base,
                Evidence {
                    weak: true,
                    ..Evidence::default()
                },
            )
            .is_some_and(|c| c >= self.floor);
        let hay = &text[..win.end];
        let mut pos = win.start;
        let regex = &scratch.regexes[d as usize];
        let locs = scratch.locs[d as usize].get_or_insert_with(|| regex.capture_locations());
        while pos <= hay.len() {
            let (whole, m) = if spec.whole_cell {
                // The trimmed cell, as the regex would find it (see `spec::whole_cell`).
                let Some((whole, value)) = whole_cell(hay, pos) else {
                    break;
                };
                (whole, Span::new(hay, value.start, value.end))
            } else {
                // Capture groups cost a second, slower engine pass after the DFA finds the
                // match: ask for them only when the pattern has a `value` group, and from its
                // ASCII twin when the match is ASCII.
                let Some(w) = regex.find_at(hay, pos) else {
                    break;
                };
                let whole = w.range();
                let value = spec.value_group.and_then(|g| {
                    let twin = spec.ascii_value.as_ref().and_then(|t| {
                        let tc = scratch.twins[d as usize].get_or_insert_with(|| t.cache());
                        t.value(tc, hay, whole.clone())
                    });
                    match twin {
                        Some(v) => v,
                        // Not ASCII: the full capture pass, from where it matched (the same
                        // match; were it somehow none, no group is read).
                        None => regex
                            .captures_read_at(locs, hay, whole.start)
                            .and_then(|_| locs.get(g))
                            .map(|(s, e)| s..e),
                    }
                });
                // A `value` group, when the pattern has one, is the reported span: "Dear (Jane)".
                let m = match value {
                    Some(v) => Span::new(hay, v.start, v.end),
                    None => Span::new(hay, whole.start, whole.end),
                };
                (whole, m)
            };
            if whole.start >= core.end {
                break;
            }
            pos = if whole.end > whole.start {
                whole.end
            } else {
                whole.end + 1
            };
            if whole.end <= core.start || m.is_empty() {
                continue;
            }
            if spec.trigger == Trigger::Digit
                && (m.start() > 0 && text[m.start() - 1].is_ascii_digit()
                    || text.get(m.end()).is_some_and(u8::is_ascii_digit))
            {
                // Part of a longer digit run: a card inside a 20-digit id is not a card.
                continue;
            }
            if let Some((lo, hi)) = spec.digits {
                let n = m.as_bytes().iter().filter(|b| b.is_ascii_digit()).count();
                if n < lo || n > hi {
                    continue;
                }
            }
            let raw = String::from_utf8_lossy(m.as_bytes());
            let (normalised, weak, vnote) = match &spec.validator {
                None => (raw.trim().to_string(), false, "no validator"),
                Some((_, f)) => {
                    let key = (d, m.start(), m.end(), weak_counts);
                    let verdict = match scratch.verdicts.iter().find(|v| v.0 == key) {
                        Some((_, known)) => known.clone(),
                        None => {
                            // The validator sees at most `AROUND` bytes each side, cut at
                            // the line: look for the newline only that far. Searching the
                            // whole cell for it cost O(cell) per candidate, quadratic on a
                            // long line of candidates (a 200 KB `1.1.1.…` line: 1.4 s).
                            let lo = m.start().saturating_sub(AROUND);
                            let line_start = memchr::memrchr(b'\n', &text[lo..m.start()])
                                .map_or(lo, |p| lo + p + 1);
                            let hi = (m.end() + AROUND).min(text.len());
                            let line_end = memchr::memchr(b'\n', &text[m.end()..hi])
                                .map_or(hi, |p| m.end() + p);
                            let cand = Candidate {
                                text: &raw,
                                before: &text[line_start..m.start()],
                                after: &text[m.end()..line_end],
                                weak_counts,
                            };
                            let v = match f(&cand, &self.vctx) {
                                Verdict::Valid { normalised, weak } => Some((normalised, weak)),
                                Verdict::Invalid(_) => None,
                            };
                            if scratch.remember {
                                scratch.verdicts.push((key, v.clone()));
                            }
                            v
                        }
                    };
                    let Some((normalised, weak)) = verdict else {
                        continue;
                    };
                    (
                        normalised,
                        weak,
                        if weak { "valid (weak form)" } else { "valid" },
                    )
                }
            };
            let negative = finfo.negative.contains(&d)
                || self.near_negative(
                    d,
                    text,
                    &mut scratch.neg_pending,
                    &mut scratch.ctx_flags,
                    &mut scratch.touched,
                );
            let ev = Evidence {
                weak,
                header,
                context,
                negative,
            };
            let Some(confidence) = score::confidence(spec.base, ev) else {
                continue;
            };
            let explain = explain.then(|| {
                let v = spec.validator.as_ref().map_or("none", |(n, _)| n.as_str());
                format!(
                    "validator {v}: {vnote}; header: {}; context: {}; negative context: {}; base {}",
                    if header { "match" } else { "no" },
                    if context { "yes" } else { "no" },
                    if negative { "yes" } else { "no" },
                    spec.base
                )
            });
            cands.push(Hit {
                start: m.start(),
                end: m.end(),
                detector: d,
                confidence,
                normalised,
                explain,
            });
        }
    }

    fn field_info(&self, field: &str, scratch: &mut Scratch) -> Arc<FieldInfo> {
        if let Some(fi) = scratch.fields.get(field) {
            return fi.clone();
        }
        let fi = Arc::new(self.compute_field_info(field));
        // Bounded: a hostile file with millions of distinct keys must not grow this.
        if scratch.fields.len() > 4096 {
            scratch.fields.clear();
        }
        scratch.fields.insert(field.into(), fi.clone());
        fi
    }

    fn compute_field_info(&self, field: &str) -> FieldInfo {
        let m = self.field_index.classify(field);
        FieldInfo {
            unlocks_digit: m.header.iter().any(|&d| self.needs_unlock[d as usize]),
            header: m.header,
            negative: m.negative,
            in_field: true,
        }
    }

    /// Marks, per detector, whether a context word lies within its `window` around the
    /// candidate core `s..e`, and remembers the core for [`Engine::near_negative`].
    fn flag_context(&self, text: &[u8], s: usize, e: usize, scratch: &mut Scratch) {
        scratch.neg_pending = Some((s, e));
        let Some(ac) = &self.ctx_ac else { return };
        let ws = s.saturating_sub(MAX_WINDOW);
        let we = (e + MAX_WINDOW / 2).min(text.len());
        self.find_context(ac, text, ws, we, scratch);
        // Matches are in end order; the first that can lie inside the window ends after `ws`.
        let from = scratch.ctx_matches.partition_point(|m| m.1 <= ws);
        for k in from..scratch.ctx_matches.len() {
            let (ms, me, w) = scratch.ctx_matches[k];
            if me > we {
                break;
            }
            if ms < ws {
                continue;
            }
            // Context does not reach across a line break: in a ticket or log, the word on the
            // previous line is about something else.
            let gap = if me <= s {
                &text[me..s]
            } else {
                &text[e.min(ms)..ms]
            };
            if gap.contains(&b'\n') {
                continue;
            }
            for &d in &self.ctx_dets[w as usize] {
                let w = self.specs[d as usize].window.min(MAX_WINDOW);
                if !(me + w >= s && ms <= e + w / 2) {
                    continue;
                }
                let flag = &mut scratch.ctx_flags[d as usize];
                if *flag == 0 {
                    scratch.touched.push(d);
                }
                scratch.ctx_unlocked |= self.needs_unlock[d as usize];
                *flag |= FLAG_CTX;
            }
        }
    }

    /// Whether a negative word of detector `d` lies just before the current candidate core
    /// (within [`NEGATIVE_WINDOW`] bytes) or overlaps it: "order 0491 570 156" is an order
    /// number, while "id 42, phone 0491 570 156" is a phone.
    ///
    /// Looked up only when a match is scored, once per candidate. Why: negative words are most
    /// of the ~400 context words and the ones that occur inside identifiers (`id`, `v`, `key`,
    /// `type`); searching them in every candidate's window was most of the context-word cost
    /// on source code, where almost no candidate becomes a match.
    ///
    /// Takes the parts of [`Scratch`] it updates: the caller holds its regexes borrowed.
    fn near_negative(
        &self,
        d: u16,
        text: &[u8],
        pending: &mut Option<(usize, usize)>,
        flags: &mut [u8],
        touched: &mut Vec<u16>,
    ) -> bool {
        if let Some((s, e)) = pending.take()
            && let Some(ac) = &self.neg_ac
        {
            // The same bounds a word had to meet inside the context window, which holds every
            // word ending at most `NEGATIVE_WINDOW` before `s` and starting by `e`.
            let ws = s.saturating_sub(MAX_WINDOW);
            let we = (e + MAX_WINDOW / 2).min(text.len());
            let lo = s.saturating_sub(NEGATIVE_WINDOW + self.neg_longest).max(ws);
            let hi = (e + self.neg_longest).min(we).max(lo);
            for m in ac.find_overlapping_iter(&text[lo..hi]) {
                let (ms, me) = (lo + m.start(), lo + m.end());
                if me + NEGATIVE_WINDOW < s || ms > e || !word_bounded(text, ms, me) {
                    continue;
                }
                for &n in &self.neg_dets[m.pattern().as_usize()] {
                    let flag = &mut flags[n as usize];
                    if *flag == 0 {
                        touched.push(n);
                    }
                    *flag |= FLAG_NEG;
                }
            }
        }
        flags[d as usize] & FLAG_NEG != 0
    }

    /// Makes `scratch.ctx_matches` hold every context-word occurrence inside `ws..we`, searching
    /// only text not searched yet for this cell: each detection pass moves left to right, so
    /// a window usually extends the searched span and costs only its new bytes; a window
    /// before it or past a gap starts a new span. (An occurrence inside a window is exactly an
    /// occurrence in the cell that lies within the window, so spans can be searched apart.)
    fn find_context(
        &self,
        ac: &AhoCorasick,
        text: &[u8],
        ws: usize,
        we: usize,
        scratch: &mut Scratch,
    ) {
        let (lo, hi) = scratch.ctx_span;
        if scratch.ctx_matched && ws >= lo && we <= hi {
            return;
        }
        let extend = scratch.ctx_matched && ws >= lo && ws <= hi;
        let from = if extend {
            // A word ending after `hi` starts at most `longest - 1` bytes before it.
            hi.saturating_sub(self.ctx_longest.saturating_sub(1))
                .max(lo)
        } else {
            scratch.ctx_matches.clear();
            scratch.ctx_span.0 = ws;
            ws
        };
        let mut last_end = scratch.ctx_matches.last().map_or(0, |m| m.1);
        let mut sorted = true;
        for m in ac.find_overlapping_iter(&text[from..we]) {
            let (ms, me) = (from + m.start(), from + m.end());
            // When extending, occurrences ending by `hi` were found when the span was searched.
            if extend && me <= hi || !word_bounded(text, ms, me) {
                continue;
            }
            sorted &= me >= last_end;
            last_end = me;
            scratch.ctx_matches.push((ms, me, m.pattern().as_u32()));
        }
        if !sorted {
            scratch.ctx_matches.sort_unstable_by_key(|m| (m.1, m.0));
        }
        scratch.ctx_matched = true;
        scratch.ctx_span.1 = we;
    }

    fn clear_context(&self, scratch: &mut Scratch) {
        scratch.ctx_unlocked = false;
        scratch.neg_pending = None;
        for d in scratch.touched.drain(..) {
            scratch.ctx_flags[d as usize] = 0;
        }
    }
}

/// Keeps the best of overlapping candidates (confidence, then priority, then length) and
/// appends those starting inside `accept` to `out`, in position order.
fn resolve(cands: &mut [Hit], specs: &[Spec], accept: Range<usize>, out: &mut Vec<Hit>) {
    cands.sort_by(|a, b| {
        b.confidence
            .cmp(&a.confidence)
            .then(
                specs[b.detector as usize]
                    .priority
                    .cmp(&specs[a.detector as usize].priority),
            )
            .then((b.end - b.start).cmp(&(a.end - a.start)))
            .then(a.start.cmp(&b.start))
    });
    let first = out.len();
    // Taken spans are disjoint, so ordered by start they are ordered by end too: a span
    // overlaps one of them iff it overlaps the last taken span starting before its end. (A
    // list scanned for every candidate was quadratic: ~20% of a scan of source code, whose
    // large text cells hold thousands of candidates.)
    let mut taken: std::collections::BTreeMap<usize, usize> = std::collections::BTreeMap::new();
    for c in cands.iter() {
        let overlaps = taken
            .range(..c.end)
            .next_back()
            .is_some_and(|(_, &end)| end > c.start);
        if overlaps {
            continue;
        }
        taken.insert(c.start, c.end);
        if accept.contains(&c.start) {
            out.push(c.clone());
        }
    }
    out[first..].sort_by_key(|h| (h.start, h.end));
}

/// The pattern a digit detector contributes to the combined automaton: its own regex, with
/// Unicode letter classes (`\p{L}` for month names) widened to "an ASCII letter or 2–4 bytes
/// of a non-ASCII character" — a superset that keeps the DFA small (measured: with the
/// Unicode classes in, the set spent its time determinizing). `None` when the pattern cannot be
/// widened that way (the detector is then run around every cluster).
fn set_source(src: &str) -> Option<String> {
    if src.contains("\\w") || src.contains("\\W") || src.contains("\\p{") || src.contains("\\P{") {
        return None;
    }
    let wide = "(?:[A-Za-z]|(?-u:[\\x80-\\xFF]){2,4})";
    let out = src
        .replace("\\p{Lu}", wide)
        .replace("\\p{Ll}", wide)
        .replace("\\p{L}", wide);
    // A class inside a class (`[\p{L}']`) does not widen by text replacement; parse to check.
    (!out.contains("\\p{") && max_len_parse(&out).is_some()).then_some(out)
}

/// In the list of all digit detectors, a pattern with at least this many Thompson NFA states
/// gets an automaton of its own. Overlapping search over one automaton of all ~25 kept the lazy
/// DFA building new states (~11% of a dense two-thread scan): every digit starts a thread in
/// every pattern, and the large ones (phone ~190 states, IP addresses ~110, cards ~90) multiply
/// the combinations. Split out, each automaton settles; measured on the dense corpus (-j2, two
/// interleaved runs each) 13.3-13.7 s -> 11.7-12.4 s.
const BIG_PATTERN_STATES: usize = 80;

/// In the list of detectors that need no context, a pattern with at least this many Thompson NFA
/// states gets an automaton of its own; the rest stay together (splitting every large one out
/// there added passes: source code corpus, -j1, 1.67 -> 1.81 s). Only the phone pattern is this
/// large (~190 states): alone its automaton grows to 3.7 MB of lazy-DFA states over 113 MB of
/// source code, the others together to 0.1 MB, but all nine in one to 18 MB — more than the
/// cache holds, so it was cleared and rebuilt, and building states was ~16% of the scan.
/// Measured with phone split out: that corpus 0.65 -> 0.60 s (-j1, three interleaved runs each)
/// and peak RSS 58 -> 39 MB; the dense corpus's CSV and NDJSON parts 1-3% faster.
const HUGE_PATTERN_STATES: usize = 150;

/// The syntax of the combined automata: the same as each detector's own `regex::bytes::Regex`
/// (Unicode on, matching invalid UTF-8 allowed), so a set matches a window whenever one of its
/// detectors does.
pub(crate) fn set_syntax() -> regex_automata::util::syntax::Config {
    regex_automata::util::syntax::Config::new()
        .unicode(true)
        .utf8(false)
}

/// `src` compiled as the combined automata compile it, once for both facts the set build needs:
/// its Thompson NFA states (0 if it does not compile; the set build then reports the error)
/// and its [`reach::reach`].
fn nfa_facts(src: &str) -> (usize, Option<(usize, usize)>) {
    regex_automata::nfa::thompson::NFA::compiler()
        .syntax(set_syntax())
        .build(src)
        .map_or((0, None), |nfa| (nfa.states().len(), reach::reach(&nfa)))
}

/// The longest match of `src` in bytes, `None` if unbounded or unparsable.
fn max_len(src: &str) -> Option<usize> {
    max_len_parse(src).flatten()
}

fn max_len_parse(src: &str) -> Option<Option<usize>> {
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(true)
        .utf8(false)
        .build()
        .parse(src)
        .ok()?;
    Some(hir.properties().maximum_len())
}

/// Position of the first ASCII digit at or after `from`. Eight bytes at a time: prose and
/// code are mostly letters, and a word with no digit byte is skipped in one step; in a word
/// with one, the exact per-byte mask gives its position without a second, bytewise look.
fn next_digit(text: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut i = from;
    while i + 8 <= text.len() {
        let mut w = [0u8; 8];
        w.copy_from_slice(&text[i..i + 8]);
        let x = u64::from_le_bytes(w);
        // Per byte of `y = x & 0x7f` (no carry can cross a byte: 0x7f + 0x50 < 0x100), the
        // high bit of `y + 0x50` says `y >= 0x30` and that of `y + 0x46` says `y >= 0x3a`; a
        // digit is the first and not the second, with its own high bit clear.
        let y = x & !HIGH;
        let mask = (y + 0x50 * ONES) & !(y + 0x46 * ONES) & !x & HIGH;
        if mask != 0 {
            return Some(i + (mask.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    text.get(i..)?
        .iter()
        .position(u8::is_ascii_digit)
        .map(|p| p + i)
}

/// End (exclusive) and digit count of the digit cluster starting at `p`.
fn cluster(text: &[u8], p: usize) -> (usize, usize) {
    let n = text.len();
    let (mut i, mut nd) = (p, 0);
    loop {
        while i < n && text[i].is_ascii_digit() {
            i += 1;
            nd += 1;
        }
        let joiner = |b: u8| matches!(b, b' ' | b'-' | b'.' | b'/' | b'(' | b')');
        if i + 1 < n && joiner(text[i]) && text[i + 1].is_ascii_digit() {
            i += 1;
        } else if i + 2 < n
            && joiner(text[i])
            && joiner(text[i + 1])
            && text[i + 2].is_ascii_digit()
        {
            i += 2;
        } else {
            return (i, nd);
        }
    }
}

fn is_local_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80 || b"._%+-'".contains(&b)
}

fn is_domain_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80 || b == b'.' || b == b'-'
}

/// A match span (the regex's whole match or its `value` group) over the searched haystack.
struct Span<'h> {
    hay: &'h [u8],
    start: usize,
    end: usize,
}

impl<'h> Span<'h> {
    fn new(hay: &'h [u8], start: usize, end: usize) -> Span<'h> {
        Span { hay, start, end }
    }
    fn start(&self) -> usize {
        self.start
    }
    fn end(&self) -> usize {
        self.end
    }
    fn is_empty(&self) -> bool {
        self.start == self.end
    }
    fn as_bytes(&self) -> &'h [u8] {
        &self.hay[self.start..self.end]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A seeded xorshift: `next(n)` is in `0..n`.
    fn seeded(mut seed: u64) -> impl FnMut(usize) -> usize {
        move |n| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        }
    }

    /// The `digits` bounds in the pattern files only save work: an engine without them (every
    /// cluster searched, every match validated) finds exactly the same hits, on seeded text
    /// that puts valid numbers next to bare runs, joiners and more digits of every length.
    #[test]
    fn digit_bounds_change_no_hit() {
        let bounded = crate::detect::builtin::test_engine();
        let mut specs = crate::detect::builtin::load(&[]).unwrap();
        assert!(specs.iter().filter(|s| s.digits.is_some()).count() >= 3);
        for s in &mut specs {
            s.digits = None;
        }
        let plain = Engine::new(specs, bounded.validate_ctx().clone()).unwrap();
        let (mut sa, mut sb) = (Scratch::default(), Scratch::default());
        let pieces = [
            "+61 491 570 156",
            "0491 570 156",
            "0491570156",
            "(02) 5550 1234",
            "2015550123",
            "201-555-0123",
            "4111 1111 1111 1111",
            "4111111111111111",
            "6011000990139424",
            "123-45-6789",
            "123456789",
            "phone ",
            "card ",
            "ssn ",
            "+",
            "(",
            ")",
            " ",
            "-",
            ".",
            "0x",
            ", ",
            "\n",
            "id=",
        ];
        let mut next = seeded(0x5851_f42d_4c95_7f2d);
        let mut found = 0;
        for _ in 0..3000 {
            let mut text = String::new();
            for _ in 0..1 + next(6) {
                if next(3) == 0 {
                    // A bare run of 1-40 digits.
                    for _ in 0..1 + next(40) {
                        text.push(char::from(b'0' + next(10) as u8));
                    }
                } else {
                    text.push_str(pieces[next(pieces.len())]);
                }
            }
            let field = [None, Some("c3"), Some("phone")][next(3)];
            let (mut a, mut b) = (Vec::new(), Vec::new());
            let t = text.as_bytes();
            bounded.scan(t, field, 0..t.len(), false, &mut sa, &mut a);
            plain.scan(t, field, 0..t.len(), false, &mut sb, &mut b);
            assert_eq!(a, b, "{text:?} in {field:?}");
            found += a.len();
        }
        // The texts hold real findings, so agreeing is not agreeing on nothing.
        assert!(found > 500, "{found}");
    }

    /// Three shortcuts only save work: the header pass's validator outcomes reused by the later
    /// passes, the whole-cell pattern answered without its regex, and `value` groups found by
    /// the ASCII twin. An engine without any of them
    /// finds exactly the same hits on seeded cells: values of every built-in kind, alone or in
    /// text, with context words, odd spacing and invalid look-alikes, under field names that
    /// match their detectors, match other detectors, or none.
    #[test]
    fn shortcuts_change_no_hit() {
        // (with the shortcuts, without them) at a report floor.
        let engines = |floor| {
            let fast = crate::detect::builtin::test_engine();
            let mut specs = crate::detect::builtin::load(&[]).unwrap();
            assert!(specs.iter().filter(|s| s.whole_cell).count() >= 2);
            assert!(specs.iter().filter(|s| s.ascii_value.is_some()).count() >= 2);
            for s in &mut specs {
                s.whole_cell = false;
                s.ascii_value = None;
            }
            let mut plain = Engine::new(specs, fast.validate_ctx().clone()).unwrap();
            plain.reuse_verdicts = false;
            let mut pair = (fast, plain);
            pair.0.set_report_floor(floor);
            pair.1.set_report_floor(floor);
            pair
        };
        // A `medium` floor as well: it changes what a verdict is asked (`weak_counts`).
        let (low, medium) = (engines(Confidence::Low), engines(Confidence::Medium));
        let (mut sa, mut sb) = (Scratch::default(), Scratch::default());
        let pieces = [
            "+61 491 570 156",
            "(02) 5550 1234",
            "0491570156",
            "201-555-0123",
            "1985-03-12",
            "12/03/1985",
            "3 March 1985",
            "2024-11-06T17:46:15Z",
            "jane.doe@example.com",
            "jane [at] example [dot] com",
            "Jane",
            "Smith",
            "O'Brien",
            "12 Example Street",
            "4111 1111 1111 1111",
            "4111111111111112",
            "QF 1234567",
            "6756332150",
            "123-45-6789",
            "AB 12 34 56 C",
            "DOB ",
            "call ",
            "born ",
            "order ",
            " ",
            "\u{a0}",
            ", ",
            "\n",
        ];
        let fields = [
            None,
            Some("phone"),
            Some("mobile"),
            Some("dob"),
            Some("created_at"),
            Some("email"),
            Some("first_name"),
            Some("address"),
            Some("loyalty_number"),
            Some("card_number"),
            Some("notes"),
            Some("c3"),
        ];
        let mut next = seeded(0x2545_f491_4f6c_dd1d);
        let mut found = 0;
        for i in 0..8000 {
            let mut text = String::new();
            // Mostly short cells; some longer than a digit window, so the passes' haystacks
            // differ.
            let n = if next(4) == 0 {
                1 + next(16)
            } else {
                1 + next(4)
            };
            for _ in 0..n {
                text.push_str(pieces[next(pieces.len())]);
            }
            let field = fields[next(fields.len())];
            let (mut a, mut b) = (Vec::new(), Vec::new());
            let t = text.as_bytes();
            let (f, p) = if i % 2 == 0 { &low } else { &medium };
            f.scan(t, field, 0..t.len(), true, &mut sa, &mut a);
            p.scan(t, field, 0..t.len(), true, &mut sb, &mut b);
            assert_eq!(a, b, "{text:?} in {field:?}");
            found += a.len();
        }
        // The cells hold real findings, so agreeing is not agreeing on nothing.
        assert!(found > 1500, "{found}");
    }

    /// With a report floor above `low`, a bare-digit phone (a weak form) is not even validated
    /// where nothing could lift it; wherever something could (a context word, a header, a field
    /// whose column may be promoted, or a floor of `low`) it still comes out as before.
    #[test]
    fn report_floor_drops_only_weak_forms_that_could_not_be_reported() {
        let low = crate::detect::builtin::test_engine();
        let mut medium = crate::detect::builtin::test_engine();
        medium.set_report_floor(Confidence::Medium);
        let phone = low.specs().iter().position(|s| s.id == "phone").unwrap() as u16;
        let phones = |engine: &Engine, text: &str, field: Option<&str>| -> Vec<Confidence> {
            let (mut scratch, mut hits) = (Scratch::default(), Vec::new());
            engine.scan(
                text.as_bytes(),
                field,
                0..text.len(),
                false,
                &mut scratch,
                &mut hits,
            );
            hits.iter()
                .filter(|h| h.detector == phone)
                .map(|h| h.confidence)
                .collect()
        };
        use Confidence::{High, Low, Medium};
        // 201-555-0123 is the US example number: valid, and weak when written bare.
        let bare = "let x = 2015550123;";
        assert_eq!(phones(&low, bare, None), vec![Low]);
        assert!(phones(&medium, bare, None).is_empty());
        // A field: its column may promote the weak form, so it is still validated.
        assert_eq!(phones(&medium, "2015550123", Some("c3")), vec![Low]);
        // A context word or header lifts the weak form above the floor.
        assert_eq!(phones(&medium, "phone 2015550123", None), vec![High]);
        assert_eq!(phones(&medium, "2015550123", Some("phone")), vec![High]);
        // Grouped, it is not a weak form at all.
        assert_eq!(phones(&medium, "x = 201-555-0123;", None), vec![Medium]);
    }

    /// Negative words count only within `NEGATIVE_WINDOW` bytes before a candidate (or over
    /// it), and are looked up afresh for each candidate of a cell.
    #[test]
    fn negative_words_count_only_just_before_their_own_candidate() {
        let engine = crate::detect::builtin::test_engine();
        let phone = engine.specs().iter().position(|s| s.id == "phone").unwrap() as u16;
        let mut scratch = Scratch::default();
        let mut phones = |text: &str| -> Vec<(usize, Confidence)> {
            let mut hits = Vec::new();
            engine.scan(
                text.as_bytes(),
                None,
                0..text.len(),
                false,
                &mut scratch,
                &mut hits,
            );
            hits.iter()
                .filter(|h| h.detector == phone && h.confidence >= Confidence::Medium)
                .map(|h| (h.start, h.confidence))
                .collect()
        };
        assert!(phones("order 0491 570 156").is_empty());
        // "order" ends 12 bytes before the number: still counts; 13 bytes: no longer.
        assert!(phones("order........... 0491 570 156").is_empty());
        assert_eq!(phones("order............ 0491 570 156").len(), 1);
        // After the number it says nothing about it.
        assert_eq!(phones("0491 570 156 order").len(), 1);
        // Two candidates in one cell: the first is an order number, the second a phone.
        let text = "order 0491 570 156, call 0491 570 157";
        let got = phones(text);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].0, text.rfind("0491").unwrap());
        // And the other way round.
        let text = "call 0491 570 157, order 0491 570 156";
        let got = phones(text);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].0, 5);
    }

    #[test]
    fn resolve_keeps_the_same_spans_as_checking_every_taken_span() {
        let specs = crate::detect::builtin::load(&[]).unwrap();
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n) as usize
        };
        let confidences = [Confidence::Low, Confidence::Medium, Confidence::High];
        for round in 0..300 {
            let n = 1 + next(if round % 10 == 0 { 2000 } else { 40 });
            let mut cands: Vec<Hit> = (0..n)
                .map(|_| {
                    let start = next(5000);
                    Hit {
                        start,
                        end: start + 1 + next(30),
                        detector: next(specs.len() as u64) as u16,
                        confidence: confidences[next(3)],
                        normalised: String::new(),
                        explain: None,
                    }
                })
                .collect();
            let accept = next(1000)..1000 + next(5000);
            let mut got = Vec::new();
            resolve(&mut cands, &specs, accept.clone(), &mut got);
            // The definition: in priority order (resolve sorted `cands`), keep a span unless it
            // overlaps one already kept.
            let mut kept: Vec<Range<usize>> = Vec::new();
            let mut want = Vec::new();
            for c in &cands {
                if kept.iter().any(|r| c.start < r.end && r.start < c.end) {
                    continue;
                }
                kept.push(c.start..c.end);
                if accept.contains(&c.start) {
                    want.push(c.clone());
                }
            }
            want.sort_by_key(|h| (h.start, h.end));
            assert_eq!(got, want, "round {round}");
        }
    }

    #[test]
    fn next_digit_finds_the_first_digit_from_any_offset() {
        let mut text: Vec<u8> = (0..=255u8).filter(|b| !b.is_ascii_digit()).collect();
        text.extend(b"abcdefghij/:`~");
        for d in 0..text.len() {
            for digit in b'0'..=b'9' {
                let mut t = text.clone();
                t[d] = digit;
                for from in [0, d.saturating_sub(9), d] {
                    assert_eq!(next_digit(&t, from), Some(d), "digit at {d}, from {from}");
                }
                assert_eq!(next_digit(&t, d + 1), None);
            }
        }
        assert_eq!(next_digit(b"", 0), None);
        assert_eq!(next_digit(b"12", 5), None);
        // Several digits in one eight-byte word: the first.
        assert_eq!(next_digit(b"ab3cd7efghij", 0), Some(2));
        assert_eq!(next_digit(b"\xb3\xb9:/9012345", 0), Some(4));
    }

    #[test]
    fn set_sources_keep_plain_patterns_and_refuse_unicode_classes() {
        let plain = r"(?-u:\b)[0-9]{3}-[0-9]{2}-[0-9]{4}(?-u:\b)";
        assert_eq!(set_source(plain).as_deref(), Some(plain));
        assert_eq!(max_len(plain), Some(11));
        assert_eq!(set_source(r"\p{L}{3,10} [0-9]{4}"), None);
        assert_eq!(set_source(r"\w+[0-9]{4}"), None);
        assert_eq!(max_len(r"[0-9]+"), None);
    }

    #[test]
    fn built_in_digit_detectors_have_a_bounded_set_window() {
        let specs = crate::detect::builtin::load(&[]).unwrap();
        let engine = Engine::new(specs, validate::Ctx::default()).unwrap();
        // Unbounded would only cost speed, but the window bound is what the set relies on to
        // stay small: a new pattern with `+` or `*` should be a conscious choice.
        for sets in &engine.digit_sets {
            assert!(!sets.is_empty());
            assert!(
                sets.iter()
                    .all(|s| s.max_len.is_some_and(|l| l <= MAX_MATCH))
            );
        }
        // The large patterns are split out: `phone` (~190 NFA states) searches alone, the
        // loyalty programmes' plain digit runs share an automaton.
        let id =
            |s: &DigitSet, k: usize| &engine.specs[engine.by_trigger[0][s.members[k]] as usize].id;
        let sets = &engine.digit_sets[1];
        assert!(
            sets.iter()
                .any(|s| s.members.len() == 1 && id(s, 0) == "phone")
        );
        assert!(sets.iter().any(
            |s| (0..s.members.len()).any(|k| id(s, k) == "loyalty_qantas")
                && (0..s.members.len()).any(|k| id(s, k) == "loyalty_bonvoy")
        ));
    }
}
