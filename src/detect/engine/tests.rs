//! Engine tests: each shortcut (digit bounds, set reach, reused verdicts, the report floor)
//! changes no hit.

use std::ops::Range;

use super::build::*;
use super::scan::*;
use super::window::*;
use super::*;

/// A seeded xorshift: `next(n)` is in `0..n`.
fn seeded(mut seed: u64) -> impl FnMut(usize) -> usize {
    move |n| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    }
}

/// The `digits` bounds in the pattern files only save work: an engine without them (every
/// cluster searched, every match validated) finds exactly the same hits, on seeded text
/// that puts valid numbers next to bare runs, joiners and more digits of every length.
/// Scans `n` seeded texts of 1-6 parts with both engines and asserts equal hits; returns how
/// many hits there were. A part is one of `pieces`, or, one time in `digits.0`, a bare run of
/// 1 to `digits.1` digits. Fields cycle through none, a name that says nothing, and `phone`.
fn agree_on_digit_texts(
    a_engine: &Engine,
    b_engine: &Engine,
    pieces: &[&str],
    seed: u64,
    n: usize,
    digits: (usize, usize),
) -> usize {
    let (mut sa, mut sb) = (Scratch::default(), Scratch::default());
    let mut next = seeded(seed);
    let mut found = 0;
    for _ in 0..n {
        let mut text = String::new();
        for _ in 0..1 + next(6) {
            if next(digits.0) == 0 {
                for _ in 0..1 + next(digits.1) {
                    text.push(char::from(b'0' + next(10) as u8));
                }
            } else {
                text.push_str(pieces[next(pieces.len())]);
            }
        }
        let field = [None, Some("c3"), Some("phone")][next(3)];
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let t = text.as_bytes();
        a_engine.scan(t, field, 0..t.len(), false, &mut sa, &mut a);
        b_engine.scan(t, field, 0..t.len(), false, &mut sb, &mut b);
        assert_eq!(a, b, "{text:?} in {field:?}");
        found += a.len();
    }
    found
}

#[test]
fn digit_bounds_change_no_hit() {
    let bounded = crate::detect::builtin::test_engine();
    let mut specs = crate::detect::builtin::load(&[]).unwrap();
    assert!(specs.iter().filter(|s| s.digits.is_some()).count() >= 3);
    for s in &mut specs {
        s.digits = None;
    }
    let plain = Engine::new(specs, bounded.validate_ctx().clone()).unwrap();
    let pieces = [
        "+61 491 570 156",
        "0491 570 156",
        "0491570156",
        "(02) 5550 1234",
        "2015550123",
        "201-555-0123",
        "4111 1111 1111 1111",
        "4111111111111111",
        "6011000990139424",
        "123-45-6789",
        "123456789",
        "phone ",
        "card ",
        "ssn ",
        "+",
        "(",
        ")",
        " ",
        "-",
        ".",
        "0x",
        ", ",
        "\n",
        "id=",
    ];
    // Bare runs of 1-40 digits among the pieces.
    let found = agree_on_digit_texts(
        &bounded,
        &plain,
        &pieces,
        0x5851_f42d_4c95_7f2d,
        3000,
        (3, 40),
    );
    // The texts hold real findings, so agreeing is not agreeing on nothing.
    assert!(found > 500, "{found}");
}

