//! Compiling the engine: [`Engine::new`] turns the specs into trigger lists, the combined
//! digit automata, the context/negative word automata and the field index.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex_automata::meta;

use crate::detect::compile::set_syntax;
use crate::detect::fields::FieldIndex;
use crate::detect::keywords::Keywords;
use crate::detect::reach;
use crate::detect::spec::{Require, Spec, Trigger};
use crate::finding::Confidence;
use crate::validate::{self};

use super::*;

/// Words and, per word, the detectors that list it (context or negative context).
#[derive(Debug, Default)]
pub(super) struct WordList {
    words: Vec<String>,
    dets: Vec<Vec<u16>>,
    idx: HashMap<String, usize>,
}

impl WordList {
    pub(super) fn add(&mut self, word: &str, detector: u16) {
        let i = *self.idx.entry(word.to_string()).or_insert_with(|| {
            self.words.push(word.to_string());
            self.dets.push(Vec::new());
            self.words.len() - 1
        });
        self.dets[i].push(detector);
    }

    pub(super) fn longest(&self) -> usize {
        self.words.iter().map(String::len).max().unwrap_or(0)
    }
}

impl Engine {
    /// Compiles `specs` (already checked) into an engine using `vctx` for validators.
    pub fn new(specs: Vec<Spec>, vctx: validate::Ctx) -> Result<Engine, EngineError> {
        Engine::build(specs, vctx, true, true)
    }

