//! A structural check of an OLE2 compound file (CFB) before it is handed to calamine.
//!
//! calamine follows sector chains through the file allocation table (FAT) without remembering
//! where it has been: a FAT whose chain loops back on itself (a fuzzed or damaged xls; the `cfb`
//! crate ships such files as test fixtures) makes it append the same sectors forever — one
//! 13 KB file took 24 GB before the kernel killed the scan. [`chains_are_sound`] reads only the
//! header, the DIFAT and the FAT (never a stream), and accepts the file only if every FAT chain
//! ends: no entry points outside the table and no chain revisits a sector. With that, every chain
//! calamine follows is at most the file's own length, so what it allocates is bounded by the file
//! (which `unpack` caps at `WORKBOOK_CAP`). The mini-FAT needs no check: calamine reads mini
//! streams only when they declare under 4 KiB and stops at the declared length.
//!
//! [`dimensions_are_sane`] then reads the workbook stream itself (with the `cfb` crate, which
//! validates the container on its own) and checks what calamine would allocate from it before
//! reading a cell: it reserves room for every cell of a sheet's declared Dimensions record
//! (rows × columns) up front, so a forged record asking for 4 billion rows made it request
//! hundreds of gigabytes and abort the process (found by the `workbook` fuzz target; an
//! allocation failure cannot be caught like a panic). A real BIFF8 sheet has at most 65,536
//! rows × 256 columns. calamine also turns each sheet into a dense grid spanning its cells
//! (and clones it), so two cells at opposite corners of a sheet cost ~1 GB: a grid is refused
//! when it covers more than 2 Mi cells and more than 16 per cell record (a real sheet that large
//! is mostly full; its memory is then proportional to the file, which `unpack` caps).

use std::io::{Read, Seek, SeekFrom};

/// Last regular sector id; ids above it are markers (DIFAT, FAT, end of chain, free).
const MAX_REGULAR: u32 = 0xFFFF_FFFA;
/// An unused sector.
const FREE: u32 = 0xFFFF_FFFF;
/// A sector holding DIFAT entries.
const DIFAT_SECTOR: u32 = 0xFFFF_FFFC;