/// Four shortcuts only save work: the header pass's validator outcomes reused by the later
/// passes, the whole-cell pattern answered without its regex, `value` groups found by the
/// ASCII twin, and matches in all-ASCII windows found by the ASCII finder. An engine without any of them
/// finds exactly the same hits on seeded cells: values of every built-in kind, alone or in
/// text, with context words, odd spacing and invalid look-alikes, under field names that
/// match their detectors, match other detectors, or none.
#[test]
fn shortcuts_change_no_hit() {
    // (with the shortcuts, without them) at a report floor.
    let engines = |floor| {
        let fast = crate::detect::builtin::test_engine();
        let mut specs = crate::detect::builtin::load(&[]).unwrap();
        assert!(specs.iter().filter(|s| s.whole_cell).count() >= 2);
        assert!(specs.iter().filter(|s| s.ascii_value.is_some()).count() >= 2);
        for s in &mut specs {
            s.whole_cell = false;
            s.ascii_value = None;
        }
        let mut plain = Engine::new(specs, fast.validate_ctx().clone()).unwrap();
        plain.reuse_verdicts = false;
        assert!(plain.finders.iter().filter(|f| f.is_some()).count() >= 3);
        plain.finders.iter_mut().for_each(|f| *f = None);
        let mut pair = (fast, plain);
        pair.0.set_report_floor(floor);
        pair.1.set_report_floor(floor);
        pair
    };
    // A `medium` floor as well: it changes what a verdict is asked (`weak_counts`).
    let (low, medium) = (engines(Confidence::Low), engines(Confidence::Medium));
    let (mut sa, mut sb) = (Scratch::default(), Scratch::default());
    let pieces = [
        "+61 491 570 156",
        "(02) 5550 1234",
        "0491570156",
        "201-555-0123",
        "1985-03-12",
        "12/03/1985",
        "3 March 1985",
        "2024-11-06T17:46:15Z",
        "jane.doe@example.com",
        "jane [at] example [dot] com",
        "Jane",
        "Smith",
        "O'Brien",
        "12 Example Street",
        "4111 1111 1111 1111",
        "4111111111111112",
        "QF 1234567",
        "6756332150",
        "123-45-6789",
        "AB 12 34 56 C",
        "DOB ",
        "call ",
        "born ",
        "order ",
        " ",
        "\u{a0}",
        ", ",
        "\n",
    ];
    let fields = [
        None,
        Some("phone"),
        Some("mobile"),
        Some("dob"),
        Some("created_at"),
        Some("email"),
        Some("first_name"),
        Some("address"),
        Some("loyalty_number"),
        Some("card_number"),
        Some("notes"),
        Some("c3"),
    ];
    let mut next = seeded(0x2545_f491_4f6c_dd1d);
    let mut found = 0;
    for i in 0..8000 {
        let mut text = String::new();
        // Mostly short cells; some longer than a digit window, so the passes' haystacks
        // differ.
        let n = if next(4) == 0 {
            1 + next(16)
        } else {
            1 + next(4)
        };
        for _ in 0..n {
            text.push_str(pieces[next(pieces.len())]);
        }
        let field = fields[next(fields.len())];
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let t = text.as_bytes();
        let (f, p) = if i % 2 == 0 { &low } else { &medium };
        f.scan(t, field, 0..t.len(), true, &mut sa, &mut a);
        p.scan(t, field, 0..t.len(), true, &mut sb, &mut b);
        assert_eq!(a, b, "{text:?} in {field:?}");
        found += a.len();
    }
    // The cells hold real findings, so agreeing is not agreeing on nothing.
    assert!(found > 1500, "{found}");
}

