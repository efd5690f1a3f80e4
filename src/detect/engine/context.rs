//! Context and negative-context words around a candidate: found once per cell window, read
//! per candidate, and negative words looked up only once a match is scored.

use aho_corasick::AhoCorasick;

use crate::detect::keywords::word_bounded;

use super::*;

impl Engine {
    /// Marks, per detector, whether a context word lies within its `window` around the
    /// candidate core `s..e`, and remembers the core for [`Engine::near_negative`].
    pub(super) fn flag_context(&self, text: &[u8], s: usize, e: usize, scratch: &mut Scratch) {
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
                scratch.weak_unlocked |= self.demoted[d as usize];
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
    pub(super) fn near_negative(
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
    pub(super) fn find_context(
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

    pub(super) fn clear_context(&self, scratch: &mut Scratch) {
        scratch.ctx_unlocked = false;
        scratch.weak_unlocked = false;
        scratch.neg_pending = None;
        for d in scratch.touched.drain(..) {
            scratch.ctx_flags[d as usize] = 0;
        }
    }
}
