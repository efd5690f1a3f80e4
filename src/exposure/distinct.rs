//! Distinct values per place for an input too large to count in memory.
//!
//! [`super::InputBuilder`] counts distinct values per place with a set of fingerprints. For
//! one large input (a multi-gigabyte dump) those sets grow with the dump, so a spooling builder
//! moves them to a [`DistinctSpill`] — an unlinked 0600 temporary file of (place, fingerprint)
//! records — whenever it writes a piece, and counts at the end in passes over one slice of the
//! fingerprint hash space at a time, each pass holding at most a pass budget of entries.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};

use super::fp::{Fp, passes, slice_of};

/// (raw place, fingerprint) records written by a builder, counted at its end.
#[derive(Debug)]
pub(super) struct DistinctSpill {
    out: BufWriter<File>,
    records: u64,
}

/// Bytes per record: a u32 place and a u128 fingerprint, little-endian.
const RECORD: usize = 20;

impl DistinctSpill {
    /// An empty spill in the system temporary directory.
    pub(super) fn new() -> io::Result<DistinctSpill> {
        Ok(DistinctSpill {
            out: BufWriter::with_capacity(1 << 16, tempfile::tempfile()?),
            records: 0,
        })
    }

    /// Records that `fp` was seen in raw place `place` (duplicates are fine).
    pub(super) fn push(&mut self, place: u32, fp: Fp) -> io::Result<()> {
        let mut rec = [0u8; RECORD];
        rec[..4].copy_from_slice(&place.to_le_bytes());
        rec[4..].copy_from_slice(&fp.0.to_le_bytes());
        self.out.write_all(&rec)?;
        self.records += 1;
        Ok(())
    }

    /// Distinct fingerprints per final place, where `remap` maps raw places to the `n` final
    /// ones (several raw places may fold into one; their values are then counted once).
    /// Each pass buffers at most about `budget` bytes, more only if a slice's values are
    /// mostly distinct beyond it (the buffer is compacted first).
    pub(super) fn count(self, remap: &[u32], n: usize, budget: u64) -> io::Result<Vec<u64>> {
        let mut file = self.out.into_inner().map_err(|e| e.into_error())?;
        // (final place, fingerprint halves): 24 bytes.
        let passes = passes(self.records, 24, budget);
        let mut cap = usize::try_from(budget / 24).unwrap_or(usize::MAX).max(2);
        let mut counts = vec![0u64; n];
        let mut buf: Vec<(u32, u64, u64)> = Vec::new();
        for pass in 0..passes {
            file.seek(SeekFrom::Start(0))?;
            let mut r = BufReader::with_capacity(1 << 20, &file);
            let mut rec = [0u8; RECORD];
            buf.clear();
            for _ in 0..self.records {
                r.read_exact(&mut rec)?;
                let mut fp = [0u8; 16];
                fp.copy_from_slice(&rec[4..]);
                let fp = u128::from_le_bytes(fp);
                let hi = (fp >> 64) as u64;
                if slice_of(hi, passes) != pass {
                    continue;
                }
                let raw = u32::from_le_bytes([rec[0], rec[1], rec[2], rec[3]]);
                let Some(&place) = remap.get(raw as usize) else {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "distinct-value spill names a place the input does not have",
                    ));
                };
                if buf.len() == cap {
                    buf.sort_unstable();
                    buf.dedup();
                    if buf.len() > cap / 2 {
                        cap = cap.saturating_mul(2);
                    }
                }
                buf.push((place, hi, fp as u64));
            }
            buf.sort_unstable();
            buf.dedup();
            for &(place, _, _) in &buf {
                if let Some(c) = counts.get_mut(place as usize) {
                    *c += 1;
                }
            }
        }
        Ok(counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes 5,000 seeded values (one in four drawn from a small pool, so values repeat)
    /// over raw places 0..3 and returns the distinct count per final place.
    fn fill(spill: &mut DistinctSpill, remap: &[u32]) -> Vec<u64> {
        let mut want = [std::collections::HashSet::new(), Default::default()];
        let mut x = 0x9e37_79b9_7f4a_7c15_u128;
        for i in 0..5000u32 {
            x = x
                .wrapping_mul(0x2545_f491_4f6c_dd1d_2545_f491_4f6c_dd1d)
                .wrapping_add(1);
            let fp = if i % 4 == 0 {
                Fp(u128::from(i % 37) << 100)
            } else {
                Fp(x)
            };
            let raw = i % 3;
            spill.push(raw, fp).expect("push");
            want[remap[raw as usize] as usize].insert(fp);
        }
        want.iter().map(|s| s.len() as u64).collect()
    }

    #[test]
    fn counts_distinct_values_per_final_place_in_any_number_of_passes() {
        // Raw places 0 and 2 fold into final place 0; raw 1 is final 1.
        let remap = [0u32, 1, 0];
        // 240 bytes: ~500 passes of ten entries, compacted on every push.
        for budget in [240, 4096, 1 << 30] {
            let mut spill = DistinctSpill::new().expect("spill");
            let want = fill(&mut spill, &remap);
            assert!(want[0] > 1000 && want[1] > 1000, "{want:?}");
            assert_eq!(
                spill.count(&remap, 2, budget).expect("count"),
                want,
                "{budget}"
            );
        }
    }
}