    /// [`Engine::new`], with the digit automata's patterns [`gated`] or (only for the test
    /// that checks gating changes no hit) as written, and with the detectors that score `low`
    /// at most without evidence [demoted](Engine::demoted) or (only for the test that checks
    /// demotion changes no reportable hit) searched around every cluster.
    pub(super) fn build(
        specs: Vec<Spec>,
        vctx: validate::Ctx,
        gate: bool,
        demote: bool,
    ) -> Result<Engine, EngineError> {
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
        let plain_srcs: Vec<Option<String>> = by_trigger[0]
            .iter()
            .map(|&d| set_source(&specs[d as usize].regex_src))
            .collect();
        // Per digit detector, from one NFA each: its size and its reach (see `nfa_facts`).
        let facts: Vec<(usize, Option<(usize, usize)>)> = plain_srcs
            .iter()
            .map(|src| src.as_deref().map_or((0, None), nfa_facts))
            .collect();
        // The facts above hold for the patterns as written; a gated pattern matches where its
        // original does, plus the one byte before (see `gated`).
        let set_srcs: Vec<Option<String>> = plain_srcs
            .iter()
            .zip(&by_trigger[0])
            .map(|(src, &d)| {
                let src = src.as_ref()?;
                let gate =
                    gate && specs[d as usize].value_group.is_none() && !starts_at_boundary(src);
                Some(if gate { gated(src) } else { src.clone() })
            })
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
        // Which of the free detectors score `low` at most without a header or context word:
        // always, or on a bare run of digits (see `scores_low_at_most`).
        let low_at_most = |i: usize, bare: bool| {
            demote && scores_low_at_most(&specs[by_trigger[0][i] as usize], bare)
        };
        let strong: Vec<usize> = free
            .iter()
            .copied()
            .filter(|&i| !low_at_most(i, false))
            .collect();
        let strong_bare: Vec<usize> = strong
            .iter()
            .copied()
            .filter(|&i| !low_at_most(i, true))
            .collect();
        let mut demoted = vec![false; specs.len()];
        let mut demoted_max_len = 0usize;
        for &i in free.iter().filter(|&&i| low_at_most(i, true)) {
            let d = by_trigger[0][i] as usize;
            demoted[d] = true;
            demoted_max_len =
                demoted_max_len.max(max_len(&specs[d].regex_src).unwrap_or(usize::MAX));
        }
        // In the list of all digit detectors a large pattern gets an automaton of its own and
        // the small ones share one (see `BIG_PATTERN_STATES`); of those that need no context
        // only the phone pattern does (see `HUGE_PATTERN_STATES`). A group several lists hold
        // (phone alone) is one automaton in the pool.
        let mut digit_pool: Vec<DigitSet> = Vec::new();
        let mut pooled: HashMap<Vec<usize>, usize> = HashMap::new();
        let mut split = |members: Vec<usize>, limit: usize| -> Result<Vec<usize>, EngineError> {
            let (big, small): (Vec<usize>, Vec<usize>) =
                members.into_iter().partition(|&i| facts[i].0 >= limit);
            let mut list = Vec::new();
            for group in big.into_iter().map(|i| vec![i]).chain([small]) {
                if let Some(&k) = pooled.get(&group) {
                    list.push(k);
                } else if let Some(set) = build_set(group.clone())? {
                    pooled.insert(group, digit_pool.len());
                    list.push(digit_pool.len());
                    digit_pool.push(set);
                }
            }
            Ok(list)
        };
        let digit_lists = [
            split(free, HUGE_PATTERN_STATES)?,
            split(all, BIG_PATTERN_STATES)?,
            split(strong, HUGE_PATTERN_STATES)?,
            split(strong_bare, HUGE_PATTERN_STATES)?,
        ];
        let digit_always = set_srcs.iter().map(Option::is_none).collect();
        let needs_unlock = specs
            .iter()
            .map(|s| s.trigger == Trigger::Digit && s.require != Require::None)
            .collect();
        let finders = specs
            .iter()
            .map(|s| {
                if s.whole_cell {
                    None
                } else {
                    crate::detect::ascii::finder(&s.regex_src)
                }
            })
            .collect();
        Ok(Engine {
            finders,
            field_index: FieldIndex::new(&specs),
            digit_pool,
            digit_lists,
            demoted,
            demoted_max_len,
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
}

/// Validators whose every valid verdict is weak: nothing in how the number is written sets it
/// apart from other numbers of its length (`validate::ids_europe`, `validate::ids_world`). A
/// test checks each against its pattern file's examples and seeded values.
pub(super) const ALWAYS_WEAK: &[&str] = &[
    "de_idnr",
    "in_pan",
    "jp_my_number",
    "pl_pesel",
    "se_pnr",
    "tr_tckn",
];

/// Validators that call a number weak when it is written without a space, `-` or `.` — as
/// bare digits (`validate::ids`, `validate::ids_world`, `fr_nir`). Their patterns put a
/// separator only between digits (or next to `fr_nir`'s `2A`/`2B`), and every such separator
/// is a cluster joiner: a match on a cluster that is one bare run of digits, with no letter
/// next to it, is that bare run. A test checks each validator on seeded bare values.
pub(super) const BARE_WEAK: &[&str] = &[
    "br_cpf", "fr_nir", "kr_rrn", "th_id", "us_itin", "us_ssn", "za_id",
];

/// Whether `spec`, a digit detector that needs no context or header, scores `low` at most
/// when neither a header nor a context word supports it (see [`score::confidence`]):
/// everywhere (`bare` false), or on a cluster that is a bare run of digits (`bare` true).
/// Such a detector's hits there can only be reported at the `low` floor or where column
/// classification counts them, so at a higher floor its patterns stay out of the automata
/// searched around every cluster: each pattern in an automaton adds lazy-DFA states, and the
/// national-ID patterns, which match most long numbers, added many.
pub(super) fn scores_low_at_most(spec: &Spec, bare: bool) -> bool {
    let validator = spec.validator.as_ref().map(|(n, _)| n.as_str());
    let weak = validator.is_some_and(|v| {
        ALWAYS_WEAK.contains(&v) || bare && spec.value_group.is_none() && BARE_WEAK.contains(&v)
    });
    let best = crate::detect::score::confidence(
        spec.base,
        crate::detect::score::Evidence {
            weak,
            ..Default::default()
        },
    );
    spec.trigger == Trigger::Digit
        && spec.require == Require::None
        && best.is_none_or(|c| c <= Confidence::Low)
}

/// The pattern a digit detector contributes to the combined automaton: its own regex, with
/// Unicode letter classes (`\p{L}` for month names) widened to "an ASCII letter or 2–4 bytes
/// of a non-ASCII character" — a superset that keeps the DFA small (measured: with the
/// Unicode classes in, the set spent its time determinizing). `None` when the pattern cannot be
/// widened that way (the detector is then run around every cluster).
pub(super) fn set_source(src: &str) -> Option<String> {
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

/// `src` as a combined digit automaton searches it: starting only at the haystack's start or
/// after a byte that is not an ASCII digit, which the automaton consumes.
///
/// Why: phone, card and IP patterns may start at any digit (`0[0-9]{1,4}…`, `[0-9]{12,19}`),
/// so an unanchored overlapping search starts a thread in them at every digit of a run, and
/// the lazy DFA builds states for every mix of such threads; those states were a large part
/// of the scan on small inputs (on a 1.5 MB customer CSV, building lazy-DFA states was 245 M
/// of 1,454 M instructions). A gated thread dies at once inside a run of digits.
///
/// Exact: the set only says which detectors to run, and `try_regex` drops a digit detector's
/// match that follows a digit (for a pattern without a `value` group, the match is the
/// value). Every match it keeps starts at the haystack's start or after a non-digit byte, so
/// the gated pattern matches there too, starting one byte earlier: the scan starts each
/// set's span one byte earlier for it. Patterns whose every alternative starts at `(?-u:\b)`
/// are left as they are (their threads die inside a run already, and the extra byte only
/// adds states: measured), and so are patterns with a `value` group.
pub(super) fn gated(src: &str) -> String {
    format!("(?:^|(?-u:[^0-9]))(?:{src})")
}

/// Whether every match of `src` starts at an ASCII word boundary (`(?-u:\b)` begins every
/// alternative).
pub(super) fn starts_at_boundary(src: &str) -> bool {
    regex_syntax::ParserBuilder::new()
        .utf8(false)
        .build()
        .parse(src)
        .is_ok_and(|h| {
            h.properties()
                .look_set_prefix()
                .contains(regex_syntax::hir::Look::WordAscii)
        })
}

/// In the list of all digit detectors, a pattern with at least this many Thompson NFA states
/// gets an automaton of its own. Overlapping search over one automaton of all ~25 kept the lazy
/// DFA building new states (~11% of a dense two-thread scan): every digit starts a thread in
/// every pattern, and the large ones (phone ~190 states, IP addresses ~110, cards ~90) multiply
/// the combinations. Split out, each automaton settles; measured on the dense corpus (-j2, two
/// interleaved runs each) 13.3-13.7 s -> 11.7-12.4 s.
pub(super) const BIG_PATTERN_STATES: usize = 80;

/// In the list of detectors that need no context, a pattern with at least this many Thompson NFA
/// states gets an automaton of its own; the rest stay together (splitting every large one out
/// there added passes: source code corpus, -j1, 1.67 -> 1.81 s). Only the phone pattern is this
/// large (~190 states): alone its automaton grows to 3.7 MB of lazy-DFA states over 113 MB of
/// source code, the others together to 0.1 MB, but all nine in one to 18 MB — more than the
/// cache holds, so it was cleared and rebuilt, and building states was ~16% of the scan.
/// Measured with phone split out: that corpus 0.65 -> 0.60 s (-j1, three interleaved runs each)
/// and peak RSS 58 -> 39 MB; the dense corpus's CSV and NDJSON parts 1-3% faster.
pub(super) const HUGE_PATTERN_STATES: usize = 150;

/// `src` compiled as the combined automata compile it, once for both facts the set build needs:
/// its Thompson NFA states (0 if it does not compile; the set build then reports the error)
/// and its [`reach::reach`].
pub(super) fn nfa_facts(src: &str) -> (usize, Option<(usize, usize)>) {
    regex_automata::nfa::thompson::NFA::compiler()
        .syntax(set_syntax())
        .build(src)
        .map_or((0, None), |nfa| (nfa.states().len(), reach::reach(&nfa)))
}

/// The longest match of `src` in bytes, `None` if unbounded or unparsable.
pub(super) fn max_len(src: &str) -> Option<usize> {
    max_len_parse(src).flatten()
}

pub(super) fn max_len_parse(src: &str) -> Option<Option<usize>> {
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(true)
        .utf8(false)
        .build()
        .parse(src)
        .ok()?;
    Some(hir.properties().maximum_len())
}
