//! Archives and compression: recognising containers by their magic bytes, opening them as
//! streams, and the caps that keep a hostile archive from exhausting memory, disk or time.
//!
//! Compressed streams (gzip, zstd, bzip2, xz) are transparent: the decompressed bytes are the
//! same input, so `export.csv.gz` reports as `export.csv.gz`. Archives (zip, tar) hold members,
//! reported as `outer.zip!dir/inner.csv`, nested as `a.zip!b.tar.gz!c.csv`. A member name is only
//! ever a name: nothing is extracted to it, so `../../x` or `/etc/passwd` cannot escape anything.
//! Zip needs random access; a zip that is not a file on disk (stdin, a zip inside an archive) is
//! spooled to an anonymous, already-unlinked temp file (mode 0600) that vanishes when closed.
//!
//! Caps ([`Limits`]), each reported per input when hit (the input then counts as an error,
//! because whatever the cap hid was not scanned):
//! * nesting depth of containers;
//! * expansion ratio of each decompression layer (bytes out ≤ ratio × bytes in + 1 MiB);
//! * total bytes expanded from one top-level input (zip bombs with overlapping entries);
//! * members per archive, and members of one top-level input at all nesting levels together
//!   (a 42.zip-style fan-out is cut after that many);
//! * zips whose members overlap or share compressed data are refused (Fifield's non-recursive
//!   zip bomb) before any member is expanded;
//! * the size of a zip that must be spooled;
//! * decoder memory: zstd windows and xz dictionaries up to 64 MiB at the top level, 16 MiB
//!   inside a container (a stack of nested streams holds one window each).

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

/// A container format recognised by magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// gzip (`1f 8b`).
    Gzip,
    /// Zstandard (`28 b5 2f fd`).
    Zstd,
    /// bzip2 (`BZh`).
    Bzip2,
    /// xz (`fd 37 7a 58 5a 00`).
    Xz,
    /// zip (`PK\x03\x04`, or `PK\x05\x06` for an empty archive).
    Zip,
    /// POSIX / GNU tar (`ustar` at offset 257).
    Tar,
}

impl Container {
    /// Name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Container::Gzip => "gzip",
            Container::Zstd => "zstd",
            Container::Bzip2 => "bzip2",
            Container::Xz => "xz",
            Container::Zip => "zip",
            Container::Tar => "tar",
        }
    }

    /// True for single-stream compression (transparent), false for archives with members.
    pub fn is_compression(self) -> bool {
        !matches!(self, Container::Zip | Container::Tar)
    }
}

/// Bytes of an input's start needed to recognise every container.
pub const SNIFF_LEN: usize = 512;

/// The container `head` starts, if any.
pub fn sniff(head: &[u8]) -> Option<Container> {
    if head.starts_with(&[0x1f, 0x8b]) {
        Some(Container::Gzip)
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Some(Container::Zstd)
    } else if head.starts_with(b"BZh") && head.get(3).is_some_and(|b| (b'1'..=b'9').contains(b)) {
        Some(Container::Bzip2)
    } else if head.starts_with(&[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) {
        Some(Container::Xz)
    } else if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        Some(Container::Zip)
    } else if head.get(257..262) == Some(b"ustar") {
        Some(Container::Tar)
    } else {
        None
    }
}

/// Resource caps for containers (see module docs). Defaults suit a file share scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Containers nested deeper than this are not opened.
    pub max_depth: u32,
    /// Each decompression layer may expand at most this many times its input (+ 1 MiB).
    pub max_ratio: u64,
    /// Bytes that may be expanded from one top-level input, all layers and members together.
    pub max_total: u64,
    /// Members per archive, and per top-level input at all nesting levels together.
    pub max_members: u64,
    /// Largest zip that is spooled to a temp file for random access.
    pub max_spool: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 5,
            max_ratio: 200,
            max_total: 8 << 30,
            max_members: 100_000,
            max_spool: 1 << 30,
        }
    }
}

/// Shared accounting for one top-level input: total expanded bytes, members opened at every
/// nesting level, the first cap hit, and whether a budget-wide cap ended the input.
#[derive(Debug, Default)]
pub struct Budget {
    expanded: Cell<u64>,
    members: Cell<u64>,
    hit: Cell<Option<&'static str>>,
    exhausted: Cell<Option<&'static str>>,
}

