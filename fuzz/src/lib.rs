//! Shared helpers for piiscan's fuzz targets: a reader that hands out bytes in fuzzer-chosen
//! chunk sizes (so every refill boundary is exercised), a sink that touches every cell, and one
//! engine/scanner built once per process.

use std::io::{self, BufRead, Read};
use std::sync::OnceLock;

use piiscan::detect::{Engine, builtin};
use piiscan::finding::Fingerprinter;
use piiscan::formats::{Cell, CellSink};
use piiscan::scan::{ScanOptions, Scanner};

/// Reads `data` in chunks whose sizes cycle through `sizes` (each 1..=256, 0 → 1).
pub struct Chunked<'a> {
    data: &'a [u8],
    sizes: &'a [u8],
    i: usize,
}

impl<'a> Chunked<'a> {
    /// Splits the fuzz input: the first byte says how many chunk-size bytes follow (0..=15).
    pub fn split(input: &'a [u8]) -> Chunked<'a> {
        let (n, rest) = match input.split_first() {
            Some((&b, rest)) => ((b & 0x0f) as usize, rest),
            None => (0, input),
        };
        let n = n.min(rest.len());
        Chunked {
            sizes: &rest[..n],
            data: &rest[n..],
            i: 0,
        }
    }

    /// The payload (after the chunk-size prefix).
    pub fn data(&self) -> &'a [u8] {
        self.data
    }
}

impl Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want = if self.sizes.is_empty() {
            buf.len()
        } else {
            let s = self.sizes[self.i % self.sizes.len()] as usize;
            self.i += 1;
            s.max(1)
        };
        let n = want.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// A `BufRead` over a `Read` with a tiny buffer, so formats see many short fills.
pub fn small_bufread<R: Read>(r: R, cap: usize) -> io::BufReader<R> {
    io::BufReader::with_capacity(cap.max(1), r)
}

/// A sink that checks each cell's invariants and reads every byte.
#[derive(Default)]
pub struct Touch {
    /// Cells seen.
    pub cells: u64,
    /// A checksum of the bytes (so nothing is optimised away).
    pub sum: u64,
}

impl CellSink for Touch {
    fn cell(&mut self, cell: &Cell<'_>) {
        assert!(
            cell.accept.start <= cell.accept.end,
            "accept range inverted"
        );
        assert!(
            cell.accept.end <= cell.text.len(),
            "accept range past the text"
        );
        assert!(cell.line >= 1 && cell.column >= 1, "positions are 1-based");
        self.cells += 1;
        self.sum = cell
            .text
            .iter()
            .fold(self.sum, |s, &b| s.wrapping_mul(31).wrapping_add(b as u64));
        if let Some(f) = cell.field {
            self.sum = self.sum.wrapping_add(f.len() as u64);
        }
    }
}

/// The built-in engine, compiled once per process.
pub fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| {
        let specs = builtin::load(&[]).expect("built-in patterns load");
        Engine::new(specs, piiscan::validate::Ctx::default()).expect("built-in engine compiles")
    })
}

/// A scanner over the built-in engine, created once per process.
pub fn scanner() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(|| {
        let specs = builtin::load(&[]).expect("built-in patterns load");
        let engine = Engine::new(specs, piiscan::validate::Ctx::default())
            .expect("built-in engine compiles");
        Scanner::new(
            engine,
            Fingerprinter::new(b"fuzz-key-0123456789abcdef"),
            ScanOptions::default(),
        )
    })
}

/// Drains a `BufRead` to the end (for decoders).
pub fn drain(r: &mut dyn BufRead) -> io::Result<u64> {
    let mut n = 0u64;
    loop {
        let len = {
            let b = r.fill_buf()?;
            if b.is_empty() {
                return Ok(n);
            }
            b.len()
        };
        n += len as u64;
        r.consume(len);
    }
}
