//! The per-cell scan loop: [`Engine::scan`] finds candidates (digit clusters, `@`, keywords,
//! field headers), runs the detectors that can match in a window around each, validates and
//! scores their matches, and keeps the best of overlapping hits.

use std::ops::Range;

use std::sync::Arc;

use regex_automata::{Input, PatternSet};

use crate::detect::keywords::SHORT;
use crate::detect::score::{self, Evidence};
use crate::detect::spec::{Require, Spec, Trigger, whole_cell};
use crate::validate::{AROUND, Candidate, Verdict};

use super::block::block_keywords;
use super::window::*;
use super::*;

impl Engine {
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
        self.scan_at(None, text, field, accept, explain, scratch, out);
    }

    /// [`Engine::scan`], for a cell at `at` in the block of the last
    /// [`Engine::set_block`] when `at` is `Some` (see [`super::block`]).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn scan_at(
        &self,
        at: Option<usize>,
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
            scratch.finder_caches = vec![None; self.specs.len()];
        }
        let finfo = match field {
            Some(f) => self.field_info(f, scratch),
            None => scratch.no_field.clone(),
        };
        // A short cell of a block is known to hold a keyword or not; one with no candidate of
        // any pass and no detector named by its field yields nothing (see `super::block`).
        let at = at.filter(|_| text.len() <= SHORT);
        if let Some(at) = at
            && finfo.header.is_empty()
            && self.nothing_in(text, at, scratch)
        {
            return;
        }
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
            match at {
                Some(at) => {
                    let known = block_keywords(&scratch.block_kw, at, text.len());
                    kw.find_known(text, known, &mut scratch.kw_cache, &mut hits);
                }
                None => kw.find(text, &mut scratch.kw_cache, &mut hits),
            }
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
            // Whether a `low` hit of a demoted detector could be reported here with no context
            // word near it: at the `low` floor, under its header, or where column
            // classification could count it (see `weak_could_count`).
            let weak_reportable = self.floor <= Confidence::Low
                || finfo.unlocks_weak
                || finfo.in_field && self.weak_could_count(text);
            if scratch.digit_cache.len() != self.digit_pool.len() {
                scratch.digit_cache = self
                    .digit_pool
                    .iter()
                    .map(|s| s.re.create_cache())
                    .collect();
                scratch.digit_hits = self
                    .digit_pool
                    .iter()
                    .map(|s| PatternSet::new(s.re.pattern_len()))
                    .collect();
            }
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
                // Detectors that need a context word or header can only run where one is, and
                // those that could only score `low` only where that could be reported.
                let list = if scratch.ctx_unlocked || finfo.unlocks_digit {
                    List::All
                } else if weak_reportable || scratch.weak_unlocked {
                    List::Free
                } else if bare_run(text, p, ce, nd) {
                    List::StrongBare
                } else {
                    List::Strong
                };
                let n = self.by_trigger[0].len();
                let mut run = std::mem::take(&mut scratch.digit_run);
                run.clear();
                run.extend_from_slice(&self.digit_always);
                run.resize(n, false);
                for &k in &self.digit_lists[list as usize] {
                    let set = &self.digit_pool[k];
                    let hits = &mut scratch.digit_hits[k];
                    hits.clear();
                    if set.skips(p, ce, nd) {
                        continue;
                    }
                    let cache = &mut scratch.digit_cache[k];
                    // Look-around at the span's end still sees the haystack beyond it.
                    // One byte earlier for a gated pattern's consumed byte (see `gated`).
                    let span = match set.reach {
                        Some((l, r)) => p.saturating_sub(l).max(ws)..(ce + r).min(we),
                        None => ws..set.max_len.map_or(we, |l| we.min(ce + l)),
                    };
                    let span = span.start.saturating_sub(1)..span.end;
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
    pub(super) fn try_regex(
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
        // On an all-ASCII window the ASCII finder finds the same matches with a smaller
        // automaton (see `ascii::finder`).
        let finder = self.finders[d as usize]
            .as_ref()
            .filter(|_| hay.get(win.start..).is_some_and(<[u8]>::is_ascii));
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
                let found = match finder {
                    Some(f) => {
                        let cache = scratch.finder_caches[d as usize]
                            .get_or_insert_with(|| f.create_cache());
                        f.search_with(cache, &Input::new(hay).span(pos..hay.len()))
                            .map(|m| m.range())
                    }
                    None => regex.find_at(hay, pos).map(|m| m.range()),
                };
                let Some(whole) = found else {
                    break;
                };
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

    /// Whether a hit of a [demoted](Engine::demoted) detector could be counted or promoted by
    /// column classification in the field value `text`: only a hit that covers the whole
    /// value, and never in a bare integer (see [`crate::detect::columns::counts_as_value`]).
    /// A value longer than any such hit, or digits only not starting with `0`, cannot be.
    pub(super) fn weak_could_count(&self, text: &[u8]) -> bool {
        let value = text.trim_ascii();
        value.len() <= self.demoted_max_len
            && !(value.iter().all(u8::is_ascii_digit) && value.first() != Some(&b'0'))
    }

    pub(super) fn field_info(&self, field: &str, scratch: &mut Scratch) -> Arc<FieldInfo> {
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

    pub(super) fn compute_field_info(&self, field: &str) -> FieldInfo {
        let m = self.field_index.classify(field);
        FieldInfo {
            unlocks_digit: m.header.iter().any(|&d| self.needs_unlock[d as usize]),
            unlocks_weak: m.header.iter().any(|&d| self.demoted[d as usize]),
            header: m.header,
            negative: m.negative,
            in_field: true,
        }
    }
}

/// Whether the digit cluster `p..ce` of `nd` digits is one bare run of digits that no match
/// of a [`BARE_WEAK`](super::build::BARE_WEAK) pattern can reach beyond: no joiner inside it,
/// no letter or digit on either side, and not joined on the left to digits before it (the
/// scan may resume after a candidate's end). A match of such a pattern overlapping it is then
/// exactly its digits: weak.
pub(super) fn bare_run(text: &[u8], p: usize, ce: usize, nd: usize) -> bool {
    let joiner = |b: u8| matches!(b, b' ' | b'-' | b'.' | b'/' | b'(' | b')');
    let left_free = match p.checked_sub(1).map(|q| text[q]) {
        None => true,
        Some(b) => {
            !(b.is_ascii_alphanumeric() || joiner(b) && p >= 2 && text[p - 2].is_ascii_digit())
        }
    };
    ce - p == nd && left_free && !text.get(ce).is_some_and(u8::is_ascii_alphanumeric)
}

/// Keeps the best of overlapping candidates (confidence, then priority, then length) and
/// appends those starting inside `accept` to `out`, in position order.
pub(super) fn resolve(cands: &mut [Hit], specs: &[Spec], accept: Range<usize>, out: &mut Vec<Hit>) {
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
