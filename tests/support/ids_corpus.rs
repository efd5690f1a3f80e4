//! Seeded labelled cells for the national-id catalogue, loyalty programmes and the IBAN / IPv6
//! / email forms of issue 27 (round 2), each tagged with the detector (or form) it measures so
//! the harness can print precision and recall per detector.
//!
//! Every value is fake: check digits are completed from seeded random bodies with the crate's
//! own validators (whose rules are table-tested against published examples beside the code),
//! IPv6 addresses are random interface ids, IBAN bodies are random digits. Each id appears in
//! its own CSV column, under a JSON key path, under a generic `national_id` column, and in prose
//! after a cue word; the negatives are the same shapes with a wrong check digit (in the column
//! and after the cue) and the bare digits alone in prose, which must stay below medium.
#![allow(dead_code)]

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::corpus::{Cell, Label};
use piiscan::validate::{Candidate, Ctx, Verdict, lookup};

/// A cell and what it measures (a detector id, or `iban_forms`, `ipv6`, `email_forms`).
#[derive(Debug, Clone)]
pub struct Tagged {
    /// Detector or form measured.
    pub tag: &'static str,
    /// How the value is presented: `column`, `json`, `generic`, `prose`, `negative`.
    pub form: &'static str,
    /// The cell.
    pub cell: Cell,
}

fn digits(rng: &mut ChaCha8Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
        .collect()
}

fn letters(rng: &mut ChaCha8Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'A' + rng.gen_range(0..26u8)))
        .collect()
}

fn valid(validator: &str, text: &str) -> bool {
    let f = lookup(validator).expect("validator registered");
    matches!(
        f(&Candidate::bare(text), &Ctx::default()),
        Verdict::Valid { .. }
    )
}

/// `body` + the first check string from `checks` that `validator` accepts, and one it rejects.
fn complete(validator: &str, body: &str, checks: &[String]) -> Option<(String, String)> {
    let good = checks
        .iter()
        .map(|c| format!("{body}{c}"))
        .find(|v| valid(validator, v))?;
    let bad = checks
        .iter()
        .map(|c| format!("{body}{c}"))
        .find(|v| !valid(validator, v))?;
    Some((good, bad))
}

fn ten() -> Vec<String> {
    (0..10).map(|d| d.to_string()).collect()
}

fn az() -> Vec<String> {
    (b'A'..=b'Z').map(|b| char::from(b).to_string()).collect()
}

/// A random birth date as (yyyy, mm, dd), 1940–2005, day ≤ 28.
fn date(rng: &mut ChaCha8Rng) -> (u32, u32, u32) {
    (
        rng.gen_range(1940..2006),
        rng.gen_range(1..13),
        rng.gen_range(1..29),
    )
}

/// Re-spaces `compact` in groups of the given sizes joined by `sep`.
fn group(compact: &str, sizes: &[usize], sep: &str) -> String {
    let mut out = Vec::new();
    let mut i = 0;
    for &n in sizes {
        if i >= compact.len() {
            break;
        }
        out.push(&compact[i..(i + n).min(compact.len())]);
        i += n;
    }
    out.join(sep)
}