/// Why a compound file was refused (for the per-file error; never quotes content).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unsound {
    /// The 512-byte header is short or names an impossible sector size.
    #[error("bad OLE2 header")]
    Header,
    /// The DIFAT chain loops or runs past the end of the file.
    #[error("OLE2 DIFAT chain loops or runs past the end of the file")]
    Difat,
    /// A FAT entry points outside the table.
    #[error("OLE2 FAT entry points outside the table")]
    OutOfRange,
    /// A FAT chain loops back on itself.
    #[error("OLE2 FAT chain loops back on itself")]
    Loop,
    /// The container could not be read as a compound file by the `cfb` crate.
    #[error("OLE2 container not readable")]
    Container,
    /// A sheet declares more rows × columns than the xls format allows.
    #[error("a sheet declares more rows x columns than xls allows")]
    Dimensions,
    /// A sheet's few cells span a huge grid (calamine allocates the whole grid).
    #[error("a sheet's few cells span a grid too large to load")]
    SparseGrid,
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .map_or(FREE, |s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// Reads sector `id` (or as much of it as the file holds) into `buf`.
fn read_sector<R: Read + Seek>(
    r: &mut R,
    id: u32,
    size: usize,
    buf: &mut Vec<u8>,
) -> std::io::Result<()> {
    buf.clear();
    r.seek(SeekFrom::Start((u64::from(id) + 1) * size as u64))?;
    r.take(size as u64).read_to_end(buf)?;
    Ok(())
}

/// Checks that every FAT chain of the compound file in `r` (of `len` bytes) terminates; see the
/// module doc. I/O errors count as unsound (calamine would fail on them too).
pub fn chains_are_sound<R: Read + Seek>(r: &mut R, len: u64) -> Result<(), Unsound> {
    let mut header = Vec::with_capacity(512);
    r.seek(SeekFrom::Start(0)).map_err(|_| Unsound::Header)?;
    r.by_ref()
        .take(512)
        .read_to_end(&mut header)
        .map_err(|_| Unsound::Header)?;
    if header.len() < 512 {
        return Err(Unsound::Header);
    }
    let shift = u16::from_le_bytes([header[30], header[31]]);
    if !(7..=16).contains(&shift) {
        return Err(Unsound::Header);
    }
    let size = 1usize << shift;
    // Sectors the file can hold: any id beyond is past its end.
    let sectors = (len / size as u64) as usize;

    // DIFAT: 109 entries in the header, then a chain of DIFAT sectors, each ending with the id
    // of the next. Bounded by the number of sectors the file holds.
    let mut difat: Vec<u32> = (0..109).map(|i| u32_at(&header, 76 + 4 * i)).collect();
    let mut next = u32_at(&header, 68);
    let mut buf = Vec::with_capacity(size);
    let mut hops = 0usize;
    while next < MAX_REGULAR {
        hops += 1;
        if hops > sectors + 1 || next as usize >= sectors {
            return Err(Unsound::Difat);
        }
        read_sector(r, next, size, &mut buf).map_err(|_| Unsound::Difat)?;
        let entries = buf.len() / 4;
        if entries == 0 {
            return Err(Unsound::Difat);
        }
        difat.extend((0..entries - 1).map(|i| u32_at(&buf, 4 * i)));
        next = u32_at(&buf, 4 * (entries - 1));
    }

    // FAT: the sectors the DIFAT names, in order (as calamine loads them).
    let mut fat: Vec<u32> = Vec::new();
    for id in difat.into_iter().filter(|&id| id < DIFAT_SECTOR) {
        if fat.len() / (size / 4) > sectors {
            return Err(Unsound::OutOfRange);
        }
        read_sector(r, id, size, &mut buf).map_err(|_| Unsound::OutOfRange)?;
        fat.extend((0..buf.len() / 4).map(|i| u32_at(&buf, 4 * i)));
    }

    // Every entry is a marker, or the next sector of its chain inside the table; and following
    // the chains from every sector never comes back (a functional graph without a cycle).
    // state: 0 = not seen, 1 = on the walk in progress, 2 = known to end.
    let mut state = vec![0u8; fat.len()];
    let mut walk = Vec::new();
    for start in 0..fat.len() {
        let mut at = start;
        loop {
            match state[at] {
                2 => break,
                1 => return Err(Unsound::Loop),
                _ => {}
            }
            state[at] = 1;
            walk.push(at);
            let to = fat[at];
            if to >= MAX_REGULAR {
                // A marker: the chain ends here (calamine stops or fails on every marker).
                break;
            }
            if to as usize >= fat.len() {
                return Err(Unsound::OutOfRange);
            }
            at = to as usize;
        }
        for s in walk.drain(..) {
            state[s] = 2;
        }
    }
    Ok(())
}

/// Most cells a BIFF8 sheet can hold (65,536 rows × 256 columns).
const MAX_CELLS: u64 = 65_536 * 256;

/// Checks every workbook stream (`Workbook` or `Book`, any case, anywhere in the file: calamine
/// takes the first such name it meets): no sheet's Dimensions record, counted as calamine counts
/// it, exceeds 65,536 × 256 cells (BIFF8's limit), and no sheet's cells span a grid far larger
/// than they fill. Call only after [`chains_are_sound`], which bounds each stream by the file's
/// length.
pub fn dimensions_are_sane<R: Read + Seek>(r: R) -> Result<(), Unsound> {
    let mut cf = cfb::CompoundFile::open(r).map_err(|_| Unsound::Container)?;
    let books: Vec<_> = cf
        .walk()
        .filter(|e| {
            e.is_stream()
                && (e.name().eq_ignore_ascii_case("workbook")
                    || e.name().eq_ignore_ascii_case("book"))
        })
        .map(|e| e.path().to_path_buf())
        .collect();
    let mut stream = Vec::new();
    for path in books {
        stream.clear();
        let mut s = cf.open_stream(&path).map_err(|_| Unsound::Container)?;
        s.read_to_end(&mut stream).map_err(|_| Unsound::Container)?;
        records_are_sane(&stream)?;
    }
    Ok(())
}

/// Cell record types calamine places on a sheet's grid at the row and column (u16 each) their
/// data starts with: Number, Label, RString, BoolErr, Rk, LabelSst, Formula.
const CELL_RECORDS: [u16; 7] = [0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006];
/// Formula: also sets where a following String record's value goes.
const FORMULA: u16 = 0x0006;
/// String (a formula's text result): placed at the last Formula's cell, (0, 0) before any.
const STRING: u16 = 0x0207;
/// MulRk: row, first column, 6 bytes per value, last column.
const MUL_RK: u16 = 0x00BD;
const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const BOUND_SHEET: u16 = 0x0085;
const DIMENSIONS: u16 = 0x0200;
/// A sheet's grid may cover this many cells whatever it holds (2 Mi cells: ~64 MB in
/// calamine's dense range, which it builds and then clones).
const GRID_FREE: u64 = 1 << 21;
/// Beyond [`GRID_FREE`], a grid may cover at most this many cells per cell record: a real
/// sheet that large is mostly full; two cells at opposite corners are not a spreadsheet.
const GRID_PER_CELL: u64 = 16;

/// The one bound for every workbook kind: a sheet calamine will materialise as `covered` cells,
/// of which `written` are written in the file, is loaded only if `covered` is at most
/// [`GRID_FREE`] or at most [`GRID_PER_CELL`] per written cell.
pub(crate) fn grid_fits(covered: u64, written: u64) -> bool {
    covered <= GRID_FREE.max(written.saturating_mul(GRID_PER_CELL))
}

/// One sheet's cell grid, as calamine will size it: the bounding box of its cells (calamine's
/// dense range) and how many cells there are. Also used for xlsx/xlsb sheets (`table`).
#[derive(Default)]
pub(crate) struct Grid {
    rows: Option<(u32, u32)>,
    cols: Option<(u32, u32)>,
    cells: u64,
}

impl Grid {
    /// Adds `n` cells on `row`, columns `first_col..=last_col`.
    pub(crate) fn add(&mut self, row: u32, first_col: u32, last_col: u32, n: u64) {
        let (r0, r1) = self.rows.unwrap_or((row, row));
        self.rows = Some((r0.min(row), r1.max(row)));
        let (c0, c1) = self.cols.unwrap_or((first_col, last_col));
        self.cols = Some((c0.min(first_col), c1.max(last_col)));
        self.cells += n;
    }

    /// Refuses a grid that does not [`grid_fits`].
    pub(crate) fn check(&self) -> Result<(), Unsound> {
        let (Some((r0, r1)), Some((c0, c1))) = (self.rows, self.cols) else {
            return Ok(());
        };
        // In u64: xlsx positions come from text and may be anywhere in u32.
        let span = |lo: u32, hi: u32| u64::from(hi).saturating_sub(u64::from(lo)) + 1;
        if !grid_fits(span(r0, r1) * span(c0, c1), self.cells) {
            return Err(Unsound::SparseGrid);
        }
        Ok(())
    }
}

/// BIFF records (`type: u16, len: u16, data`) from the start of `stream`, up to the first one
/// that does not fit (calamine stops there with an error). Continue records come out as records
/// of their own; no check looks at them.
fn records(mut stream: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        let head = stream.get(..4)?;
        let typ = u16::from_le_bytes([head[0], head[1]]);
        let len = usize::from(u16::from_le_bytes([head[2], head[3]]));
        let data = stream.get(4..4 + len)?;
        stream = &stream[4 + len..];
        Some((typ, data))
    })
}