/// With a report floor above `low`, a bare-digit phone (a weak form) is not even validated
/// where nothing could lift it; wherever something could (a context word, a header, a field
/// whose column may be promoted, or a floor of `low`) it still comes out as before.
#[test]
fn report_floor_drops_only_weak_forms_that_could_not_be_reported() {
    let low = crate::detect::builtin::test_engine();
    let mut medium = crate::detect::builtin::test_engine();
    medium.set_report_floor(Confidence::Medium);
    let phone = low.specs().iter().position(|s| s.id == "phone").unwrap() as u16;
    let phones = |engine: &Engine, text: &str, field: Option<&str>| -> Vec<Confidence> {
        let (mut scratch, mut hits) = (Scratch::default(), Vec::new());
        engine.scan(
            text.as_bytes(),
            field,
            0..text.len(),
            false,
            &mut scratch,
            &mut hits,
        );
        hits.iter()
            .filter(|h| h.detector == phone)
            .map(|h| h.confidence)
            .collect()
    };
    use Confidence::{High, Low, Medium};
    // 201-555-0123 is the US example number: valid, and weak when written bare.
    let bare = "let x = 2015550123;";
    assert_eq!(phones(&low, bare, None), vec![Low]);
    assert!(phones(&medium, bare, None).is_empty());
    // A field: its column may promote the weak form, so it is still validated.
    assert_eq!(phones(&medium, "2015550123", Some("c3")), vec![Low]);
    // A context word or header lifts the weak form above the floor.
    assert_eq!(phones(&medium, "phone 2015550123", None), vec![High]);
    assert_eq!(phones(&medium, "2015550123", Some("phone")), vec![High]);
    // Grouped, it is not a weak form at all.
    assert_eq!(phones(&medium, "x = 201-555-0123;", None), vec![Medium]);
}

/// Negative words count only within `NEGATIVE_WINDOW` bytes before a candidate (or over
/// it), and are looked up afresh for each candidate of a cell.
#[test]
fn negative_words_count_only_just_before_their_own_candidate() {
    let engine = crate::detect::builtin::test_engine();
    let phone = engine.specs().iter().position(|s| s.id == "phone").unwrap() as u16;
    let mut scratch = Scratch::default();
    let mut phones = |text: &str| -> Vec<(usize, Confidence)> {
        let mut hits = Vec::new();
        engine.scan(
            text.as_bytes(),
            None,
            0..text.len(),
            false,
            &mut scratch,
            &mut hits,
        );
        hits.iter()
            .filter(|h| h.detector == phone && h.confidence >= Confidence::Medium)
            .map(|h| (h.start, h.confidence))
            .collect()
    };
    assert!(phones("order 0491 570 156").is_empty());
    // "order" ends 12 bytes before the number: still counts; 13 bytes: no longer.
    assert!(phones("order........... 0491 570 156").is_empty());
    assert_eq!(phones("order............ 0491 570 156").len(), 1);
    // After the number it says nothing about it.
    assert_eq!(phones("0491 570 156 order").len(), 1);
    // Two candidates in one cell: the first is an order number, the second a phone.
    let text = "order 0491 570 156, call 0491 570 157";
    let got = phones(text);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, text.rfind("0491").unwrap());
    // And the other way round.
    let text = "call 0491 570 157, order 0491 570 156";
    let got = phones(text);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, 5);
}

#[test]
fn resolve_keeps_the_same_spans_as_checking_every_taken_span() {
    let specs = crate::detect::builtin::load(&[]).unwrap();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n) as usize
    };
    let confidences = [Confidence::Low, Confidence::Medium, Confidence::High];
    for round in 0..300 {
        let n = 1 + next(if round % 10 == 0 { 2000 } else { 40 });
        let mut cands: Vec<Hit> = (0..n)
            .map(|_| {
                let start = next(5000);
                Hit {
                    start,
                    end: start + 1 + next(30),
                    detector: next(specs.len() as u64) as u16,
                    confidence: confidences[next(3)],
                    normalised: String::new(),
                    explain: None,
                }
            })
            .collect();
        let accept = next(1000)..1000 + next(5000);
        let mut got = Vec::new();
        resolve(&mut cands, &specs, accept.clone(), &mut got);
        // The definition: in priority order (resolve sorted `cands`), keep a span unless it
        // overlaps one already kept.
        let mut kept: Vec<Range<usize>> = Vec::new();
        let mut want = Vec::new();
        for c in &cands {
            if kept.iter().any(|r| c.start < r.end && r.start < c.end) {
                continue;
            }
            kept.push(c.start..c.end);
            if accept.contains(&c.start) {
                want.push(c.clone());
            }
        }
        want.sort_by_key(|h| (h.start, h.end));
        assert_eq!(got, want, "round {round}");
    }
}

