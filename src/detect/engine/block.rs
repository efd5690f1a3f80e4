//! The block pass: what the engine learns about a whole decoded block before its cells.
//!
//! A format that reads its input in blocks (a [`crate::formats::window::Window`]) hands each
//! block to the scan glue before the cells cut from it, and the glue passes it to
//! [`Engine::set_block`]. One run of the short-cell keyword automaton over the block replaces
//! one run per cell, and a short cell in which no pass could find a candidate — fewer than
//! [`MIN_CLUSTER_DIGITS`] digits, no `@`, no keyword occurrence, no detector named by its field
//! — skips the per-cell passes altogether (`scan_at`'s early return): in exports most
//! fields are statuses, names of products, small numbers and codes.
//!
//! Exactness: the automaton matches without look-around, so the occurrences lying wholly
//! inside a cell are the ones a search of the cell alone finds, and the word-boundary check
//! that follows is made on the cell's own text as before. The early return is taken only
//! where every pass would have found nothing: the header pass runs only for detectors named
//! by the field, the `@` pass only at an `@`, the keyword pass only at an occurrence, and a
//! digit cluster counts only with `MIN_CLUSTER_DIGITS` digits, which a cell with fewer
//! digits in all cannot hold.

use std::ops::Range;

use regex_automata::Input;

use super::*;

/// Bytes of block per keyword occurrence kept: past one per this many (plus 1,024) the list is
/// given up and the block's cells search their own text. Bounds the list (24 bytes an entry)
/// at 3/8 of a byte per byte of block: 24 MiB for the largest window (a 64 MiB token).
pub(super) const BYTES_PER_OCCURRENCE: usize = 64;

/// Past one match end of the block digit automata per this many bytes of block (plus 4,096)
/// the ends are given up and the block's cells search per cluster: bounds the list (8 bytes
/// an entry) at half a byte per byte of block.
pub(super) const ENDS_PER_BYTE: usize = 16;

/// Blocks longer than this get no block digit search (their cells search per cluster): the
/// block is copied for its cells' edges, and the copy stays bounded.
pub(super) const MAX_DIGIT_BLOCK: usize = 16 << 20;

impl Engine {
    /// Runs the block-wide passes over `block`, whose short cells [`Engine::scan_in_block`]
    /// then scans. Call it again for every new block (the previous one's results are
    /// replaced), and [`Engine::clear_block`] when its cells are done.
    pub fn set_block(&self, block: &[u8], scratch: &mut Scratch) {
        scratch.block_ok = match &self.keywords {
            Some(kw) => kw.block_occurrences(
                block,
                block.len() / BYTES_PER_OCCURRENCE + 1024,
                &mut scratch.block_kw,
            ),
            None => {
                scratch.block_kw.clear();
                true
            }
        };
        scratch.block_digits_ok = self.block_digits(block, scratch);
    }

    /// Runs every [block digit automaton](Engine::block_sets) over `block`, overlapping, and
    /// keeps where each pattern's matches end in [`Scratch::block_ends`]; keeps a copy of the
    /// block for the bytes around a cell. False (the block's cells search per cluster) for a
    /// block over [`MAX_DIGIT_BLOCK`], past [`ENDS_PER_BYTE`], or if a search gives up.
    fn block_digits(&self, block: &[u8], scratch: &mut Scratch) -> bool {
        use regex_automata::hybrid::dfa::OverlappingState;
        if self.block_sets.is_empty() || block.len() > MAX_DIGIT_BLOCK {
            return false;
        }
        if scratch.block_caches.len() != self.block_sets.len() {
            scratch.block_caches = self
                .block_sets
                .iter()
                .map(|b| b.dfa.create_cache())
                .collect();
            scratch.block_ends = vec![Vec::new(); self.block_sets.len()];
        }
        scratch.block_bytes.clear();
        scratch.block_bytes.extend_from_slice(block);
        let cap = block.len() / ENDS_PER_BYTE + 4096;
        let input = Input::new(block);
        for ((set, cache), ends) in self
            .block_sets
            .iter()
            .zip(&mut scratch.block_caches)
            .zip(&mut scratch.block_ends)
        {
            ends.clear();
            let mut state = OverlappingState::start();
            loop {
                if set
                    .dfa
                    .try_search_overlapping_fwd(cache, &input, &mut state)
                    .is_err()
                {
                    return false;
                }
                let Some(m) = state.get_match() else {
                    break;
                };
                if ends.len() >= cap {
                    return false;
                }
                // Below `MAX_DIGIT_BLOCK`, so within u32.
                ends.push((m.offset() as u32, set.members[m.pattern().as_usize()]));
            }
        }
        true
    }

    /// Forgets the block of [`Engine::set_block`].
    pub fn clear_block(&self, scratch: &mut Scratch) {
        scratch.block_ok = false;
        scratch.block_kw.clear();
        scratch.block_digits_ok = false;
    }

    /// [`Engine::scan`] for the cell `text`, which is `block[at..at + text.len()]` of the
    /// block last given to [`Engine::set_block`] when `at` is given: the same hits, found with
    /// what the block pass knows. `None` (a cell not cut from the block) is [`Engine::scan`].
    #[allow(clippy::too_many_arguments)]
    pub fn scan_in_block(
        &self,
        at: Option<usize>,
        text: &[u8],
        field: Option<&str>,
        accept: Range<usize>,
        explain: bool,
        scratch: &mut Scratch,
        out: &mut Vec<Hit>,
    ) {
        self.scan_at(at, text, field, accept, explain, scratch, out);
    }

    /// Whether no `@`, digit-cluster or keyword pass can find a candidate in the short cell
    /// `text` at `at` of the block.
    pub(super) fn nothing_in(&self, text: &[u8], at: usize, scratch: &Scratch) -> bool {
        let digits = text.iter().filter(|b| b.is_ascii_digit()).count();
        digits < MIN_CLUSTER_DIGITS
            && memchr::memchr(b'@', text).is_none()
            && block_keywords(&scratch.block_kw, at, text.len())
                .next()
                .is_none()
    }
}

/// The occurrences of `occ` (sorted by start) lying wholly inside `at..at + len`, with offsets
/// relative to `at`.
pub(super) fn block_keywords(
    occ: &[(usize, usize, u32)],
    at: usize,
    len: usize,
) -> impl Iterator<Item = (usize, usize, u32)> + '_ {
    let end = at + len;
    let first = occ.partition_point(|o| o.0 < at);
    occ[first..]
        .iter()
        .take_while(move |o| o.0 < end)
        .filter(move |o| o.1 <= end)
        .map(move |o| (o.0 - at, o.1 - at, o.2))
}