fn u16_at(d: &[u8], at: usize) -> u32 {
    u32::from(u16::from_le_bytes([d[at], d[at + 1]]))
}

/// Follows calamine through a workbook stream: the globals run from the start to the first EOF
/// and name each sheet's position (BoundSheet8, which may point anywhere in the stream); each
/// sheet is then read from its position. Checks every sheet's Dimensions and cell grid.
fn records_are_sane(stream: &[u8]) -> Result<(), Unsound> {
    let mut sheets = Vec::new();
    for (typ, data) in records(stream) {
        match typ {
            BOUND_SHEET if data.len() >= 4 => sheets.push(u32_at(data, 0) as usize),
            EOF => break,
            _ => {}
        }
    }
    for pos in sheets {
        if let Some(sheet) = stream.get(pos..) {
            sheet_is_sane(sheet)?;
        }
    }
    Ok(())
}

/// One sheet from its position, as calamine reads it: the first BOF is the sheet's own, a later
/// BOF opens a nested substream (an embedded chart) whose records are skipped up to its EOF, and
/// an EOF at the top ends the sheet.
fn sheet_is_sane(sheet: &[u8]) -> Result<(), Unsound> {
    let mut seen_bof = false;
    let mut depth = 0u32;
    let mut grid = Grid::default();
    let mut formula_at = (0, 0);
    for (typ, data) in records(sheet) {
        if depth > 0 {
            match typ {
                BOF => depth += 1,
                EOF => depth -= 1,
                _ => {}
            }
            continue;
        }
        match typ {
            BOF if seen_bof => depth += 1,
            BOF => seen_bof = true,
            EOF => break,
            DIMENSIONS if dimension_cells(data) > MAX_CELLS => return Err(Unsound::Dimensions),
            MUL_RK if data.len() >= 12 => {
                let n = (data.len() - 6) / 6;
                let first = u16_at(data, 2);
                grid.add(u16_at(data, 0), first, first + n as u32 - 1, n as u64);
            }
            STRING => grid.add(formula_at.0, formula_at.1, formula_at.1, 1),
            t if data.len() >= 4 && CELL_RECORDS.contains(&t) => {
                let (row, col) = (u16_at(data, 0), u16_at(data, 2));
                if t == FORMULA {
                    formula_at = (row, col);
                }
                grid.add(row, col, col, 1);
            }
            _ => {}
        }
    }
    grid.check()
}

