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
//!   search only the cluster when their patterns provably stay inside it (see [`super::reach`]).
//! * **`@`.** `memchr` finds each `@`; the window spans the address characters around it.
//! * **Keywords / fields.** An Aho-Corasick automaton over trigger keywords; whole-cell matching
//!   for `field` detectors whose headers match the cell's field.
//! * **Blocks.** Where the format reads in blocks, the keyword automaton runs once over the
//!   whole block and short cells cut from it read their occurrences from that run; such a
//!   cell with no candidate for any pass skips the passes (see `engine/block.rs`).
//!
//! Context words are found with an Aho-Corasick automaton over every pattern's `context` list,
//! searched only in the window around a candidate; negative words with another, only in the few
//! bytes before a candidate where they count and only once a match there is scored. Where several
//! detectors claim overlapping spans, the one with the higher confidence, then priority, then
//! longer match wins: one kind per span.

use aho_corasick::AhoCorasick;
use regex_automata::meta;

pub use super::compile::EngineError;
use super::fields::FieldIndex;
use super::keywords::Keywords;
use super::spec::{Spec, Trigger};
use crate::finding::Confidence;
use crate::validate;

mod block;
mod build;
mod context;
mod hit;
mod scan;
mod window;

#[cfg(test)]
mod tests;

use hit::*;
pub use hit::{Hit, Scratch};

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

/// Everything per field name the engine needs, computed once per distinct field.
#[derive(Debug, Default, Clone)]
struct FieldInfo {
    /// Detectors whose `headers` match this field.
    header: Vec<u16>,
    /// Detectors with a negative-context word among this field's words.
    negative: Vec<u16>,
    /// Some digit detector that needs a context word or header has its header here.
    unlocks_digit: bool,
    /// Some [demoted](Engine::demoted) detector has its header here: its hits may score
    /// above `low`, so the clusters of this field search the automata that hold it.
    unlocks_weak: bool,
    /// The cell has a field: its column may be classified and its `low` hits promoted (see
    /// [`crate::detect::columns`]).
    in_field: bool,
}

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
    /// or `(`; none right). The span searched starts one byte earlier still, for the byte a
    /// [`gated`](build::gated) pattern consumes before its start. Searching only that span reports the same detectors as the whole
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
    /// searches plus the one or two detectors that matter, not ~25. A cluster searches one
    /// list of them ([`digit_lists`](Engine::digit_lists)); an automaton that several lists
    /// share (phone's) is built, and builds its lazy-DFA states, once.
    digit_pool: Vec<DigitSet>,
    /// Indices into [`digit_pool`](Engine::digit_pool), one list per situation (see
    /// [`List`]): the detectors that need no context or header, each large pattern in an
    /// automaton of its own and the small ones together (see [`HUGE_PATTERN_STATES`],
    /// [`BIG_PATTERN_STATES`]).
    digit_lists: [Vec<usize>; 4],
    /// Per detector: digit-triggered, needs no context or header, and can score no more than
    /// `low` without a header or context word — always ([`List::Strong`] leaves it out), or
    /// on a bare run of digits ([`List::StrongBare`] leaves it out): a national-ID number
    /// written as bare digits is as likely an order number. Its context word or header near
    /// a cluster selects [`List::Free`].
    demoted: Vec<bool>,
    /// The longest match of a [demoted](Engine::demoted) detector: a field value longer than
    /// this cannot be covered by one of its hits, so column classification cannot count or
    /// promote such a hit there (see [`Engine::weak_could_count`]).
    demoted_max_len: usize,
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
    /// Per detector: its pattern's ASCII twin, used to find matches in an all-ASCII window
    /// (see [`crate::detect::ascii::finder`]); `None` where the twin would be the pattern.
    pub(super) finders: Vec<Option<meta::Regex>>,
    vctx: validate::Ctx,
    /// Hits below this confidence in a cell without a field are never reported (see
    /// [`Engine::set_report_floor`]).
    floor: Confidence,
    /// Passes after the header pass reuse its validator outcomes (see [`Scratch::verdicts`]).
    /// Off only in a test that checks the reuse changes no hit.
    reuse_verdicts: bool,
}

/// Which list of digit automata a cluster searches ([`Engine::digit_lists`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum List {
    /// The detectors that need no context or header: where no context word or header lets
    /// the others run, and a `low` hit of a [demoted](Engine::demoted) detector could still
    /// be reported (the floor is `low`, its context word or header is near, or its field
    /// value could be counted by column classification).
    Free = 0,
    /// Every digit detector: a context word or header lets those that need one run.
    All = 1,
    /// [`List::Free`] less the detectors that score `low` at most without evidence,
    /// where such a hit could not be reported.
    Strong = 2,
    /// [`List::Strong`] less those that score `low` at most on a bare run of digits, for a
    /// cluster that is one (see [`bare_run`](scan::bare_run)).
    StrongBare = 3,
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
}
