//! A growable read window over a [`BufRead`], shared by the structured formats (CSV, JSON, SQL).
//!
//! The structured formats are tokenizers with *restart* semantics: a token (a CSV field, a JSON
//! string, an SQL literal, a COPY line) is only acted on once it lies whole in [`Window::buf`].
//! When a token runs off the end of the buffer, the parser calls [`Window::refill`] with the
//! token's start: everything before it is dropped, more input is appended, and the parser
//! re-scans the token from index 0. Each refill reads at least as many bytes as it keeps, so
//! re-scanning costs at most a constant factor over the input, and memory is bounded by the
//! largest token (capped by [`MAX_TOKEN`]) plus one read.
//!
//! The window also tracks lines: it counts newlines lazily, up to the positions asked for
//! ([`Window::line_col`], which must be called with non-decreasing positions) and up to the
//! bytes dropped, so every byte is counted once and cells get their true line and column.

use std::io::BufRead;

use super::{CellSink, FormatError};

/// Largest single token (field, string literal, line) a structured format buffers.
pub const MAX_TOKEN: usize = 64 << 20;
/// Smallest read a refill makes.
const MIN_READ: usize = 256 << 10;

/// See the module docs.
pub struct Window<'a> {
    input: &'a mut dyn BufRead,
    /// Bytes read and not yet dropped.
    pub buf: Vec<u8>,
    /// Absolute offset of `buf[0]` in the decoded input.
    base: u64,
    eof: bool,
    limit: usize,
    line: u64,
    /// Absolute offset of the first byte of `line`.
    line_start: u64,
    /// Absolute offset up to which newlines have been counted.
    counted: u64,
}

impl<'a> Window<'a> {
    /// An empty window over `input`; tokens longer than `limit` are an error.
    pub fn new(input: &'a mut dyn BufRead, limit: usize) -> Window<'a> {
        Window {
            input,
            buf: Vec::new(),
            base: 0,
            eof: false,
            limit,
            line: 1,
            line_start: 0,
            counted: 0,
        }
    }

    /// True once the input is exhausted: `buf` holds everything that is left.
    pub fn at_eof(&self) -> bool {
        self.eof
    }

    /// [`Window::refill`], then hands the new block to `sink` (see [`CellSink::block`]): the
    /// refill every format whose cells are slices of [`Window::buf`] makes.
    pub fn refill_into(
        &mut self,
        sink: &mut dyn CellSink,
        keep: usize,
        what: &str,
    ) -> Result<bool, FormatError> {
        let more = self.refill(keep, what);
        sink.block(&self.buf);
        more
    }

    /// Drops `buf[..keep]` and reads more input. Returns `Ok(false)` at end of input (nothing
    /// was added). After the call, what was `buf[keep]` is `buf[0]`. `what` names the token
    /// being read, for the error when it grows beyond the limit.
    pub fn refill(&mut self, keep: usize, what: &str) -> Result<bool, FormatError> {
        let keep = keep.min(self.buf.len());
        self.count_to(keep);
        self.buf.drain(..keep);
        self.base += keep as u64;
        if self.eof {
            return Ok(false);
        }
        if self.buf.len() >= self.limit {
            let (line, _) = self.line_col(0);
            return Err(FormatError::Limit(format!(
                "{what} starting at line {line} is longer than {} MiB",
                self.limit >> 20
            )));
        }
        let want = (self.buf.len() + self.buf.len().max(MIN_READ)).min(self.limit + MIN_READ);
        let before = self.buf.len();
        while self.buf.len() < want {
            let avail = self.input.fill_buf()?;
            if avail.is_empty() {
                self.eof = true;
                break;
            }
            let take = avail.len().min(want - self.buf.len());
            self.buf.extend_from_slice(&avail[..take]);
            self.input.consume(take);
        }
        Ok(self.buf.len() > before)
    }

    /// 1-based line and byte column of `buf[idx]`. Positions asked for must not decrease.
    pub fn line_col(&mut self, idx: usize) -> (u64, u64) {
        self.count_to(idx);
        let abs = self.base + idx as u64;
        (self.line, abs.saturating_sub(self.line_start) + 1)
    }

    /// Current line of the last counted position (for error messages).
    pub fn line_at(&mut self, idx: usize) -> u64 {
        self.line_col(idx).0
    }

    fn count_to(&mut self, idx: usize) {
        let idx = idx.min(self.buf.len());
        let abs = self.base + idx as u64;
        if abs <= self.counted {
            return;
        }
        let from = (self.counted - self.base) as usize;
        let seg = &self.buf[from..idx];
        let mut last = None;
        let mut n = 0u64;
        for p in memchr::memchr_iter(b'\n', seg) {
            n += 1;
            last = Some(p);
        }
        if let Some(p) = last {
            self.line += n;
            self.line_start = self.base + (from + p + 1) as u64;
        }
        self.counted = abs;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refill_keeps_tail_and_tracks_lines() {
        let data = b"ab\ncd\nef".to_vec();
        let mut r = &data[..];
        let mut w = Window::new(&mut r, 1 << 20);
        assert!(w.refill(0, "t").unwrap());
        assert_eq!(w.buf, data);
        assert_eq!(w.line_col(4), (2, 2));
        assert!(!w.refill(6, "t").unwrap());
        assert_eq!(w.buf, b"ef");
        assert_eq!(w.line_col(1), (3, 2));
    }

    #[test]
    fn token_over_limit_is_an_error() {
        let data = vec![b'x'; 3 << 20];
        let mut r = &data[..];
        let mut w = Window::new(&mut r, 1 << 20);
        let mut err = None;
        for _ in 0..100 {
            match w.refill(0, "field") {
                Ok(true) => continue,
                Ok(false) => break,
                Err(e) => {
                    err = Some(e);
                    break;
                }
            }
        }
        assert!(matches!(err, Some(FormatError::Limit(_))));
    }
}