impl Budget {
    /// The first cap hit while expanding this input, if any (a ratio cap in one member
    /// included: see [`Budget::exhausted`] for caps that end the whole input).
    pub fn cap_hit(&self) -> Option<&'static str> {
        self.hit.get()
    }

    /// The budget-wide cap ([`TOTAL_CAP`], [`MEMBER_CAP`]) that ended this input, if any: once
    /// set, nothing more of the input is opened.
    pub fn exhausted(&self) -> Option<&'static str> {
        self.exhausted.get()
    }

    /// Counts one archive member (at any depth) against `limits.max_members`. `Err` with
    /// [`MEMBER_CAP`] once more members than that were met in this top-level input, so a
    /// 42.zip-style fan-out (16 members of 16 members of ...) is cut after a bounded number.
    pub fn count_member(&self, limits: &Limits) -> Result<(), &'static str> {
        let n = self.members.get() + 1;
        self.members.set(n);
        if n > limits.max_members {
            self.trip(MEMBER_CAP);
            self.exhausted.set(Some(MEMBER_CAP));
            return Err(MEMBER_CAP);
        }
        Ok(())
    }

    fn trip(&self, what: &'static str) -> io::Error {
        if self.hit.get().is_none() {
            self.hit.set(Some(what));
        }
        io::Error::other(what)
    }
}

/// Counts bytes read through it (the compressed side of a layer).
pub struct Counting<R> {
    inner: R,
    count: Rc<Cell<u64>>,
}

impl<R: Read> Counting<R> {
    /// Wraps `inner`; the returned counter sees every byte read.
    pub fn new(inner: R) -> (Counting<R>, Rc<Cell<u64>>) {
        let count = Rc::new(Cell::new(0));
        (
            Counting {
                inner,
                count: count.clone(),
            },
            count,
        )
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// The decompressed side of a layer: enforces the ratio and total caps.
pub struct Guarded<'b, R> {
    inner: R,
    compressed: Rc<Cell<u64>>,
    out: u64,
    limits: Limits,
    budget: &'b Budget,
}

impl<'b, R: Read> Guarded<'b, R> {
    /// Guards `inner`, whose compressed input is counted by `compressed`.
    pub fn new(inner: R, compressed: Rc<Cell<u64>>, limits: Limits, budget: &'b Budget) -> Self {
        Guarded {
            inner,
            compressed,
            out: 0,
            limits,
            budget,
        }
    }
}

/// The message of the ratio cap.
pub const RATIO_CAP: &str = "archive expansion ratio cap hit (possible decompression bomb)";
/// The message of the total cap.
pub const TOTAL_CAP: &str = "archive total expanded bytes cap hit (possible decompression bomb)";
/// The message of the member cap (all nesting levels of one input together).
pub const MEMBER_CAP: &str = "archive member cap hit (too many members at all nesting levels)";
/// The message for a zip whose members share or overlap their compressed data.
pub const OVERLAP_CAP: &str =
    "zip members overlap or share their data (overlapping-entry zip bomb; not opened)";

impl<R: Read> Read for Guarded<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.out += n as u64;
        let total = self.budget.expanded.get() + n as u64;
        self.budget.expanded.set(total);
        let allowed = self
            .compressed
            .get()
            .saturating_mul(self.limits.max_ratio)
            .saturating_add(1 << 20);
        if self.out > allowed {
            return Err(self.budget.trip(RATIO_CAP));
        }
        if total > self.limits.max_total {
            self.budget.exhausted.set(Some(TOTAL_CAP));
            return Err(self.budget.trip(TOTAL_CAP));
        }
        Ok(n)
    }
}

/// Largest zstd window / xz dictionary accepted for a compressed stream at the top level.
pub const TOP_WINDOW: u64 = 64 << 20;
/// Largest zstd window / xz dictionary accepted for a compressed stream inside a container: a
/// stack of nested streams holds one window each, so the depth cap alone would allow
/// 5 × 64 MiB. Covers zstd levels up to 19 and xz presets up to -7.
pub const NESTED_WINDOW: u64 = 16 << 20;

/// The window / dictionary cap for a compressed stream opened at container `depth`.
pub fn window_limit(depth: u32) -> u64 {
    if depth == 0 {
        TOP_WINDOW
    } else {
        NESTED_WINDOW
    }
}

