//! Plain text, logs, code and anything no other format claims: record = line, no field.
//!
//! Text is cut into large blocks at line boundaries, so the engine scans a megabyte at a time
//! rather than a line at a time. A line longer than a block (a 2 GB one-line file) is cut
//! mid-line with an [`OVERLAP`]: each block accepts only findings that *start* before its last
//! `OVERLAP - CONTEXT` bytes, and the next block, which begins `OVERLAP` bytes before the cut,
//! accepts findings from `CONTEXT` bytes in. A value straddling the cut is therefore seen whole,
//! with its left context, exactly once; memory stays at one block plus the overlap.

use std::io::BufRead;

use super::{Cell, CellSink, Format, FormatError, FormatStats};

/// Bytes per block.
pub const BLOCK: usize = 1 << 20;
/// Bytes shared between consecutive blocks of one over-long line.
pub const OVERLAP: usize = 4096;
/// Left context a value needs (context words, digit adjacency) in the block after a cut.
pub const CONTEXT: usize = 512;

/// The plain-text format.
#[derive(Debug, Clone, Copy, Default)]
pub struct Text;

impl Format for Text {
    fn name(&self) -> &'static str {
        "text"
    }

    fn scan(
        &self,
        input: &mut dyn BufRead,
        sink: &mut dyn CellSink,
    ) -> Result<FormatStats, FormatError> {
        scan_blocks(input, sink, BLOCK)
    }
}

/// The text format's block loop with a configurable block size (tests use small blocks).
pub fn scan_blocks(
    input: &mut dyn BufRead,
    sink: &mut dyn CellSink,
    block: usize,
) -> Result<FormatStats, FormatError> {
    let block = block.max(OVERLAP * 2);
    let mut buf: Vec<u8> = Vec::with_capacity(block);
    let (mut line, mut column) = (1u64, 1u64);
    let mut accept_from = 0usize;
    let mut lines = 0u64;
    let mut eof = false;
    let mut last_byte = b'\n';
    loop {
        while !eof && buf.len() < block {
            let avail = input.fill_buf()?;
            if avail.is_empty() {
                eof = true;
                break;
            }
            let take = avail.len().min(block - buf.len());
            buf.extend_from_slice(&avail[..take]);
            input.consume(take);
        }
        if buf.is_empty() {
            break;
        }
        // Where this block ends, which starts it accepts, and where the next block starts.
        let (cut, accept_end, next_start) = if eof {
            (buf.len(), buf.len(), buf.len())
        } else if let Some(nl) = memchr::memrchr(b'\n', &buf[accept_from.min(buf.len())..]) {
            let cut = accept_from + nl + 1;
            (cut, cut, cut)
        } else {
            let cut = buf.len();
            let next = cut - OVERLAP;
            (cut, next + CONTEXT, next)
        };
        sink.cell(&Cell {
            text: &buf[..cut],
            line,
            column,
            field: None,
            record: None,
            accept: accept_from..accept_end,
        });
        // Advance the position of buf[0] to buf[next_start].
        let consumed = &buf[..next_start];
        let nls = memchr::memchr_iter(b'\n', consumed).count() as u64;
        if nls > 0 {
            line += nls;
            let after = consumed.len() - memchr::memrchr(b'\n', consumed).map_or(0, |p| p + 1);
            column = 1 + after as u64;
        } else {
            column += consumed.len() as u64;
        }
        lines += nls;
        if let Some(&b) = buf[..cut].last() {
            last_byte = b;
        }
        accept_from = if next_start < cut { CONTEXT } else { 0 };
        buf.drain(..next_start);
        if eof && buf.is_empty() {
            break;
        }
    }
    if last_byte != b'\n' {
        lines += 1;
    }
    Ok(FormatStats { records: lines })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Collect(Vec<(Vec<u8>, u64, u64, std::ops::Range<usize>)>);

    impl CellSink for Collect {
        fn cell(&mut self, c: &Cell<'_>) {
            self.0
                .push((c.text.to_vec(), c.line, c.column, c.accept.clone()));
        }
    }

    #[test]
    fn small_input_is_one_cell() {
        let mut sink = Collect::default();
        let stats = Text.scan(&mut &b"a\nb\nc"[..], &mut sink).unwrap();
        assert_eq!(stats.records, 3);
        assert_eq!(sink.0.len(), 1);
        assert_eq!(sink.0[0].0, b"a\nb\nc");
        assert_eq!(sink.0[0].3, 0..5);
    }

    #[test]
    fn long_line_blocks_overlap_and_accept_every_offset_once() {
        let text = vec![b'x'; OVERLAP * 7 + 123];
        let mut sink = Collect::default();
        scan_blocks(&mut &text[..], &mut sink, OVERLAP * 2).unwrap();
        assert!(sink.0.len() > 3);
        // Map each accepted offset back to the input: together they must tile it exactly.
        let mut covered = vec![0u8; text.len()];
        for (_, line, col, acc) in &sink.0 {
            assert_eq!(*line, 1);
            for off in acc.clone() {
                covered[(*col - 1) as usize + off] += 1;
            }
        }
        assert!(covered.iter().all(|&c| c == 1));
    }

    #[test]
    fn blocks_end_at_line_boundaries_and_track_lines() {
        let mut text = Vec::new();
        for i in 0..5000 {
            text.extend_from_slice(format!("line {i} with some padding text\n").as_bytes());
        }
        let mut sink = Collect::default();
        let stats = scan_blocks(&mut &text[..], &mut sink, OVERLAP * 2).unwrap();
        assert_eq!(stats.records, 5000);
        let mut expect_line = 1;
        for (t, line, col, acc) in &sink.0 {
            assert_eq!(*line, expect_line);
            assert_eq!(*col, 1);
            assert_eq!(*acc, 0..t.len());
            expect_line += t.iter().filter(|&&b| b == b'\n').count() as u64;
        }
    }
}