/// The number of cells calamine reserves for a Dimensions record (MS-XLS 2.4.90), with its
/// arithmetic: first/last row are u16 (10-byte BIFF5 record) or u32 (BIFF8), the last row and
/// column are exclusive, a first column past 0xFF is taken as 0, and the row count wraps in u32.
fn dimension_cells(r: &[u8]) -> u64 {
    let (rf, rl, mut cf, cl) = match r.len() {
        10 => (u16_at(r, 0), u16_at(r, 2), u16_at(r, 4), u16_at(r, 6)),
        14 | 16 => (u32_at(r, 0), u32_at(r, 4), u16_at(r, 8), u16_at(r, 10)),
        _ => return 0,
    };
    if cf > 0xFF || cl < cf {
        cf = 0;
    }
    if rl == 0 || cl == 0 {
        return 1;
    }
    let rows = u64::from((rl - 1).wrapping_sub(rf).wrapping_add(1));
    let cols = u64::from((cl - 1).wrapping_sub(cf).wrapping_add(1));
    rows.saturating_mul(cols)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    const END_OF_CHAIN: u32 = 0xFFFF_FFFE;

    /// A compound file with 512-byte sectors: header, then `fat` in sector 0, then `extra`
    /// sectors of zeros.
    fn file(fat: &[u32], extra: usize) -> Vec<u8> {
        let mut h = vec![0u8; 512];
        h[..8].copy_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
        h[30..32].copy_from_slice(&9u16.to_le_bytes());
        h[44..48].copy_from_slice(&1u32.to_le_bytes());
        h[68..72].copy_from_slice(&END_OF_CHAIN.to_le_bytes());
        for i in 0..109 {
            let v: u32 = if i == 0 { 0 } else { FREE };
            h[76 + 4 * i..80 + 4 * i].copy_from_slice(&v.to_le_bytes());
        }
        let mut sector = vec![0xFFu8; 512];
        for (i, v) in fat.iter().enumerate() {
            sector[4 * i..4 * i + 4].copy_from_slice(&v.to_le_bytes());
        }
        h.extend(sector);
        h.extend(vec![0u8; 512 * extra]);
        h
    }

    fn dims(rf: u32, rl: u32, cf: u16, cl: u16) -> Vec<u8> {
        let mut d = Vec::new();
        d.extend(rf.to_le_bytes());
        d.extend(rl.to_le_bytes());
        d.extend(cf.to_le_bytes());
        d.extend(cl.to_le_bytes());
        d.extend([0, 0]);
        d
    }

    #[test]
    fn dimensions_are_counted_as_calamine_counts_them() {
        assert_eq!(dimension_cells(&dims(0, 3, 0, 2)), 6);
        assert_eq!(dimension_cells(&dims(0, 65_536, 0, 256)), MAX_CELLS);
        // An empty sheet (last row 0) reserves one cell.
        assert_eq!(dimension_cells(&dims(0, 0, 0, 0)), 1);
        // A first row past the last wraps around to ~4 billion rows.
        assert!(dimension_cells(&dims(5, 3, 0, 1)) > MAX_CELLS);
        assert_eq!(
            dimension_cells(&dims(0, u32::MAX, 0, 1)),
            u64::from(u32::MAX)
        );
        // A first column past 0xFF counts from 0.
        assert_eq!(dimension_cells(&dims(0, 1, 300, 400)), 400);
    }

    fn rec(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut r = typ.to_le_bytes().to_vec();
        r.extend((data.len() as u16).to_le_bytes());
        r.extend(data);
        r
    }

    fn number(row: u16, col: u16) -> Vec<u8> {
        let mut d = row.to_le_bytes().to_vec();
        d.extend(col.to_le_bytes());
        d.extend([0u8; 10]);
        rec(0x0203, &d)
    }

    /// A sheet substream: BOF, `body`, EOF.
    fn sheet(body: Vec<Vec<u8>>) -> Vec<u8> {
        let mut s = rec(BOF, &[0; 16]);
        s.extend(body.concat());
        s.extend(rec(EOF, &[]));
        s
    }

    /// Globals naming one sheet at `pos`, then `rest`.
    fn book(pos: u32, rest: &[u8]) -> Vec<u8> {
        let mut b = rec(BOF, &[0; 16]);
        b.extend(rec(
            BOUND_SHEET,
            &[pos.to_le_bytes().as_slice(), &[0, 0, 1, 0, b'S']].concat(),
        ));
        b.extend(rec(EOF, &[]));
        b.extend(rest);
        b
    }

    #[test]
    fn a_forged_dimensions_record_is_refused_and_real_ones_pass() {
        let ok = sheet(vec![
            rec(DIMENSIONS, &dims(0, 65_536, 0, 256)),
            rec(0x1234, &[1, 2]),
        ]);
        assert_eq!(sheet_is_sane(&ok), Ok(()));
        let forged = sheet(vec![rec(DIMENSIONS, &dims(0, 0x4000_0000, 0, 256))]);
        assert_eq!(sheet_is_sane(&forged), Err(Unsound::Dimensions));
        // A truncated record ends the walk without error.
        assert_eq!(sheet_is_sane(&[0x00, 0x02, 0xFF, 0xFF, 0]), Ok(()));
    }

    #[test]
    fn sheets_are_read_from_where_the_globals_put_them() {
        // The forged record hides inside another record's data: a walk from the start never
        // meets it, calamine does, because the sheet's position points into that data.
        let hidden = sheet(vec![rec(DIMENSIONS, &dims(0, 0x4000_0000, 0, 256))]);
        let globals_len = book(0, &[]).len();
        let carrier = rec(0x1234, &hidden);
        let b = book(globals_len as u32 + 4, &carrier);
        assert_eq!(records_are_sane(&b), Err(Unsound::Dimensions));
        // The same bytes, the sheet placed at the carrier record itself: nothing to see.
        let b = book(globals_len as u32, &carrier);
        assert_eq!(records_are_sane(&b), Ok(()));
        // A position past the end is calamine's error, not ours.
        assert_eq!(records_are_sane(&book(1 << 30, &[])), Ok(()));
    }

    #[test]
    fn a_few_cells_spanning_a_huge_grid_are_refused_and_full_sheets_pass() {
        // Opposite corners: 65,536 x 256 grid from two cells.
        let corners = sheet(vec![number(0, 0), number(65_535, 255)]);
        assert_eq!(sheet_is_sane(&corners), Err(Unsound::SparseGrid));
        // The same corners inside an embedded chart substream do not count.
        let nested = sheet(vec![sheet(vec![number(0, 0), number(65_535, 255)])]);
        assert_eq!(sheet_is_sane(&nested), Ok(()));
        // A full column (65,536 rows): a large grid, but every cell of it is there.
        let full: Vec<_> = (0..=65_535u16).map(|r| number(r, 3)).collect();
        assert_eq!(sheet_is_sane(&sheet(full)), Ok(()));
        // A MulRk spanning 256 columns on rows 0 and 40,000: 10 M grid cells, 512 values.
        let mul_rk = |row: u16| {
            let mut d = row.to_le_bytes().to_vec();
            d.extend(0u16.to_le_bytes());
            d.extend(vec![0u8; 6 * 256]);
            d.extend(255u16.to_le_bytes());
            rec(MUL_RK, &d)
        };
        assert_eq!(
            sheet_is_sane(&sheet(vec![mul_rk(0), mul_rk(40_000)])),
            Err(Unsound::SparseGrid)
        );
        // A String record before any Formula lands at (0, 0).
        let string_first = sheet(vec![rec(STRING, &[0; 4]), number(65_535, 255)]);
        assert_eq!(sheet_is_sane(&string_first), Err(Unsound::SparseGrid));
        // A sheet left open at the end of the stream is still checked.
        let mut open = rec(BOF, &[0; 16]);
        open.extend(number(0, 0));
        open.extend(number(65_535, 255));
        assert_eq!(sheet_is_sane(&open), Err(Unsound::SparseGrid));
    }

    fn check(b: &[u8]) -> Result<(), Unsound> {
        chains_are_sound(&mut Cursor::new(b), b.len() as u64)
    }

    #[test]
    fn chains_that_end_are_sound() {
        // Sector 0 is the FAT itself; 1 -> 2 -> 3 -> end; 4 -> end.
        let b = file(&[0xFFFF_FFFD, 2, 3, END_OF_CHAIN, END_OF_CHAIN], 4);
        assert_eq!(check(&b), Ok(()));
    }

    #[test]
    fn a_chain_that_loops_is_refused() {
        // 1 -> 2 -> 3 -> 1.
        let b = file(&[0xFFFF_FFFD, 2, 3, 1, END_OF_CHAIN], 4);
        assert_eq!(check(&b), Err(Unsound::Loop));
        // A sector pointing at itself.
        let b = file(&[0xFFFF_FFFD, 1], 1);
        assert_eq!(check(&b), Err(Unsound::Loop));
        // A tail that runs into a loop entered from elsewhere.
        let b = file(&[0xFFFF_FFFD, 2, 3, 2], 3);
        assert_eq!(check(&b), Err(Unsound::Loop));
    }

    #[test]
    fn entries_outside_the_table_and_bad_headers_are_refused() {
        let b = file(&[0xFFFF_FFFD, 5000], 1);
        assert_eq!(check(&b), Err(Unsound::OutOfRange));
        assert_eq!(check(&b[..300]), Err(Unsound::Header));
        let mut bad_shift = file(&[0xFFFF_FFFD], 0);
        bad_shift[30] = 40;
        assert_eq!(check(&bad_shift), Err(Unsound::Header));
    }

    #[test]
    fn a_difat_chain_that_loops_is_refused() {
        let mut b = file(&[0xFFFF_FFFD, 0xFFFF_FFFC], 1);
        // The DIFAT chain starts at sector 1, whose last entry points back to sector 1.
        b[68..72].copy_from_slice(&1u32.to_le_bytes());
        let at = 512 + 512 + 508;
        b[at..at + 4].copy_from_slice(&1u32.to_le_bytes());
        assert_eq!(check(&b), Err(Unsound::Difat));
    }
}
