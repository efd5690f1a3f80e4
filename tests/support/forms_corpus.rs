//! Seeded labelled cells for the forms issue 27 lists as seen on public labelled sets (round 4):
//! phone numbers written without a trunk `0` (Spain, Norway, Denmark, Estonia, Cyprus, Italy,
//! Poland, Brazil's `(11)` area code) after a cue word in the number's language and in a phone
//! column; separators and prefixes (`+49 176/…`, `0176/…`, French dotted pairs, `1-` before a
//! NANP number); street-name-first addresses (`Via …`, `ul. …`, `Calle …`, `Mattenstrasse …`),
//! PO boxes and APO addresses in prose; and names after `My name is`, `I'm`, `Dear`, `Sehr
//! geehrte`, `Customer:` (surnames ending in an accented letter among them).
//!
//! Every value is fake: phone numbers are seeded random digits kept only where libphonenumber's
//! metadata calls them valid for the region they are written for; street names, towns and
//! people's names are common words and dictionary names. The negatives are the same digits
//! after an order or parcel word, dates and versions in the new separators, a street word that
//! starts a sentence (`Via Appia was built in 312 BC`) and cue words followed by no name
//! (`I'm Sorry`, `Dear Customer`); none may reach `medium`.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::corpus::{Cell, Label};
use super::ids_corpus::Tagged;

/// `n` random ASCII digits.
fn digits(rng: &mut ChaCha8Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
        .collect()
}

/// Whether libphonenumber calls the digits `national` a valid number of `region`.
fn valid_in(region: phonenumber::country::Id, national: &str) -> bool {
    phonenumber::parse(Some(region), national).is_ok_and(|n| phonenumber::is_valid(&n))
}

/// Re-spaces `compact` in groups of the given sizes joined by `sep`.
fn group(compact: &str, sizes: &[usize], sep: &str) -> String {
    let mut out = Vec::new();
    let mut at = 0;
    for &n in sizes {
        out.push(&compact[at..at + n]);
        at += n;
    }
    out.join(sep)
}

/// A cell of one labelled value: `prefix` + value + `suffix`, the value labelled `kind`.
fn cell(
    field: Option<&str>,
    prefix: &str,
    value: &str,
    suffix: &str,
    kind: Option<&'static str>,
) -> Cell {
    Cell {
        field: field.map(str::to_string),
        text: format!("{prefix}{value}{suffix}"),
        labels: kind
            .map(|k| {
                vec![Label {
                    kind: k,
                    start: prefix.len(),
                    end: prefix.len() + value.len(),
                }]
            })
            .unwrap_or_default(),
    }
}

/// A valid national number without trunk prefix: (region, first digits, total digits, grouping,
/// cue in the region's language). Drawn until valid (at most 200 tries; `None` after).
#[allow(clippy::type_complexity)]
const TRUNKLESS: &[(&str, &str, usize, &[usize], &str)] = &[
    ("ES", "6", 9, &[3, 3, 3], "Teléfono: "),
    ("NO", "4", 8, &[2, 2, 2, 2], "Tlf: "),
    ("DK", "2", 8, &[2, 2, 2, 2], "Telefon: "),
    ("EE", "5", 8, &[4, 4], "Telefon: "),
    ("CY", "96", 8, &[2, 6], "Τηλ: "),
    ("IT", "3", 10, &[3, 3, 4], "Cellulare: "),
    ("PL", "5", 9, &[3, 3, 3], "Numer telefonu: "),
];

fn trunkless(rng: &mut ChaCha8Rng) -> Option<(String, String, &'static str)> {
    let &(region, lead, len, sizes, cue) = TRUNKLESS.choose(rng)?;
    let id: phonenumber::country::Id = region.parse().ok()?;
    for _ in 0..200 {
        let d = format!("{lead}{}", digits(rng, len - lead.len()));
        if valid_in(id, &d) {
            return Some((group(&d, sizes, " "), d, cue));
        }
    }
    None
}

