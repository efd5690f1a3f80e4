//! OLE2/xls workbooks: `table::open_ole2` (the compound-file soundness check, then calamine) and
//! `table::scan_workbook` over whatever it opens. The first byte picks the shape: even → the rest
//! is the whole file (fuzzes the compound-file layer: FAT, DIFAT, directory chains); odd → the
//! rest is the `Workbook` stream of a well-formed compound file built with the `cfb` crate
//! (fuzzes calamine's BIFF parsing behind a valid container).
//!
//! calamine panics on some malformed BIFF (an index out of range); the scanner already turns a
//! panic into a per-file "internal error" (`scan.rs`, tested), so this target catches panics and
//! looks for what the scanner cannot contain: hangs, unbounded memory, undefined behaviour.
#![no_main]

use std::io::Write;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use piiscan::formats::table::{self, Ole2};
use piiscan_fuzz::Touch;

/// One scratch file per fuzzing process (open_ole2 reads a `File`).
fn scratch() -> &'static std::path::PathBuf {
    static P: OnceLock<std::path::PathBuf> = OnceLock::new();
    P.get_or_init(|| std::env::temp_dir().join(format!("piiscan-fuzz-wb-{}", std::process::id())))
}

fn wrapped(stream: &[u8]) -> Option<Vec<u8>> {
    let mut cf = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).ok()?;
    let mut s = cf.create_stream("/Workbook").ok()?;
    s.write_all(stream).ok()?;
    s.flush().ok()?;
    drop(s);
    cf.flush().ok()?;
    Some(cf.into_inner().into_inner())
}

fuzz_target!(|input: &[u8]| {
    let Some((&sel, data)) = input.split_first() else {
        return;
    };
    let bytes = if sel & 1 == 0 {
        data.to_vec()
    } else {
        match wrapped(data) {
            Some(b) => b,
            None => return,
        }
    };
    if std::fs::write(scratch(), &bytes).is_err() {
        return;
    }
    let Ok(file) = std::fs::File::open(scratch()) else {
        return;
    };
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    let _ = std::panic::catch_unwind(|| {
        if let Ole2::Xls(mut book) = table::open_ole2(file) {
            let mut sink = Touch::default();
            let _ = table::scan_workbook("xls", &mut book, &mut sink);
        }
    });
});