/// Opens a single-stream decompressor of `kind` over `inner`. Memory-bounded: zstd windows and
/// xz dictionaries larger than `max_window` bytes are refused (see [`window_limit`]).
pub fn decompressor<'a, R: Read + 'a>(
    kind: Container,
    inner: R,
    max_window: u64,
) -> io::Result<Box<dyn Read + 'a>> {
    Ok(match kind {
        Container::Gzip => Box::new(flate2::read::MultiGzDecoder::new(inner)),
        Container::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(inner)),
        Container::Xz => {
            // The limit covers the dictionary plus the decoder's own state (~1 MiB).
            let kib = u32::try_from((max_window >> 10) + 1024).unwrap_or(u32::MAX - 1);
            Box::new(lzma_rust2::XzReader::new_mem_limit(inner, true, kib))
        }
        Container::Zstd => Box::new(
            ruzstd::decoding::StreamingDecoder::new_with_max_window_size(inner, max_window)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("zstd: {e}")))?,
        ),
        Container::Zip | Container::Tar => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a compression stream",
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_magic_bytes() {
        let mut tar = vec![0u8; 512];
        tar[257..262].copy_from_slice(b"ustar");
        for (head, want) in [
            (&[0x1f, 0x8b, 8][..], Some(Container::Gzip)),
            (&[0x28, 0xb5, 0x2f, 0xfd, 0][..], Some(Container::Zstd)),
            (b"BZh91AY", Some(Container::Bzip2)),
            (
                &[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00][..],
                Some(Container::Xz),
            ),
            (b"PK\x03\x04rest", Some(Container::Zip)),
            (&tar[..], Some(Container::Tar)),
            (b"name,email\n", None),
            (b"BZh", None),
        ] {
            assert_eq!(sniff(head), want);
        }
    }

    /// A zstd frame header declaring a `1 << log` byte window, then one RLE block.
    fn zstd_with_window(log: u8) -> Vec<u8> {
        let mut v = vec![0x28, 0xb5, 0x2f, 0xfd, 0x00, (log - 10) << 3];
        // Last block, RLE, 16 bytes of 'a'.
        let header: u32 = 1 | (1 << 1) | (16 << 3);
        v.extend_from_slice(&header.to_le_bytes()[..3]);
        v.push(b'a');
        v
    }

    #[test]
    fn nested_streams_get_smaller_windows() {
        let big = zstd_with_window(26); // 64 MiB
        let mut out = Vec::new();
        decompressor(Container::Zstd, &big[..], window_limit(0))
            .unwrap()
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, b"a".repeat(16));
        let err = decompressor(Container::Zstd, &big[..], window_limit(1))
            .err()
            .unwrap();
        assert!(err.to_string().contains("zstd"), "{err}");
        assert!(window_limit(3) < window_limit(0));
    }

    #[test]
    fn member_cap_counts_every_level_and_ends_the_input() {
        let limits = Limits {
            max_members: 3,
            ..Limits::default()
        };
        let budget = Budget::default();
        for _ in 0..3 {
            assert_eq!(budget.count_member(&limits), Ok(()));
        }
        assert_eq!(budget.exhausted(), None);
        assert_eq!(budget.count_member(&limits), Err(MEMBER_CAP));
        assert_eq!(budget.exhausted(), Some(MEMBER_CAP));
        assert_eq!(budget.cap_hit(), Some(MEMBER_CAP));
    }

    #[test]
    fn guard_trips_on_ratio() {
        let zeros = vec![0u8; 8 << 20];
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut gz, &zeros).unwrap();
        let packed = gz.finish().unwrap();
        let budget = Budget::default();
        let (counted, n) = Counting::new(&packed[..]);
        let dec = decompressor(Container::Gzip, counted, TOP_WINDOW).unwrap();
        let limits = Limits {
            max_ratio: 10,
            ..Limits::default()
        };
        let mut g = Guarded::new(dec, n, limits, &budget);
        let err = std::io::copy(&mut g, &mut std::io::sink()).unwrap_err();
        assert_eq!(err.to_string(), RATIO_CAP);
        assert_eq!(budget.cap_hit(), Some(RATIO_CAP));
    }
}