/// One national id: (valid written form, same with a wrong check, bare digits or None).
fn make_id(rng: &mut ChaCha8Rng, id: &str) -> Option<(String, String, Option<String>)> {
    let (y, m, d) = date(rng);
    let yy = y % 100;
    let (good, bad) = match id {
        "fr_nir" => {
            let body = format!(
                "{}{yy:02}{m:02}{:02}{:03}{:03}",
                rng.gen_range(1..3),
                rng.gen_range(1..96),
                rng.gen_range(1..990),
                rng.gen_range(1..999)
            );
            let keys: Vec<String> = (1..98).map(|k| format!("{k:02}")).collect();
            complete(id, &body, &keys)?
        }
        "de_idnr" => {
            let mut ds: Vec<u8> = (0..10).collect();
            ds.shuffle(rng);
            ds.truncate(9);
            let dup = ds[rng.gen_range(0..9)];
            ds.insert(rng.gen_range(1..10), dup);
            if ds[0] == 0 {
                ds.swap(0, 5);
            }
            let body: String = ds.iter().map(|x| char::from(b'0' + x)).collect();
            complete(id, &body, &ten())?
        }
        "uk_nhs" => complete(id, &digits(rng, 9), &ten())?,
        "it_cf" => {
            let body = format!(
                "{}{yy:02}{}{:02}{}{}",
                letters(rng, 6),
                char::from(b"ABCDEHLMPRST"[(m - 1) as usize]),
                d + if rng.gen_bool(0.5) { 40 } else { 0 },
                letters(rng, 1),
                digits(rng, 3)
            );
            complete(id, &body, &az())?
        }
        "pl_pesel" => {
            let mm = if y >= 2000 { m + 20 } else { m };
            let body = format!("{yy:02}{mm:02}{d:02}{}", digits(rng, 4));
            complete(id, &body, &ten())?
        }
        "se_pnr" => {
            let body = format!("{yy:02}{m:02}{d:02}{}", digits(rng, 3));
            complete(id, &body, &ten())?
        }
        "fi_hetu" => {
            let sign = if y >= 2000 { "A" } else { "-" };
            let body = format!("{d:02}{m:02}{yy:02}{sign}{:03}", rng.gen_range(2..900));
            let checks: Vec<String> = "0123456789ABCDEFHJKLMNPRSTUVWXY"
                .chars()
                .map(String::from)
                .collect();
            complete(id, &body, &checks)?
        }
        "tr_tckn" => {
            let body = format!("{}{}", rng.gen_range(1..10), digits(rng, 8));
            let checks: Vec<String> = (0..100).map(|k| format!("{k:02}")).collect();
            complete(id, &body, &checks)?
        }
        "in_pan" => {
            let good = format!(
                "{}P{}{:04}{}",
                letters(rng, 3),
                letters(rng, 1),
                rng.gen_range(1..10000),
                letters(rng, 1)
            );
            // No check digit: the "wrong" twin breaks the holder-type letter.
            let bad = format!("{}X{}", &good[..3], &good[4..]);
            (good, bad)
        }
        "jp_my_number" => complete(id, &digits(rng, 11), &ten())?,
        "kr_rrn" => {
            let g = if y >= 2000 { 3 } else { 1 } + rng.gen_range(0..2);
            let body = format!("{yy:02}{m:02}{d:02}{g}{}", digits(rng, 5));
            complete(id, &body, &ten())?
        }
        "sg_nric" => {
            let p = ["S", "T", "F", "G"].choose(rng).copied().unwrap_or("S");
            complete(id, &format!("{p}{}", digits(rng, 7)), &az())?
        }
        "th_id" => {
            let body = format!("{}{}", rng.gen_range(1..9), digits(rng, 11));
            complete(id, &body, &ten())?
        }
        "za_id" => {
            let body = format!(
                "{yy:02}{m:02}{d:02}{}{}8",
                digits(rng, 4),
                rng.gen_range(0..2)
            );
            complete(id, &body, &ten())?
        }
        "us_itin" => {
            let g = [50, 65, 70, 78, 88, 90, 92, 94, 99]
                .choose(rng)
                .copied()
                .unwrap_or(70);
            let good = format!(
                "9{:02}{g}{:04}",
                rng.gen_range(0..100),
                rng.gen_range(1..10000)
            );
            let bad = format!("{}93{}", &good[..3], &good[5..]);
            (good, bad)
        }
        "us_ssn" => {
            let area = loop {
                let a = rng.gen_range(1..900);
                if a != 666 {
                    break a;
                }
            };
            let good = format!(
                "{area:03}{:02}{:04}",
                rng.gen_range(1..100),
                rng.gen_range(1..10000)
            );
            let bad = format!("000{}", &good[3..]);
            (good, bad)
        }
        "au_tfn" => {
            let body = format!("{}{}", rng.gen_range(1..10), digits(rng, 7));
            complete(id, &body, &ten())?
        }
        "ca_sin" => {
            let first = [1, 2, 3, 4, 5, 6, 7, 9].choose(rng).copied().unwrap_or(1);
            complete(id, &format!("{first}{}", digits(rng, 7)), &ten())?
        }
        _ => return None,
    };
    // The written form: the usual grouping for ids that have one, sometimes bare.
    let spaced = rng.gen_bool(0.5);
    let write = |v: &str| -> String {
        match id {
            "fr_nir" if spaced => group(v, &[1, 2, 2, 2, 3, 3, 2], " "),
            "de_idnr" if spaced => group(v, &[2, 3, 3, 3], " "),
            "uk_nhs" | "ca_sin" if spaced => group(v, &[3, 3, 4], " "),
            "jp_my_number" if spaced => group(v, &[4, 4, 4], " "),
            "se_pnr" => group(v, &[6, 4], "-"),
            "kr_rrn" => group(v, &[6, 7], "-"),
            "th_id" if spaced => group(v, &[1, 4, 5, 2, 1], "-"),
            "za_id" if spaced => group(v, &[6, 4, 3], " "),
            "us_itin" | "us_ssn" => group(v, &[3, 2, 4], if spaced { " " } else { "-" }),
            "au_tfn" if spaced => group(v, &[3, 3, 3], " "),
            _ => v.to_string(),
        }
    };
    let bare = match id {
        "fi_hetu" | "sg_nric" | "in_pan" | "it_cf" => None,
        _ => Some(good.clone()),
    };
    Some((write(&good), write(&bad), bare))
}

