//! The detector engine on arbitrary bytes: with and without a field name, with a fuzzer-chosen
//! accept range. Invariants: hits lie inside the text, start inside the accept range, in order.
#![no_main]

use libfuzzer_sys::fuzz_target;
use piiscan::detect::Scratch;
use piiscan_fuzz::engine;

const FIELDS: [Option<&str>; 6] = [
    None,
    Some("email"),
    Some("phone_number"),
    Some("dob"),
    Some("customer.tax_file_number"),
    Some("notes"),
];

fuzz_target!(|input: &[u8]| {
    let Some((&sel, text)) = input.split_first() else {
        return;
    };
    let field = FIELDS[(sel % 6) as usize];
    let start = if sel & 0x80 != 0 { text.len() / 3 } else { 0 };
    let end = if sel & 0x40 != 0 {
        text.len() - text.len() / 4
    } else {
        text.len()
    };
    let accept = start..end.max(start);
    let mut scratch = Scratch::default();
    let mut hits = Vec::new();
    engine().scan(
        text,
        field,
        accept.clone(),
        sel & 0x20 != 0,
        &mut scratch,
        &mut hits,
    );
    let mut last = 0;
    for h in &hits {
        assert!(
            h.start < h.end && h.end <= text.len(),
            "hit outside the text"
        );
        assert!(accept.contains(&h.start), "hit outside the accept range");
        assert!(h.start >= last, "hits out of order");
        last = h.start;
    }
});
