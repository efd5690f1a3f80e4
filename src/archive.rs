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
//! * members per archive;
//! * the size of a zip that must be spooled.

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
    /// Members per archive.
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

/// Shared accounting for one top-level input: total expanded bytes, and the first cap hit.
#[derive(Debug, Default)]
pub struct Budget {
    expanded: Cell<u64>,
    hit: Cell<Option<&'static str>>,
}

impl Budget {
    /// The cap that stopped expansion, if any.
    pub fn cap_hit(&self) -> Option<&'static str> {
        self.hit.get()
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
            return Err(self.budget.trip(TOTAL_CAP));
        }
        Ok(n)
    }
}

/// Opens a single-stream decompressor of `kind` over `inner`. Memory-bounded: zstd windows and
/// xz dictionaries are capped at 64 MiB.
pub fn decompressor<'a, R: Read + 'a>(kind: Container, inner: R) -> io::Result<Box<dyn Read + 'a>> {
    Ok(match kind {
        Container::Gzip => Box::new(flate2::read::MultiGzDecoder::new(inner)),
        Container::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(inner)),
        Container::Xz => Box::new(lzma_rust2::XzReader::new_mem_limit(inner, true, 64 * 1024)),
        Container::Zstd => Box::new(
            ruzstd::decoding::StreamingDecoder::new_with_max_window_size(inner, 64 << 20)
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

    #[test]
    fn guard_trips_on_ratio() {
        let zeros = vec![0u8; 8 << 20];
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut gz, &zeros).unwrap();
        let packed = gz.finish().unwrap();
        let budget = Budget::default();
        let (counted, n) = Counting::new(&packed[..]);
        let dec = decompressor(Container::Gzip, counted).unwrap();
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