/// (own column name, JSON key path, prose cue) per id.
/// Detectors with a header of three characters or fewer, for the compound-name form.
const SHORT_HEADERS: &[(&str, &str)] = &[
    ("us_ssn", "ssn"),
    ("au_tfn", "tfn"),
    ("ca_sin", "sin"),
    ("kr_rrn", "rrn"),
    ("fr_nir", "nir"),
    ("uk_nhs", "nhs"),
    ("it_cf", "cf"),
    ("in_pan", "pan"),
];

const IDS: &[(&str, &str, &str, &str)] = &[
    (
        "fr_nir",
        "numero_secu",
        "assure.nir",
        "Numéro de sécurité sociale :",
    ),
    ("de_idnr", "steuer_id", "person.steuerIdNr", "Steuer-IdNr."),
    ("uk_nhs", "nhs_number", "patient.nhsNumber", "NHS number"),
    (
        "it_cf",
        "codice_fiscale",
        "anagrafica.codiceFiscale",
        "Codice fiscale:",
    ),
    ("pl_pesel", "pesel", "osoba.pesel", "PESEL:"),
    (
        "se_pnr",
        "personnummer",
        "kund.personnummer",
        "personnummer",
    ),
    ("fi_hetu", "hetu", "asiakas.henkilotunnus", "Henkilötunnus:"),
    (
        "tr_tckn",
        "tc_kimlik_no",
        "musteri.tcKimlikNo",
        "T.C. Kimlik No:",
    ),
    ("in_pan", "pan_number", "kyc.pan", "PAN:"),
    (
        "jp_my_number",
        "マイナンバー",
        "customer.myNumber",
        "マイナンバー",
    ),
    ("kr_rrn", "주민등록번호", "member.rrn", "주민등록번호"),
    ("sg_nric", "nric", "applicant.nric", "NRIC/FIN"),
    (
        "th_id",
        "citizen_id",
        "customer.citizenId",
        "เลขประจำตัวประชาชน",
    ),
    ("za_id", "sa_id", "client.saIdNumber", "SA ID number"),
    ("us_itin", "itin", "taxpayer.itin", "ITIN"),
    ("us_ssn", "ssn", "employee.ssn", "Social Security number"),
    ("au_tfn", "tfn", "employee.tfn", "TFN"),
    ("ca_sin", "sin", "employee.sin", "SIN"),
];