#[test]
fn next_digit_finds_the_first_digit_from_any_offset() {
    let mut text: Vec<u8> = (0..=255u8).filter(|b| !b.is_ascii_digit()).collect();
    text.extend(b"abcdefghij/:`~");
    for d in 0..text.len() {
        for digit in b'0'..=b'9' {
            let mut t = text.clone();
            t[d] = digit;
            for from in [0, d.saturating_sub(9), d] {
                assert_eq!(next_digit(&t, from), Some(d), "digit at {d}, from {from}");
            }
            assert_eq!(next_digit(&t, d + 1), None);
        }
    }
    assert_eq!(next_digit(b"", 0), None);
    assert_eq!(next_digit(b"12", 5), None);
    // Several digits in one eight-byte word: the first.
    assert_eq!(next_digit(b"ab3cd7efghij", 0), Some(2));
    assert_eq!(next_digit(b"\xb3\xb9:/9012345", 0), Some(4));
}

#[test]
fn set_sources_keep_plain_patterns_and_refuse_unicode_classes() {
    let plain = r"(?-u:\b)[0-9]{3}-[0-9]{2}-[0-9]{4}(?-u:\b)";
    assert_eq!(set_source(plain).as_deref(), Some(plain));
    assert_eq!(max_len(plain), Some(11));
    assert_eq!(set_source(r"\p{L}{3,10} [0-9]{4}"), None);
    assert_eq!(set_source(r"\w+[0-9]{4}"), None);
    assert_eq!(max_len(r"[0-9]+"), None);
}

#[test]
fn built_in_digit_detectors_have_a_bounded_set_window() {
    let specs = crate::detect::builtin::load(&[]).unwrap();
    let engine = Engine::new(specs, validate::Ctx::default()).unwrap();
    // Unbounded would only cost speed, but the window bound is what the set relies on to
    // stay small: a new pattern with `+` or `*` should be a conscious choice.
    for list in &engine.digit_lists {
        assert!(!list.is_empty());
        assert!(
            list.iter()
                .all(|&k| engine.digit_pool[k].max_len.is_some_and(|l| l <= MAX_MATCH))
        );
    }
    // The large patterns are split out: `phone` (~190 NFA states) searches alone, the
    // loyalty programmes' plain digit runs share an automaton.
    let id = |s: &DigitSet, k: usize| &engine.specs[engine.by_trigger[0][s.members[k]] as usize].id;
    let sets: Vec<&DigitSet> = engine.digit_lists[List::All as usize]
        .iter()
        .map(|&k| &engine.digit_pool[k])
        .collect();
    assert!(
        sets.iter()
            .any(|s| s.members.len() == 1 && id(s, 0) == "phone")
    );
    assert!(sets.iter().any(
        |s| (0..s.members.len()).any(|k| id(s, k) == "loyalty_qantas")
            && (0..s.members.len()).any(|k| id(s, k) == "loyalty_bonvoy")
    ));
}

/// Gating the digit automata's patterns (see [`gated`]) only saves work: an engine whose
/// automata hold the patterns as written finds exactly the same hits, on seeded text that
/// puts numbers of every gated shape (phones, cards, IP addresses) after digits, letters,
/// `+`, `(`, joiners and at the start of the cell.
#[test]
fn gating_changes_no_hit() {
    let gated_engine = crate::detect::builtin::test_engine();
    let specs = crate::detect::builtin::load(&[]).unwrap();
    // The gate applies to the patterns that may start inside a run of digits, and only them.
    let starts =
        |id: &str| starts_at_boundary(&specs.iter().find(|s| s.id == id).unwrap().regex_src);
    assert!(!starts("phone") && !starts("credit_card") && !starts("ip_address"));
    assert!(starts("us_ssn") && starts("iban"));
    let plain = Engine::build(specs, gated_engine.validate_ctx().clone(), false, true).unwrap();
    let pieces = [
        "+61 491 570 156",
        "+44 20 7946 0958",
        "0491 570 156",
        "(02) 5550 1234",
        "201-555-0123",
        "4111 1111 1111 1111",
        "4111111111111111",
        "378282246310005",
        "192.0.2.44",
        "10.1.2.3",
        "2001:db8::8a2e:370:7334",
        "123-45-6789",
        "phone ",
        "ip ",
        "x",
        "v",
        "tel",
        "_",
        "+",
        "(",
        " ",
        "-",
        ".",
        ":",
        "\n",
        "é",
    ];
    let found = agree_on_digit_texts(
        &gated_engine,
        &plain,
        &pieces,
        0x9e37_79b9_7f4a_7c15,
        6000,
        (4, 12),
    );
    // The texts hold real findings, so agreeing is not agreeing on nothing.
    assert!(found > 1000, "{found}");
}