/// A valid number of `region` starting `lead`, `len` digits (national significant number).
fn national(rng: &mut ChaCha8Rng, region: &str, lead: &str, len: usize) -> Option<String> {
    let id: phonenumber::country::Id = region.parse().ok()?;
    (0..200)
        .map(|_| format!("{lead}{}", digits(rng, len - lead.len())))
        .find(|d| valid_in(id, d))
}

const GIVEN: &[&str] = &[
    "Maria", "Jonas", "Anna", "Lucas", "Sofia", "Pierre", "Jan", "Ingrid", "Carlos", "Elena",
    "Marco", "Olivia", "Noah",
];
const SURNAMES: &[&str] = &[
    "Garcia", "Berg", "Rossi", "Schmidt", "Novak", "Dubois", "Silva", "Hansen", "Kowalski",
    "Müller", "Moreau", "Jensen", "Nowak", "Weiß", "André",
];

/// (street written name-first, postcode maker, town).
const STREETS: &[(&str, &str, &str)] = &[
    ("Via Garibaldi", "00", "Roma"),
    ("Via Pisanelli", "00", "Roma"),
    ("Viale Monza", "20", "Milano"),
    ("ul. Elbląska", "PL", "Gdańsk"),
    ("ul. Długa", "PL", "Kraków"),
    ("Calle Mayor", "28", "Madrid"),
    ("Avenida de América", "28", "Madrid"),
    ("Rua Augusta", "PT", "Lisboa"),
    ("Mattenstrasse", "CH", "Basel"),
    ("Bahnhofstrasse", "CH", "Zürich"),
    ("Hauptstraße", "10", "Berlin"),
    ("Kirkegade", "DK", "Aarhus"),
];

fn postcode(rng: &mut ChaCha8Rng, kind: &str) -> String {
    match kind {
        "PL" => format!("{}-{}", digits(rng, 2), digits(rng, 3)),
        "PT" => format!("1{}-{}", digits(rng, 3), digits(rng, 3)),
        "CH" | "DK" => format!("{}{}", rng.gen_range(1..10), digits(rng, 3)),
        lead => format!("{lead}{}", digits(rng, 3)),
    }
}