/// Loyalty programmes: (detector, column names, prose cue, value maker).
fn loyalty_value(rng: &mut ChaCha8Rng, det: &str) -> String {
    let nz =
        |rng: &mut ChaCha8Rng, n: usize| format!("{}{}", rng.gen_range(1..10), digits(rng, n - 1));
    match det {
        "loyalty_aadvantage" => loop {
            // 7 characters, letters and digits mixed (at least two of each).
            let s: String = (0..7)
                .map(|_| {
                    if rng.gen_bool(0.6) {
                        char::from(b'0' + rng.gen_range(0..10u8))
                    } else {
                        char::from(b'A' + rng.gen_range(0..26u8))
                    }
                })
                .collect();
            let nd = s.bytes().filter(u8::is_ascii_digit).count();
            if (2..=5).contains(&nd) {
                break s;
            }
        },
        "loyalty_bonvoy" => nz(rng, 9),
        "loyalty_aeroplan" => {
            let v = nz(rng, 9);
            if rng.gen_bool(0.5) {
                group(&v, &[3, 3, 3], " ")
            } else {
                v
            }
        }
        "loyalty_flyingblue" => nz(rng, 10),
        "loyalty_mileageplus" => {
            if rng.gen_bool(0.5) {
                format!("{}{}", letters(rng, 2), nz(rng, 6))
            } else {
                nz(rng, 11)
            }
        }
        _ => nz(rng, 10),
    }
}

const LOYALTY: &[(&str, &[&str], &[&str])] = &[
    (
        "loyalty_aadvantage",
        &["aadvantage_no", "aadvantage_number", "AAdvantageNumber"],
        &[
            "AAdvantage number",
            "AAdvantage #",
            "American Airlines AAdvantage",
        ],
    ),
    (
        "loyalty_bonvoy",
        &["bonvoy_no", "bonvoy_number", "marriott_bonvoy"],
        &[
            "Marriott Bonvoy member",
            "Bonvoy number",
            "Marriott Bonvoy #",
        ],
    ),
    (
        "loyalty_aeroplan",
        &["aeroplan_no", "aeroplan_number", "aeroplan"],
        &["Aeroplan number", "Aeroplan #", "Air Canada Aeroplan"],
    ),
    (
        "loyalty_flyingblue",
        &["flying_blue_no", "flyingblue_number", "flying_blue"],
        &[
            "Flying Blue number",
            "Flying Blue #",
            "Air France Flying Blue",
        ],
    ),
    (
        "loyalty_mileageplus",
        &[
            "mileageplus_no",
            "mileage_plus_number",
            "united_mileageplus",
        ],
        &["MileagePlus number", "MileagePlus #", "United MileagePlus"],
    ),
    (
        "loyalty_skymiles",
        &["skymiles_no", "sky_miles_number", "delta_skymiles"],
        &["SkyMiles number", "Delta SkyMiles #", "SkyMiles"],
    ),
];

/// A valid IBAN for `cc` with a random national part of the registered length.
fn iban(rng: &mut ChaCha8Rng, cc: &str) -> String {
    let bban = match cc {
        "DE" => digits(rng, 18),
        "ES" => digits(rng, 20),
        "NO" => digits(rng, 11),
        "FR" => format!("{}{}", digits(rng, 21), "00"),
        "GB" => format!("{}{}", letters(rng, 4), digits(rng, 14)),
        _ => format!("{}{}", letters(rng, 4), digits(rng, 10)),
    };
    with_check(cc, &bban)
}

/// A mod-97-valid IBAN of the right length that breaks its country's registered structure
/// (or, for Belgium, its national check): a hard negative for the per-country checks.
fn iban_off_structure(rng: &mut ChaCha8Rng, cc: &str) -> String {
    let bban = match cc {
        // A letter in an all-digit account number.
        "DE" => format!("{}{}{}", digits(rng, 10), letters(rng, 1), digits(rng, 7)),
        "ES" => format!("{}{}", digits(rng, 19), letters(rng, 1)),
        "PL" => format!("{}{}", digits(rng, 22), letters(rng, 2)),
        // Digits where the bank's letters go.
        "GB" => digits(rng, 18),
        "NL" => digits(rng, 14),
        // Belgium: structure right, national check (first ten digits mod 97) wrong.
        _ => {
            let body = digits(rng, 10);
            let r = body.parse::<u64>().unwrap_or(0) % 97;
            let good = if r == 0 { 97 } else { r };
            format!("{body}{:02}", good % 97 + 1)
        }
    };
    with_check(cc, &bban)
}