/// The detectors demoted out of the automata searched around every cluster (see
/// [`scores_low_at_most`]) are the national-ID numbers whose bare forms need a header or
/// context word, and each list leaves out what it should; the phone automaton, in several
/// lists, is built once.
#[test]
fn demoted_detectors_and_lists() {
    let engine = crate::detect::builtin::test_engine();
    let ids = |list: List| -> Vec<&str> {
        let mut v: Vec<&str> = engine.digit_lists[list as usize]
            .iter()
            .flat_map(|&k| engine.digit_pool[k].members.iter())
            .map(|&i| engine.specs[engine.by_trigger[0][i] as usize].id.as_str())
            .collect();
        v.sort_unstable();
        v
    };
    let demoted: Vec<&str> = (0..engine.specs.len())
        .filter(|&d| engine.demoted[d])
        .map(|d| engine.specs[d].id.as_str())
        .collect();
    let mut want = vec![
        "br_cpf",
        "de_idnr",
        "es_dni",
        "fr_nir",
        "in_pan",
        "jp_my_number",
        "kr_rrn",
        "pl_pesel",
        "se_pnr",
        "th_id",
        "tr_tckn",
        "us_itin",
        "us_ssn",
        "za_id",
    ];
    want.sort_unstable();
    let mut got = demoted.clone();
    got.sort_unstable();
    assert_eq!(got, want);
    let free = ids(List::Free);
    let strong = ids(List::Strong);
    let bare = ids(List::StrongBare);
    for id in [
        "phone",
        "credit_card",
        "ip_address",
        "iban",
        "uk_nino",
        "sg_nric",
        "fi_hetu",
    ] {
        assert!(
            bare.contains(&id) && strong.contains(&id) && free.contains(&id),
            "{id}"
        );
    }
    for id in ["de_idnr", "pl_pesel", "es_dni", "in_pan"] {
        assert!(free.contains(&id) && !strong.contains(&id), "{id}");
    }
    for id in ["us_ssn", "br_cpf", "th_id", "fr_nir"] {
        assert!(strong.contains(&id) && !bare.contains(&id), "{id}");
    }
    assert_eq!(free.len(), strong.len() + 6 + 1);
    let phone_sets = engine
        .digit_pool
        .iter()
        .filter(|s| {
            s.members.len() == 1
                && engine.specs[engine.by_trigger[0][s.members[0]] as usize].id == "phone"
        })
        .count();
    assert_eq!(phone_sets, 1);
    // Every validator named in the two lists exists in the built-in patterns.
    for v in ALWAYS_WEAK.iter().chain(BARE_WEAK) {
        assert!(
            engine
                .specs
                .iter()
                .any(|s| s.validator.as_ref().is_some_and(|(n, _)| n == v)),
            "{v}"
        );
    }
}