/// `rounds` of every form above, with their negatives.
pub fn generate(seed: u64, rounds: usize) -> Vec<Tagged> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x27_04);
    let rng = &mut rng;
    let mut out = Vec::new();
    let mut push =
        |tag: &'static str, form: &'static str, cell: Cell| out.push(Tagged { tag, form, cell });
    let ph = Some("phone");
    let addr = Some("street_address");
    let name = Some("person_name");
    for _ in 0..rounds {
        // Phones without a trunk 0: after a cue, in a phone column (grouped or bare), and as
        // negatives the same digits after an order word or alone in prose.
        if let Some((grouped, bare, cue)) = trunkless(rng) {
            let t = "trunkless_phone_forms";
            push(t, "prose", cell(None, cue, &grouped, ", gracias.", ph));
            let col = ["phone", "telefono", "mobil", "Telefon"]
                .choose(rng)
                .copied()
                .unwrap_or("phone");
            push(t, "column", cell(Some(col), "", &grouped, "", ph));
            push(t, "column", cell(Some(col), "", &bare, "", ph));
            push(
                t,
                "negative",
                cell(None, "Order no. ", &grouped, " shipped.", None),
            );
            push(
                t,
                "negative",
                cell(None, "Parcel ", &bare, " arrived.", None),
            );
            push(t, "negative", cell(Some("order_id"), "", &bare, "", None));
        }
        if let Some(d) = national(rng, "BR", "119", 11) {
            let v = format!("({}) {}-{}", &d[..2], &d[2..7], &d[7..]);
            let t = "trunkless_phone_forms";
            push(t, "prose", cell(None, "Ligue para ", &v, " hoje.", ph));
            push(t, "negative", cell(None, "Pedido ", &v, " enviado.", None));
        }
        // Separators and prefixes the always-run phone pattern now reads.
        let t = "separator_phone_forms";
        if let Some(d) = national(rng, "DE", "17", 11) {
            let v = format!("+49 {}/{}", &d[..3], &d[3..]);
            push(t, "prose", cell(None, "Handy: ", &v, " (abends)", ph));
            let v = format!("0{}/{}", &d[..3], &d[3..]);
            push(t, "prose", cell(None, "Tel. ", &v, ", Büro", ph));
        }
        if let Some(d) = national(rng, "FR", "6", 9) {
            let v = format!(
                "0{}.{}.{}.{}.{}",
                &d[..1],
                &d[1..3],
                &d[3..5],
                &d[5..7],
                &d[7..]
            );
            push(t, "prose", cell(None, "Appelez le ", &v, " demain.", ph));
            push(t, "column", cell(Some("téléphone"), "", &v, "", ph));
        }
        if let Some(d) = national(rng, "US", "312", 10) {
            let v = format!("1-{}-{}-{}", &d[..3], &d[3..6], &d[6..]);
            // The `1-` is a prefix, not part of the national number that is reported.
            let shown = &v[2..];
            push(
                t,
                "prose",
                cell(None, "Call 1-", shown, " for the desk.", ph),
            );
        }
        let (m, day) = (rng.gen_range(1..13), rng.gen_range(13..29));
        let date = format!("{m:02}/{day}/20{}", rng.gen_range(10..30));
        push(t, "negative", cell(None, "due ", &date, " latest", None));
        let version = format!(
            "{}.{}.{}.{}.{}",
            rng.gen_range(1..6),
            digits(rng, 1),
            digits(rng, 2),
            digits(rng, 1),
            digits(rng, 2)
        );
        push(
            t,
            "negative",
            cell(None, "version ", &version, " released", None),
        );

        // Street name first, PO boxes and APO in prose; in an address column.
        let t = "name_first_address_forms";
        if let Some(&(street, pc, town)) = STREETS.choose(rng) {
            let v = format!(
                "{street} {}, {} {town}",
                rng.gen_range(1..200),
                postcode(rng, pc)
            );
            let cue = [
                "Please ship to ",
                "Our office is at ",
                "Adres: ",
                "Anschrift: ",
            ]
            .choose(rng)
            .copied()
            .unwrap_or("Please ship to ");
            push(t, "prose", cell(None, cue, &v, ".", addr));
            push(t, "column", cell(Some("address"), "", &v, "", addr));
        }
        let v = format!(
            "PO Box {}, Springfield, IL 62{}",
            rng.gen_range(1..9999),
            digits(rng, 3)
        );
        push(t, "prose", cell(None, "Send mail to ", &v, ".", addr));
        let v = format!(
            "PSC {}, Box {}, APO AE 09{}",
            rng.gen_range(1000..9999),
            rng.gen_range(1..9999),
            digits(rng, 3)
        );
        push(t, "prose", cell(None, "Ship to ", &v, " please.", addr));
        let year = rng.gen_range(100..400);
        push(
            t,
            "negative",
            cell(
                None,
                &format!("Via Appia was built in {year} BC"),
                "",
                "",
                None,
            ),
        );
        let n = rng.gen_range(2..50);
        push(
            t,
            "negative",
            cell(
                None,
                &format!("Put the Box {n} of widgets on the shelf"),
                "",
                "",
                None,
            ),
        );

        // Names after cues in prose.
        let t = "name_cue_forms";
        let g = GIVEN.choose(rng).copied().unwrap_or("Maria");
        let s = SURNAMES.choose(rng).copied().unwrap_or("Garcia");
        let full = format!("{g} {s}");
        let (pre, post) = *[
            ("Hello, my name is ", " and I need help."),
            ("Hi, I'm ", " from the sales team."),
            ("Dear ", ","),
            ("Sehr geehrte ", ","),
            ("Customer: ", ""),
        ]
        .choose(rng)
        .unwrap_or(&("Dear ", ","));
        push(t, "prose", cell(None, pre, &full, post, name));
        let neg = [
            "I'm Sorry about the delay.",
            "I am Available tomorrow.",
            "Dear Customer, thanks.",
            "Hello Team, see below.",
        ]
        .choose(rng)
        .copied()
        .unwrap_or("Dear Customer,");
        push(t, "negative", cell(None, neg, "", "", None));
    }
    out
}