/// `cc` + mod-97 check digits + `bban`.
fn with_check(cc: &str, bban: &str) -> String {
    let rearranged = format!("{bban}{cc}00");
    let mut rem: u64 = 0;
    for ch in rearranged.chars() {
        let v = u64::from(ch.to_digit(36).unwrap_or(0));
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    format!("{cc}{:02}{bban}", 98 - rem)
}

/// A cell of one labelled value: `prefix` + value + `suffix`, the value labelled `kind`.
fn cell(
    field: Option<&str>,
    prefix: &str,
    value: &str,
    suffix: &str,
    kind: Option<&'static str>,
) -> Cell {
    let text = format!("{prefix}{value}{suffix}");
    let labels = kind
        .map(|k| {
            vec![Label {
                kind: k,
                start: prefix.len(),
                end: prefix.len() + value.len(),
            }]
        })
        .unwrap_or_default();
    Cell {
        field: field.map(str::to_string),
        text,
        labels,
    }
}

/// `rounds` of every id, loyalty programme and IBAN / IPv6 / email form.
pub fn generate(seed: u64, rounds: usize) -> Vec<Tagged> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let rng = &mut rng;
    let mut out = Vec::new();
    let mut push =
        |tag: &'static str, form: &'static str, cell: Cell| out.push(Tagged { tag, form, cell });
    let nid = Some("national_id");
    for _ in 0..rounds {
        for &(id, col, key, cue) in IDS {
            let Some((good, bad, bare)) = make_id(rng, id) else {
                continue;
            };
            push(id, "column", cell(Some(col), "", &good, "", nid));
            push(id, "json", cell(Some(key), "", &good, "", nid));
            let generic = ["national_id", "NationalID", "nationalIdNumber"]
                .choose(rng)
                .copied()
                .unwrap_or("national_id");
            push(id, "generic", cell(Some(generic), "", &good, "", nid));
            push(
                id,
                "prose",
                cell(
                    None,
                    &format!("Please update the file: {cue} "),
                    &good,
                    ". Thanks!",
                    nid,
                ),
            );
            // A short header as the last word of a compound name (`employee_ssn`).
            if let Some(&(_, short)) = SHORT_HEADERS.iter().find(|(d, _)| *d == id) {
                let f = format!("employee_{short}");
                push(id, "compound", cell(Some(&f), "", &good, "", nid));
                push(id, "negative", cell(Some(&f), "", &bad, "", None));
            }
            push(id, "negative", cell(Some(col), "", &bad, "", None));
            push(
                id,
                "negative",
                cell(None, &format!("{cue} "), &bad, " (typo?)", None),
            );
            if let Some(bare) = bare {
                push(
                    id,
                    "negative",
                    cell(None, "Parcel ", &bare, " arrived on Tuesday.", None),
                );
            }
        }
        for &(det, cols, cues) in LOYALTY {
            let v = loyalty_value(rng, det);
            let col = cols.choose(rng).copied().unwrap_or(cols[0]);
            let cue = cues.choose(rng).copied().unwrap_or(cues[0]);
            let lk = Some("loyalty_number");
            push(det, "column", cell(Some(col), "", &v, "", lk));
            push(
                det,
                "json",
                cell(Some(&format!("guest.{col}")), "", &v, "", lk),
            );
            push(
                det,
                "prose",
                cell(
                    None,
                    &format!("Guest asked to add {cue} "),
                    &v,
                    " to the booking.",
                    lk,
                ),
            );
        }
        // IBANs: a space after the country code, national grouping, dashes, dots, lower case.
        for cc in ["DE", "ES", "NO", "FR", "NL", "GB"] {
            let v = iban(rng, cc);
            let forms = [
                format!(
                    "{} {}",
                    &v[..2],
                    group(&v[2..], &[2, 4, 4, 4, 4, 4, 4], " ")
                ),
                group(&v, &[4, 4, 4, 4, 4, 4, 4], "-"),
                group(&v, &[4, 4, 4, 4, 4, 4, 4], "."),
                v.to_ascii_lowercase(),
                group(&v, &[4, 4, 4, 4, 4, 4, 4], " "),
            ];
            let w = forms.choose(rng).cloned().unwrap_or(v);
            let w = w.trim_end_matches([' ', '-', '.']).to_string();
            push(
                "iban_forms",
                "column",
                cell(Some("iban"), "", &w, "", Some("iban")),
            );
            push(
                "iban_forms",
                "prose",
                cell(
                    None,
                    "Bitte überweisen Sie auf IBAN ",
                    &w,
                    " bis Freitag.",
                    Some("iban"),
                ),
            );
        }
        // Hard negatives: mod-97 right, the country's structure or national check wrong.
        for cc in ["DE", "ES", "PL", "GB", "NL", "BE"] {
            let v = iban_off_structure(rng, cc);
            push(
                "iban_forms",
                "negative",
                cell(Some("iban"), "", &v, "", None),
            );
            push(
                "iban_forms",
                "negative",
                cell(None, "IBAN: ", &v, " (Rechnung 2291)", None),
            );
        }
        // IPv6: compressed and zero-suppressed global addresses; loopback and documentation are
        // nobody's.
        let g = |rng: &mut ChaCha8Rng| format!("{:x}", rng.gen_range(1..0xffffu32));
        let v6 = [
            format!("2a02:{}:{}::{}", g(rng), g(rng), g(rng)),
            format!(
                "2600:{}:{}:{}:0:0:{}:{}",
                g(rng),
                g(rng),
                g(rng),
                g(rng),
                g(rng)
            ),
            format!(
                "fe80::{}:{:x}ff:fe{:02x}:{}",
                g(rng),
                rng.gen_range(0x10..0xffu32),
                rng.gen_range(0x10..0xffu32),
                g(rng)
            ),
        ];
        for v in &v6 {
            push(
                "ipv6",
                "column",
                cell(Some("client_ip"), "", v, "", Some("ip_address")),
            );
            push(
                "ipv6",
                "prose",
                cell(None, "login from ", v, " failed twice", Some("ip_address")),
            );
        }
        push(
            "ipv6",
            "negative",
            cell(None, "listening on ", "::1", " port 8080", None),
        );
        push(
            "ipv6",
            "negative",
            cell(
                None,
                "e.g. ",
                &format!("2001:db8::{}", g(rng)),
                " in the docs",
                None,
            ),
        );
        // Emails: a doubled dot is not an address (nor is its tail); an address literal is.
        let local = letters(rng, 5).to_ascii_lowercase();
        push(
            "email_forms",
            "negative",
            cell(
                None,
                "Reply to ",
                &format!("a..{local}@example.com"),
                " today",
                None,
            ),
        );
        push(
            "email_forms",
            "prose",
            cell(
                None,
                "Reply to ",
                &format!("{local}@[192.0.2.{}]", rng.gen_range(1..255)),
                " today",
                Some("email"),
            ),
        );
        // Two phone numbers back to back in one cell (fictional ranges: ACMA 0491 570 1xx,
        // (02) 5550 xxxx, NANP 555-01xx, Ofcom 07700 900xxx): after a `+` or `(`, or the same
        // national grouping after a slash or a space.
        let n = |rng: &mut ChaCha8Rng| rng.gen_range(100..200);
        let pairs = [
            (
                format!("+61 491 570 {}", n(rng)),
                format!("+61 491 570 {}", n(rng)),
                " ",
            ),
            (
                format!("(02) 5550 {}", 1000 + n(rng)),
                format!("(02) 5550 {}", 1000 + n(rng)),
                " ",
            ),
            (
                format!("+1 212-555-0{}", n(rng)),
                format!("+1 212-555-0{}", n(rng)),
                " ",
            ),
            (
                format!("0491 570 {}", n(rng)),
                format!("0491 570 {}", n(rng)),
                "/",
            ),
            (
                format!("07700 900{}", n(rng)),
                format!("07700 900{}", n(rng)),
                " / ",
            ),
            (
                format!("0491570{}", n(rng)),
                format!("0491570{}", n(rng)),
                " ",
            ),
        ];
        let (a, b, sep) = pairs.choose(rng).cloned().unwrap_or_default();
        let pair = |field: Option<&str>, before: &str, after: &str| {
            let text = format!("{before}{a}{sep}{b}{after}");
            let at = before.len();
            let bt = at + a.len() + sep.len();
            Cell {
                field: field.map(str::to_string),
                text,
                labels: vec![
                    Label {
                        kind: "phone",
                        start: at,
                        end: at + a.len(),
                    },
                    Label {
                        kind: "phone",
                        start: bt,
                        end: bt + b.len(),
                    },
                ],
            }
        };
        push("phone_forms", "column", pair(Some("phone"), "", ""));
        push(
            "phone_forms",
            "prose",
            pair(None, "Call me on ", " after 5pm."),
        );
        // Passports: two series letters and seven digits (JP, AU, CA, IN and others), the
        // documented sample `TK1234567` shape among them; under a booking reference or bare in
        // prose they are none.
        let series = letters(rng, 2);
        let number = if rng.gen_bool(0.3) {
            "1234567".to_string()
        } else {
            format!("{}{}", rng.gen_range(1..10), digits(rng, 6))
        };
        let p = format!("{series}{number}");
        let pk = Some("passport_number");
        push(
            "passport_forms",
            "column",
            cell(Some("passport_no"), "", &p, "", pk),
        );
        let cue = [
            "Passport No: ",
            "旅券番号: ",
            "Reisepass ",
            "Numer paszportu: ",
        ]
        .choose(rng)
        .copied()
        .unwrap_or("Passport No: ");
        push(
            "passport_forms",
            "prose",
            cell(None, cue, &p, ", valid to 2031.", pk),
        );
        push(
            "passport_forms",
            "negative",
            cell(None, "Booking ref ", &p, " confirmed.", None),
        );
        push(
            "passport_forms",
            "negative",
            cell(None, "Parcel ", &p, " arrived on Tuesday.", None),
        );
    }
    out
}

