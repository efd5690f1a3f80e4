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

use super::*;

/// Bytes of block per keyword occurrence kept: past one per this many (plus 1,024) the list is
/// given up and the block's cells search their own text. Bounds the list (24 bytes an entry)
/// at 3/8 of a byte per byte of block: 24 MiB for the largest window (a 64 MiB token).
pub(super) const BYTES_PER_OCCURRENCE: usize = 64;

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
    }

    /// Forgets the block of [`Engine::set_block`].
    pub fn clear_block(&self, scratch: &mut Scratch) {
        scratch.block_ok = false;
        scratch.block_kw.clear();
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
        let at = at.filter(|_| scratch.block_ok);
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