/// What demotion relies on about the validators: those in [`ALWAYS_WEAK`] never give a strong
/// verdict (on every pattern file's examples and on seeded values, bare and grouped), and
/// those in [`BARE_WEAK`] never on a value of bare digits. Were a validator changed to call
/// some form strong, the engine would miss it at the default floor: this test says so first.
#[test]
fn demoted_validators_are_weak_where_claimed() {
    let engine = crate::detect::builtin::test_engine();
    let ctx = engine.validate_ctx();
    let mut next = seeded(0x2545_f491_4f6c_dd1d);
    // Seeded texts: bare runs of 4-16 digits, and the same grouped with spaces, `-`, `.`.
    let mut texts: Vec<String> = Vec::new();
    for _ in 0..60_000 {
        let n = 4 + next(13);
        let digits: String = (0..n).map(|_| char::from(b'0' + next(10) as u8)).collect();
        texts.push(digits.clone());
        let sep = [" ", "-", ".", "+"][next(4)];
        let cut = 1 + next(n - 1);
        texts.push(format!("{}{sep}{}", &digits[..cut], &digits[cut..]));
    }
    for s in &engine.specs {
        texts.extend(s.tests.iter().map(|t| t.0.clone()));
    }
    let mut valid = 0;
    for spec in &engine.specs {
        let Some((name, f)) = &spec.validator else {
            continue;
        };
        let always = ALWAYS_WEAK.contains(&name.as_str());
        let bare = BARE_WEAK.contains(&name.as_str());
        if !always && !bare {
            continue;
        }
        for t in &texts {
            for m in spec.regex.find_iter(t.as_bytes()) {
                let text = std::str::from_utf8(m.as_bytes()).unwrap();
                if !always && !text.bytes().all(|b| b.is_ascii_digit()) {
                    continue;
                }
                let cand = validate::Candidate::bare(text);
                if let validate::Verdict::Valid { weak, .. } = f(&cand, ctx) {
                    assert!(weak, "{name}: {text:?} is valid and strong");
                    valid += 1;
                }
            }
        }
        // `fr_nir` bare with Corsica's `2A`: also weak.
        if name == "fr_nir" {
            for t in ["2692A15020157", "1852A07800684"] {
                if let validate::Verdict::Valid { weak, .. } = f(&validate::Candidate::bare(t), ctx)
                {
                    assert!(weak, "{t}");
                }
            }
        }
    }
    // Seeded values pass the checksums often enough that the assertion above was tested.
    assert!(valid > 5_000, "{valid}");
}