/// Counts per tag (all kinds summed) and per (tag, form), findings at or above `min`.
pub fn evaluate(
    engine: &piiscan::detect::Engine,
    tagged: &[Tagged],
    min: piiscan::finding::Confidence,
) -> (
    std::collections::BTreeMap<String, super::corpus::Counts>,
    std::collections::BTreeMap<String, super::corpus::Counts>,
    Vec<super::corpus::Miss>,
) {
    let mut by_tag: std::collections::BTreeMap<String, super::corpus::Counts> = Default::default();
    let mut by_form: std::collections::BTreeMap<String, super::corpus::Counts> = Default::default();
    let mut all_misses = Vec::new();
    let mut groups: std::collections::BTreeMap<(&str, &str), Vec<Cell>> = Default::default();
    for t in tagged {
        groups
            .entry((t.tag, t.form))
            .or_default()
            .push(t.cell.clone());
    }
    // Recall is counted per tag (the detector the cells were written for); a false positive
    // is charged to the detector that reported it, whichever cells it was in.
    for ((tag, form), cells) in groups {
        let (table, misses) = super::corpus::evaluate(engine, &cells, min);
        for c in table.values() {
            for e in [
                by_tag.entry(tag.to_string()).or_default(),
                by_form.entry(form.to_string()).or_default(),
            ] {
                e.tp += c.tp;
                e.fn_ += c.fn_;
            }
            by_form.entry(form.to_string()).or_default().fp += c.fp;
        }
        for m in misses.iter().filter(|m| m.what == "FP") {
            by_tag.entry(m.detector.clone()).or_default().fp += 1;
        }
        all_misses.extend(misses);
    }
    (by_tag, by_form, all_misses)
}
