//! The archive walker: arbitrary bytes through `unpack::Unpack::scan_any` (gzip/zstd/bzip2/xz, zip and
//! tar members, nesting, caps) into the full scan of each member. Caps are set small so bombs
//! are cut quickly; any panic is a bug (the scanner's own catch_unwind is bypassed on purpose).
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use piiscan::input::archive::{Budget, Limits};
use piiscan::detect::Scratch;
use piiscan::scan::Status;
use piiscan::scan::unpack::{Source, Unpack};
use piiscan_fuzz::{Chunked, scanner};

fuzz_target!(|input: &[u8]| {
    let mut src = Chunked::split(input);
    let limits = Limits {
        max_depth: 4,
        max_ratio: 50,
        max_total: 8 << 20,
        max_members: 64,
        max_spool: 1 << 20,
    };
    let budget = Budget::default();
    let mut scratch = Scratch::default();
    let mut out = Vec::new();
    Unpack::new(scanner(), &limits, &budget, &mut scratch, &mut out).scan_any(
        Arc::from("fuzz"),
        Source::Stream(&mut src),
        0,
    );
    assert!(!out.is_empty(), "every input yields at least one report");
    for r in &out {
        assert!(r.path.starts_with("fuzz"));
        if let Status::Error(why) | Status::Skipped(why) = &r.status {
            assert!(!why.is_empty());
        }
    }
});