/// Demotion only saves work at a floor above `low`: an engine that searches every free
/// detector around every cluster reports the same hits at `medium` (and the low hits column
/// classification could count: whole field values that are not bare integers), and every hit
/// at `low`. Seeded cells: national-ID numbers of every demoted kind from their pattern
/// files' examples, bare and grouped, with and without their context words and headers,
/// next to letters, joiners, bare runs and other numbers.
#[test]
fn demotion_changes_no_reportable_hit() {
    let specs = crate::detect::builtin::load(&[]).unwrap();
    let mut pieces: Vec<String> = Vec::new();
    for s in specs.iter().filter(|s| scores_low_at_most(s, true)) {
        for (t, _, _) in &s.tests {
            pieces.push(t.clone());
            pieces.push(t.chars().filter(char::is_ascii_digit).collect());
        }
        pieces.extend(s.context.iter().take(2).map(|c| format!("{c} ")));
    }
    pieces.extend(
        [
            "0491 570 156",
            "4111111111111111",
            "123-45-6789",
            "123456789",
            "12345678901",
            "2A",
            "X",
            "v",
            " ",
            "-",
            ".",
            "+",
            "\n",
            "id=",
            "order ",
            "0",
            "00",
        ]
        .map(String::from),
    );
    assert!(pieces.len() > 60, "{}", pieces.len());
    let fields = [
        None,
        Some("c3"),
        Some("phone"),
        Some("pesel"),
        Some("ssn"),
        Some("national id"),
    ];
    for floor in [Confidence::Low, Confidence::Medium] {
        let fast = crate::detect::builtin::test_engine();
        let ctx = fast.validate_ctx().clone();
        let plain = Engine::build(specs.clone(), ctx, true, false).unwrap();
        assert!(!(0..plain.specs.len()).any(|d| plain.demoted[d]));
        let mut pair = (fast, plain);
        pair.0.set_report_floor(floor);
        pair.1.set_report_floor(floor);
        let (mut sa, mut sb) = (Scratch::default(), Scratch::default());
        let mut next = seeded(0x9e37_79b9_7f4a_7c15 ^ floor as u64);
        let (mut kept, mut skipped) = (0, 0);
        for _ in 0..16_000 {
            let mut text = String::new();
            for _ in 0..1 + next(4) {
                if next(5) == 0 {
                    for _ in 0..1 + next(15) {
                        text.push(char::from(b'0' + next(10) as u8));
                    }
                } else {
                    text.push_str(&pieces[next(pieces.len())]);
                }
            }
            let field = fields[next(fields.len())];
            let t = text.as_bytes();
            let (mut a, mut b) = (Vec::new(), Vec::new());
            pair.0.scan(t, field, 0..t.len(), false, &mut sa, &mut a);
            pair.1.scan(t, field, 0..t.len(), false, &mut sb, &mut b);
            let reportable = |h: &Hit| {
                h.confidence >= floor
                    || field.is_some()
                        && crate::detect::columns::counts_as_value(t, &(h.start..h.end))
            };
            // Hits the demoted engine did not find at all (all of them unreportable).
            skipped += b.len().saturating_sub(a.len());
            a.retain(reportable);
            b.retain(reportable);
            assert_eq!(a, b, "{text:?} in {field:?} at {floor:?}");
            kept += a.len();
        }
        // Real hits on both sides; at `medium` the demoted engine skipped work (the hits it
        // did not find), at `low` none.
        eprintln!("{floor:?}: {kept} kept, {skipped} skipped");
        assert!(kept > 1000, "{kept}");
        match floor {
            Confidence::Low => assert_eq!(skipped, 0),
            _ => assert!(skipped > 200, "{skipped}"),
        }
    }
}

#[test]
fn bare_runs() {
    for (text, p, want) in [
        ("123456789", 0, true),
        ("a 123456789 b", 2, true),
        ("x123456789", 1, false),
        ("123456789A", 0, false),
        ("12 3456789", 3, false),
        ("ab-3456789", 3, true),
        ("123-45-6789", 0, false),
        ("(123456789)", 1, true),
    ] {
        let t = text.as_bytes();
        let (ce, nd) = cluster(t, p);
        assert_eq!(bare_run(t, p, ce, nd), want, "{text}");
    }
}

