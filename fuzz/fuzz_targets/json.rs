//! The JSON / NDJSON format on arbitrary decoded text (nesting bombs included), through a small
//! read buffer, and its sniffer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use piiscan::formats::{Format, json};
use piiscan_fuzz::{Touch, small_bufread};

fuzz_target!(|input: &[u8]| {
    let Some((&sel, data)) = input.split_first() else {
        return;
    };
    let format: &dyn Format = if sel & 1 == 0 {
        &json::JSON
    } else {
        &json::NDJSON
    };
    let mut r = small_bufread(data, 1 + (sel >> 1) as usize * 17);
    let mut sink = Touch::default();
    let _ = format.scan(&mut r, &mut sink);
    let _ = json::sniff(data);
});