/// The block pass only saves work: cells cut from a block and scanned with
/// [`Engine::scan_in_block`] get exactly the hits [`Engine::scan`] gives each cell alone, on
/// seeded CSV-like blocks whose fields hold values of every built-in kind, keywords glued to
/// the delimiters around them, statuses and small numbers (which the early return skips).
/// Long fields (past the short-cell bound) take the per-cell path and agree too.
#[test]
fn block_pass_changes_no_hit() {
    let engine = crate::detect::builtin::test_engine();
    let (mut sa, mut sb) = (Scratch::default(), Scratch::default());
    let pieces = [
        "+61 491 570 156",
        "0491570156",
        "1985-03-12",
        "jane.doe@example.com",
        "jane [at] example [dot] com",
        "Jane Smith",
        "12 Example Street",
        "Street",
        "St",
        "4111 1111 1111 1111",
        "QF 1234567",
        "123-45-6789",
        "DOB 3 March 1985",
        "phone",
        "active",
        "WH-12",
        "B123",
        "7",
        "12.5",
        "né",
        "Téléphone",
        "x",
    ];
    let fields = [
        None,
        Some("phone"),
        Some("status"),
        Some("notes"),
        Some("c3"),
    ];
    let mut next = seeded(0x9e37_79b9_7f4a_7c15);
    let (mut found, mut skipped) = (0, 0);
    for _ in 0..300 {
        // One block: rows of fields joined by `,` (no space: a keyword's word boundary
        // inside a cell is its edge, in the block the delimiter).
        let mut block = String::new();
        let mut cells: Vec<Range<usize>> = Vec::new();
        for _ in 0..1 + next(20) {
            for c in 0..1 + next(6) {
                if c > 0 {
                    block.push(',');
                }
                let start = block.len();
                let n = if next(10) == 0 { 30 } else { 1 + next(2) };
                for k in 0..n {
                    if k > 0 && next(2) == 0 {
                        block.push(' ');
                    }
                    block.push_str(pieces[next(pieces.len())]);
                }
                cells.push(start..block.len());
            }
            block.push('\n');
        }
        let b = block.as_bytes();
        engine.set_block(b, &mut sb);
        for (i, cell) in cells.iter().enumerate() {
            let t = &b[cell.clone()];
            let field = fields[i % fields.len()];
            let (mut alone, mut in_block) = (Vec::new(), Vec::new());
            engine.scan(t, field, 0..t.len(), true, &mut sa, &mut alone);
            engine.scan_in_block(
                Some(cell.start),
                t,
                field,
                0..t.len(),
                true,
                &mut sb,
                &mut in_block,
            );
            assert_eq!(
                alone,
                in_block,
                "{:?} in {field:?}",
                block[cell.clone()].to_string()
            );
            found += alone.len();
            if t.len() <= crate::detect::keywords::SHORT && engine.nothing_in(t, cell.start, &sb) {
                skipped += 1;
            }
        }
    }
    // Real findings agree, and the early return was taken.
    assert!(found > 500, "{found}");
    assert!(skipped > 200, "{skipped}");
    // A block with more occurrences than its cap is given up: its cells search their own
    // text, with the same hits.
    let dense = "St ".repeat(100_000) + "call 0491 570 156";
    let db = dense.as_bytes();
    engine.set_block(db, &mut sb);
    assert!(!sb.block_ok && sb.block_kw.is_empty());
    let at = db.len() - 17;
    let (mut a, mut b) = (Vec::new(), Vec::new());
    engine.scan(&db[at..], None, 0..17, false, &mut sa, &mut a);
    engine.scan_in_block(Some(at), &db[at..], None, 0..17, false, &mut sb, &mut b);
    assert_eq!(a, b);
    assert!(!a.is_empty());
    // A cleared block leaves every cell to the per-cell path.
    engine.clear_block(&mut sb);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let t = b"call 0491 570 156";
    engine.scan(t, None, 0..t.len(), false, &mut sa, &mut a);
    engine.scan_in_block(Some(0), t, None, 0..t.len(), false, &mut sb, &mut b);
    assert_eq!(a, b);
    assert!(!a.is_empty());
}

/// What proves a short cell empty: fewer than four digits, no `@`, no keyword occurrence
/// inside it (one glued to it from the next cell does not count).
#[test]
fn nothing_in_a_cell() {
    let engine = crate::detect::builtin::test_engine();
    let mut s = Scratch::default();
    let block = b"active,WH-12,1234,a@b,Street,12.5,x Street";
    engine.set_block(block, &mut s);
    let cell = |text: &str| {
        let at = block
            .windows(text.len())
            .position(|w| w == text.as_bytes())
            .unwrap_or_else(|| panic!("{text}"));
        engine.nothing_in(text.as_bytes(), at, &s)
    };
    assert!(cell("active"));
    assert!(cell("WH-12"));
    assert!(cell("12.5"));
    assert!(!cell("1234"));
    assert!(!cell("a@b"));
    assert!(!cell("Street"));
    assert!(!cell("x Street"));
    // Part of an occurrence is no occurrence: `treet` lies inside `Street`.
    assert!(cell("treet"));
}
