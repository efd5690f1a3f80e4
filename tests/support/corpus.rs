//! Seeded generator of a labelled PII corpus for the accuracy harness (`tests/accuracy.rs`,
//! `examples/accuracy.rs`, both include this file with `#[path]`).
//!
//! It writes *cells* the way a CSV/JSON/SQL export presents them (a field name and a value) and
//! free-text support tickets, for AU, US, UK, DE, FR, BR, IN and JP records. Every record mixes
//! personal data with the hard negatives that make regex-only scanners cry wolf: order ids,
//! timestamps, prices, version strings, UUIDs, SKUs, tracking numbers, order and expiry dates,
//! Luhn-valid digits inside longer references, and IPs in version contexts. Each piece of
//! personal data carries a label (kind + byte span); everything else is a negative.
//!
//! Two structured sets stand apart ([`generate_headers`], [`generate_paths`]): the same kinds of
//! values under header rows in 13 languages, and under nested JSON key paths (parents, plurals,
//! arrays) with person-like values under keys that are not a person's name.
//!
//! All values are fake: reserved example domains, fictional phone ranges where a regulator
//! publishes one (ACMA 0491 570 xxx, Ofcom 07700 900xxx / 020 7946 0xxx, NANP 555-01xx, ARCEP
//! 01 99 00 xx xx), generated Luhn/mod-97/check-digit-valid numbers, documentation IP ranges.
#![allow(dead_code)]

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A labelled span of personal data inside a cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// `Kind::as_str` name (`email`, `phone`, ...).
    pub kind: &'static str,
    /// Byte offset of the value in the cell text.
    pub start: usize,
    /// End byte offset (exclusive).
    pub end: usize,
}

/// One cell: an optional field name, the text, and its labels.
#[derive(Debug, Clone)]
pub struct Cell {
    /// Field (column / key) name, `None` for free text.
    pub field: Option<String>,
    /// Cell text.
    pub text: String,
    /// Personal data in the text.
    pub labels: Vec<Label>,
}

/// Builds free text piece by piece, labelling the pieces that are personal data.
#[derive(Default)]
struct Text {
    s: String,
    labels: Vec<Label>,
}

impl Text {
    fn lit(&mut self, s: &str) -> &mut Self {
        self.s.push_str(s);
        self
    }
    fn pii(&mut self, kind: &'static str, v: &str) -> &mut Self {
        let start = self.s.len();
        self.s.push_str(v);
        self.labels.push(Label {
            kind,
            start,
            end: self.s.len(),
        });
        self
    }
}

/// The locales the generator writes.
pub const LOCALES: [&str; 8] = ["AU", "US", "UK", "DE", "FR", "BR", "IN", "JP"];

fn given(rng: &mut ChaCha8Rng, loc: &str) -> String {
    let list: &[&str] = match loc {
        "AU" | "UK" => &[
            "Olivia",
            "Jack",
            "Charlotte",
            "Liam",
            "Amelia",
            "Noah",
            "Isla",
            "Harry",
            "Chloe",
            "Lachlan",
            "Matilda",
            "Oscar",
        ],
        "US" => &[
            "Emma", "James", "Ava", "Michael", "Sophia", "Ethan", "Madison", "Daniel", "Abigail",
            "Tyler", "Megan", "Brandon",
        ],
        "DE" => &[
            "Lukas", "Sabine", "Jürgen", "Katrin", "Felix", "Lena", "Stefan", "Johanna", "Moritz",
            "Petra",
        ],
        "FR" => &[
            "Camille", "Julien", "Chloé", "Nicolas", "Manon", "Théo", "Élodie", "Hugo", "Inès",
            "Mathieu",
        ],
        "BR" => &[
            "João", "Ana", "Gabriel", "Juliana", "Matheus", "Fernanda", "Rafael", "Beatriz",
            "Thiago", "Larissa",
        ],
        "IN" => &[
            "Aarav", "Priya", "Rohan", "Ananya", "Vikram", "Kavya", "Rahul", "Neha", "Arjun",
            "Divya",
        ],
        _ => &[
            "Hiroshi", "Yuki", "Kenji", "Sakura", "Takumi", "Haruka", "Ren", "Aoi", "Daiki",
            "Misaki",
        ],
    };
    // One name in eight is made up, so a name column is not judged by the dictionary alone.
    if rng.gen_ratio(1, 8) {
        return made_up_name(rng);
    }
    list.choose(rng).map_or("Alex", |s| s).to_string()
}

fn surname(rng: &mut ChaCha8Rng, loc: &str) -> String {
    let list: &[&str] = match loc {
        "AU" | "UK" => &[
            "Smith", "Jones", "Williams", "Brown", "Wilson", "Taylor", "Nguyen", "O'Brien",
            "Campbell", "Kelly",
        ],
        "US" => &[
            "Johnson",
            "Garcia",
            "Miller",
            "Davis",
            "Rodriguez",
            "Martinez",
            "Anderson",
            "Thomas",
            "Jackson",
            "White",
        ],
        "DE" => &[
            "Müller",
            "Schmidt",
            "Schneider",
            "Fischer",
            "Weber",
            "Meyer",
            "Wagner",
            "Becker",
            "Hoffmann",
            "Schäfer",
        ],
        "FR" => &[
            "Martin", "Bernard", "Dubois", "Durand", "Lefebvre", "Moreau", "Laurent", "Fournier",
            "Girard", "Mercier",
        ],
        "BR" => &[
            "Silva",
            "Santos",
            "Oliveira",
            "Souza",
            "Ferreira",
            "Pereira",
            "Costa",
            "Rodrigues",
            "Almeida",
            "Gonçalves",
        ],
        "IN" => &[
            "Sharma", "Patel", "Singh", "Kumar", "Gupta", "Reddy", "Iyer", "Nair", "Joshi", "Mehta",
        ],
        _ => &[
            "Sato",
            "Suzuki",
            "Takahashi",
            "Tanaka",
            "Watanabe",
            "Ito",
            "Yamamoto",
            "Nakamura",
            "Kobayashi",
            "Kato",
        ],
    };
    if rng.gen_ratio(1, 8) {
        return made_up_name(rng);
    }
    list.choose(rng).map_or("Lee", |s| s).to_string()
}

fn made_up_name(rng: &mut ChaCha8Rng) -> String {
    const SYL: [&str; 16] = [
        "ka", "lo", "mir", "ten", "sa", "vu", "dre", "xo", "bel", "qua", "zin", "ro", "fa", "nu",
        "tek", "wyn",
    ];
    let n = rng.gen_range(2..=3);
    let mut s: String = (0..n).map(|_| *SYL.choose(rng).unwrap_or(&"ka")).collect();
    let first = s.remove(0).to_ascii_uppercase();
    format!("{first}{s}")
}

fn digits(rng: &mut ChaCha8Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
        .collect()
}

fn luhn_complete(prefix: &str) -> String {
    for k in 0..10u8 {
        let s = format!("{prefix}{k}");
        let sum: u32 = s
            .bytes()
            .rev()
            .enumerate()
            .map(|(i, b)| {
                let mut d = u32::from(b - b'0');
                if i % 2 == 1 {
                    d *= 2;
                    if d > 9 {
                        d -= 9;
                    }
                }
                d
            })
            .sum();
        if sum.is_multiple_of(10) {
            return s;
        }
    }
    unreachable!("one of ten check digits completes a Luhn number")
}

fn card(rng: &mut ChaCha8Rng) -> String {
    let (prefix, len) = *[
        ("4", 16),
        ("51", 16),
        ("55", 16),
        ("2221", 16),
        ("37", 15),
        ("34", 15),
        ("6011", 16),
    ]
    .choose(rng)
    .unwrap_or(&("4", 16));
    let body = format!("{prefix}{}", digits(rng, len - 1 - prefix.len()));
    let ds = luhn_complete(&body);
    match (rng.gen_range(0..3), len) {
        (0, _) => ds,
        (1, 16) => format!("{} {} {} {}", &ds[..4], &ds[4..8], &ds[8..12], &ds[12..]),
        (_, 16) => format!("{}-{}-{}-{}", &ds[..4], &ds[4..8], &ds[8..12], &ds[12..]),
        (_, _) => format!("{} {} {}", &ds[..4], &ds[4..10], &ds[10..]),
    }
}

fn phone(rng: &mut ChaCha8Rng, loc: &str) -> String {
    let d = |rng: &mut ChaCha8Rng, n| digits(rng, n);
    let intl = rng.gen_ratio(2, 5);
    match loc {
        "AU" => match (rng.gen_range(0..3), intl) {
            (0, false) => format!("0491 57{} {}", rng.gen_range(0..10), d(rng, 3)),
            (0, true) => format!("+61 491 57{} {}", rng.gen_range(0..10), d(rng, 3)),
            (1, false) => format!("(02) 5550 {}", d(rng, 4)),
            (1, true) => format!("+61 2 5550 {}", d(rng, 4)),
            (_, false) => format!("0491570{}", d(rng, 3)),
            (_, true) => format!("+61 3 7010 {}", d(rng, 4)),
        },
        "US" => {
            let area = ["202", "312", "415", "617", "212", "303"]
                .choose(rng)
                .copied()
                .unwrap_or("202");
            let last = format!("01{}", d(rng, 2));
            match rng.gen_range(0..3) {
                0 => format!("({area}) 555-{last}"),
                1 => format!("+1 {area}-555-{last}"),
                _ => format!("{area}.555.{last}"),
            }
        }
        "UK" => match (rng.gen_range(0..2), intl) {
            (0, false) => format!("07911 123{}", d(rng, 3)),
            (0, true) => format!("+44 7911 123{}", d(rng, 3)),
            (_, false) => format!("020 7946 0{}", d(rng, 3)),
            (_, true) => format!("+44 20 7946 0{}", d(rng, 3)),
        },
        "DE" => {
            if intl {
                format!("+49 30 {}", d(rng, 8))
            } else {
                format!("030 {}", d(rng, 8))
            }
        }
        "FR" => {
            if intl {
                format!("+33 1 99 00 {} {}", d(rng, 2), d(rng, 2))
            } else {
                format!("01 99 00 {} {}", d(rng, 2), d(rng, 2))
            }
        }
        "BR" => format!("+55 11 9{}-{}", d(rng, 4), d(rng, 4)),
        "IN" => format!("+91 98{} {}", d(rng, 3), d(rng, 5)),
        _ => {
            if intl {
                format!("+81 3-5{}-{}", d(rng, 3), d(rng, 4))
            } else {
                format!("03-5{}-{}", d(rng, 3), d(rng, 4))
            }
        }
    }
}

fn email(rng: &mut ChaCha8Rng, g: &str, s: &str) -> String {
    let ascii = |x: &str| -> String {
        x.chars()
            .filter_map(|c| match c {
                'ü' => Some('u'),
                'ä' => Some('a'),
                'ö' => Some('o'),
                'é' | 'è' => Some('e'),
                'ç' => Some('c'),
                'ã' | 'á' => Some('a'),
                '\'' => None,
                c if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
                _ => None,
            })
            .collect()
    };
    let (g, s) = (ascii(g), ascii(s));
    let dom = [
        "example.com",
        "example.org",
        "example.net",
        "mail.example.com",
        "example.co.uk",
    ]
    .choose(rng)
    .copied()
    .unwrap_or("example.com");
    match rng.gen_range(0..4) {
        0 => format!("{g}.{s}@{dom}"),
        1 => format!("{g}{}@{dom}", rng.gen_range(1..99)),
        2 => format!("{g}+shop@{dom}"),
        _ => format!("{}{s}@{dom}", &g[..1.min(g.len())]),
    }
}

fn dob(rng: &mut ChaCha8Rng, loc: &str) -> String {
    let (y, m, d) = (
        rng.gen_range(1940..2006),
        rng.gen_range(1..=12u32),
        rng.gen_range(1..=28u32),
    );
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    const DE: [&str; 12] = [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ];
    const FR: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    const PT: [&str; 12] = [
        "janeiro",
        "fevereiro",
        "março",
        "abril",
        "maio",
        "junho",
        "julho",
        "agosto",
        "setembro",
        "outubro",
        "novembro",
        "dezembro",
    ];
    let mi = (m - 1) as usize;
    if rng.gen_ratio(2, 5) {
        return format!("{y}-{m:02}-{d:02}");
    }
    match (loc, rng.gen_range(0..3)) {
        ("US", 0) => format!("{m:02}/{d:02}/{y}"),
        ("US", 1) => format!("{} {d}, {y}", EN[mi]),
        ("US", _) => format!("{m}/{d}/{y}"),
        ("DE", 0) => format!("{d:02}.{m:02}.{y}"),
        ("DE", _) => format!("{d}. {} {y}", DE[mi]),
        ("FR", 0) => format!("{d:02}/{m:02}/{y}"),
        ("FR", _) => format!("{d} {} {y}", FR[mi]),
        ("BR", 0) => format!("{d:02}/{m:02}/{y}"),
        ("BR", _) => format!("{d} de {} de {y}", PT[mi]),
        ("JP", 0) => format!("{y}/{m:02}/{d:02}"),
        ("JP", _) => format!("{y}年{m}月{d}日"),
        (_, 0) => format!("{d:02}/{m:02}/{y}"),
        (_, 1) => format!("{d} {} {y}", EN[mi]),
        (_, _) => format!("{d}-{}-{y}", &EN[mi][..3]),
    }
}

fn iban(rng: &mut ChaCha8Rng, loc: &str) -> String {
    let (cc, bban) = match loc {
        "DE" => ("DE", digits(rng, 18)),
        "FR" => ("FR", format!("{}{}", digits(rng, 10), digits(rng, 13))),
        "UK" => ("GB", format!("WEST{}", digits(rng, 14))),
        "BR" => ("BR", format!("{}{}C1", digits(rng, 23), "")),
        _ => ("NL", format!("ABNA{}", digits(rng, 10))),
    };
    let bban = if cc == "BR" {
        format!("{}{}", &bban[..23], "C1")
    } else {
        bban
    };
    let rearranged = format!("{bban}{cc}00");
    let mut rem: u64 = 0;
    for ch in rearranged.chars() {
        let v = ch.to_digit(36).unwrap_or(0) as u64;
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    let check = 98 - rem;
    let compact = format!("{cc}{check:02}{bban}");
    if rng.gen_bool(0.5) {
        compact
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        compact
    }
}

/// (field name, value) of a national id for the locale, if it has one the scanner knows.
fn national_id(rng: &mut ChaCha8Rng, loc: &str) -> Option<(&'static str, String)> {
    match loc {
        "AU" => {
            if rng.gen_bool(0.5) {
                loop {
                    let ds = digits(rng, 9);
                    let w = [1, 4, 3, 7, 5, 8, 6, 9, 10];
                    let sum: u32 = ds
                        .bytes()
                        .zip(w)
                        .map(|(b, w)| u32::from(b - b'0') * w)
                        .sum();
                    if sum.is_multiple_of(11) && !ds.starts_with('0') {
                        let v = if rng.gen_bool(0.5) {
                            format!("{} {} {}", &ds[..3], &ds[3..6], &ds[6..])
                        } else {
                            ds
                        };
                        return Some(("tfn", v));
                    }
                }
            }
            let first = rng.gen_range(2..=6u32);
            let body = format!("{first}{}", digits(rng, 7));
            let w = [1, 3, 7, 9, 1, 3, 7, 9];
            let check: u32 = body
                .bytes()
                .zip(w)
                .map(|(b, w)| u32::from(b - b'0') * w)
                .sum::<u32>()
                % 10;
            let issue = rng.gen_range(1..=9);
            Some((
                "medicare_number",
                format!("{} {}{check} {issue}", &body[..4], &body[4..]),
            ))
        }
        "US" => {
            let area = loop {
                let a = rng.gen_range(1..900);
                if a != 666 {
                    break a;
                }
            };
            Some((
                "ssn",
                format!(
                    "{area:03}-{:02}-{:04}",
                    rng.gen_range(1..100),
                    rng.gen_range(1..10000)
                ),
            ))
        }
        "UK" => {
            let p = ["AB", "CE", "JT", "KR", "PL", "SW", "WK"]
                .choose(rng)
                .copied()
                .unwrap_or("AB");
            let sfx = ["A", "B", "C", "D"].choose(rng).copied().unwrap_or("A");
            let n = digits(rng, 6);
            Some((
                "ni_number",
                format!("{p} {} {} {} {sfx}", &n[..2], &n[2..4], &n[4..]),
            ))
        }
        "BR" => {
            let mut d: Vec<u32> = (0..9).map(|_| rng.gen_range(0..10)).collect();
            for n in [9usize, 10] {
                let s: u32 = d
                    .iter()
                    .take(n)
                    .enumerate()
                    .map(|(i, x)| x * (n as u32 + 1 - i as u32))
                    .sum();
                d.push((s * 10) % 11 % 10);
            }
            let s: String = d.iter().map(|x| char::from(b'0' + *x as u8)).collect();
            Some((
                "cpf",
                format!("{}.{}.{}-{}", &s[..3], &s[3..6], &s[6..9], &s[9..]),
            ))
        }
        "IN" => {
            const D: [[u8; 10]; 10] = [
                [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
                [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
                [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
                [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
                [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
                [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
                [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
                [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
                [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
                [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
            ];
            const P: [[u8; 10]; 8] = [
                [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
                [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
                [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
                [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
                [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
                [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
                [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
                [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
            ];
            let body = format!("{}{}", rng.gen_range(2..10), digits(rng, 10));
            for k in 0..10u8 {
                let s = format!("{body}{k}");
                let mut c = 0u8;
                for (i, b) in s.bytes().rev().enumerate() {
                    c = D[c as usize][P[i % 8][(b - b'0') as usize] as usize];
                }
                if c == 0 {
                    return Some((
                        "aadhaar_number",
                        format!("{} {} {}", &s[..4], &s[4..8], &s[8..]),
                    ));
                }
            }
            None
        }
        _ => None,
    }
}

/// (field, context phrase, value) of a loyalty number.
fn loyalty(rng: &mut ChaCha8Rng) -> (&'static str, &'static str, String) {
    let d = |rng: &mut ChaCha8Rng, n| {
        let mut s = digits(rng, n);
        s.replace_range(..1, &rng.gen_range(1..10).to_string());
        s
    };
    match rng.gen_range(0..13) {
        0 => ("qff_number", "Qantas Frequent Flyer", d(rng, 10)),
        1 => ("velocity_number", "Velocity number", d(rng, 10)),
        2 => (
            "aadvantage_number",
            "AAdvantage #",
            format!(
                "{}{}{}",
                d(rng, 2),
                ["K", "R", "T"].choose(rng).copied().unwrap_or("K"),
                d(rng, 4)
            ),
        ),
        3 => (
            "mileageplus",
            "MileagePlus",
            format!(
                "{}{}",
                ["KX", "BD", "TR"].choose(rng).copied().unwrap_or("KX"),
                d(rng, 6)
            ),
        ),
        4 => ("skymiles_number", "SkyMiles", d(rng, 10)),
        5 => ("aeroplan_number", "Aeroplan", d(rng, 9)),
        6 => ("flying_blue_number", "Flying Blue", d(rng, 10)),
        7 => ("ba_executive_club", "BA Executive Club", d(rng, 8)),
        8 => ("krisflyer_number", "KrisFlyer", d(rng, 10)),
        9 => (
            "skywards_number",
            "Emirates Skywards",
            format!("EK {}", d(rng, 9)),
        ),
        10 => ("bonvoy_number", "Marriott Bonvoy", d(rng, 9)),
        11 => ("hilton_honors_number", "Hilton Honors", d(rng, 9)),
        _ => ("membership_number", "membership number", d(rng, 9)),
    }
}

fn address(rng: &mut ChaCha8Rng, loc: &str) -> String {
    let n = rng.gen_range(1..400);
    let street = [
        "Example",
        "Wallaby",
        "Harbour View",
        "Kings",
        "Maple",
        "Station",
        "Church",
    ]
    .choose(rng)
    .copied()
    .unwrap_or("Example");
    match loc {
        "AU" => {
            let t = ["Street", "St", "Road", "Rd", "Avenue", "Parade", "Crescent"]
                .choose(rng)
                .copied()
                .unwrap_or("St");
            let (city, st, pc) = *[
                ("Sydney", "NSW", "2000"),
                ("Melbourne", "VIC", "3000"),
                ("Brisbane", "QLD", "4000"),
                ("Perth", "WA", "6000"),
            ]
            .choose(rng)
            .unwrap_or(&("Sydney", "NSW", "2000"));
            format!("{n} {street} {t}, {city} {st} {pc}")
        }
        "US" => {
            let t = ["Street", "Ave", "Blvd", "Drive", "Lane"]
                .choose(rng)
                .copied()
                .unwrap_or("St");
            let (city, st) = *[
                ("Springfield", "IL"),
                ("Portland", "OR"),
                ("Austin", "TX"),
                ("Boston", "MA"),
            ]
            .choose(rng)
            .unwrap_or(&("Springfield", "IL"));
            format!("{n} {street} {t}, {city}, {st} {}", digits(rng, 5))
        }
        "UK" => {
            let t = ["Road", "Street", "Lane", "Close", "Gardens"]
                .choose(rng)
                .copied()
                .unwrap_or("Road");
            let (city, pc) = *[
                ("London", "SW1A 1AA"),
                ("Leeds", "LS1 4AP"),
                ("Manchester", "M1 1AE"),
                ("London", "NW1 6XE"),
            ]
            .choose(rng)
            .unwrap_or(&("London", "SW1A 1AA"));
            format!("{n} {street} {t}, {city} {pc}")
        }
        "DE" => format!(
            "{}straße {n}, {} Berlin",
            ["Muster", "Linden", "Haupt", "Garten"]
                .choose(rng)
                .copied()
                .unwrap_or("Muster"),
            10000 + rng.gen_range(100..9999)
        ),
        "FR" => format!(
            "{n} rue de la {}, 750{:02} Paris",
            ["Paix", "Gare", "République"]
                .choose(rng)
                .copied()
                .unwrap_or("Paix"),
            rng.gen_range(1..21)
        ),
        "BR" => format!(
            "Rua das Flores, {n} - São Paulo, SP 01{}-{}",
            digits(rng, 3),
            digits(rng, 3)
        ),
        "IN" => format!("{n}, MG Road, Bengaluru 560{}", digits(rng, 3)),
        _ => format!(
            "東京都千代田区丸の内{}-{}-{}",
            rng.gen_range(1..4),
            rng.gen_range(1..10),
            rng.gen_range(1..20)
        ),
    }
}

/// Hard negatives: (field, value) pairs that look like personal data and are not.
fn negatives(rng: &mut ChaCha8Rng) -> Vec<(&'static str, String)> {
    let uuid = format!(
        "{}-{}-{}-{}-{}",
        hex(rng, 8),
        hex(rng, 4),
        hex(rng, 4),
        hex(rng, 4),
        hex(rng, 12)
    );
    let luhn16 = luhn_complete(&format!("4{}", digits(rng, 14)));
    // The same digits with the check digit broken, grouped as printed on a card: no card, and
    // no phone number inside it either (`0470 9521 4564` after `4421 ` is a slice of it).
    let broken: String = {
        let (body, check) = luhn16.split_at(15);
        let check = (check.as_bytes()[0] - b'0' + 1) % 10;
        format!("{body}{check}")
    };
    let grouped = broken
        .as_bytes()
        .chunks(4)
        .map(|g| String::from_utf8_lossy(g).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    vec![
        ("voucher_number", grouped),
        (
            "order_id",
            format!("{}", rng.gen_range(100_000_000u64..999_999_999)),
        ),
        ("order_ref", format!("ORD-2024-{}", digits(rng, 6))),
        (
            "created_at",
            format!(
                "2024-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                rng.gen_range(1..13),
                rng.gen_range(1..29),
                rng.gen_range(0..24),
                rng.gen_range(0..60),
                rng.gen_range(0..60)
            ),
        ),
        (
            "order_date",
            format!(
                "{:02}/{:02}/2024",
                rng.gen_range(1..29),
                rng.gen_range(1..13)
            ),
        ),
        (
            "updated",
            format!("{}", rng.gen_range(1_600_000_000u64..1_760_000_000)),
        ),
        (
            "event_ts_ms",
            format!("{}", rng.gen_range(1_600_000_000_000u64..1_760_000_000_000)),
        ),
        (
            "card_expiry",
            format!("{:02}/{}", rng.gen_range(1..13), rng.gen_range(26..32)),
        ),
        (
            "expiry_date",
            format!(
                "20{}-{:02}-{:02}",
                rng.gen_range(26..32),
                rng.gen_range(1..13),
                rng.gen_range(1..29)
            ),
        ),
        (
            "total",
            format!("{}.{:02}", rng.gen_range(1..99999), rng.gen_range(0..100)),
        ),
        (
            "price",
            format!(
                "${},{:03}.{:02}",
                rng.gen_range(1..99),
                rng.gen_range(0..1000),
                rng.gen_range(0..100)
            ),
        ),
        (
            "app_version",
            format!(
                "{}.{}.{}",
                rng.gen_range(1..20),
                rng.gen_range(0..20),
                rng.gen_range(0..200)
            ),
        ),
        (
            "build",
            format!(
                "10.0.{}.{}",
                rng.gen_range(10000..30000),
                rng.gen_range(100..9999)
            ),
        ),
        ("session_id", uuid),
        ("sku", format!("SKU-{}-{}", digits(rng, 4), digits(rng, 4))),
        (
            "tracking_number",
            format!("1Z{}{}", hex(rng, 6).to_uppercase(), digits(rng, 10)),
        ),
        ("tracking_no", format!("94001{}", digits(rng, 17))),
        ("payment_ref", format!("{}{}", luhn16, digits(rng, 4))),
        ("invoice_no", format!("INV-0491{}", digits(rng, 6))),
        (
            "firmware",
            format!(
                "v{}.{}.{}.{}",
                rng.gen_range(1..9),
                rng.gen_range(0..9),
                rng.gen_range(0..9),
                rng.gen_range(0..9)
            ),
        ),
        (
            "user_agent",
            format!(
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0.{}.{}",
                rng.gen_range(1000..9999),
                rng.gen_range(10..200)
            ),
        ),
        ("product_name", "Jane Smith Signature Edition".to_string()),
        (
            "company_name",
            ["Acme Pty Ltd", "Example GmbH", "Globex Corp"]
                .choose(rng)
                .copied()
                .unwrap_or("Acme Pty Ltd")
                .to_string(),
        ),
        ("username", format!("jsmith{}", rng.gen_range(10..99))),
        ("quantity", format!("{}", rng.gen_range(1..50))),
        ("postcode", format!("{}", rng.gen_range(2000..7000))),
        (
            "status",
            ["shipped", "pending", "refunded"]
                .choose(rng)
                .copied()
                .unwrap_or("pending")
                .to_string(),
        ),
        ("checksum", hex(rng, 40)),
        (
            "isbn",
            format!(
                "978-{}-{}-{}-{}",
                rng.gen_range(0..2),
                digits(rng, 3),
                digits(rng, 5),
                rng.gen_range(0..10)
            ),
        ),
    ]
}

fn hex(rng: &mut ChaCha8Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b"0123456789abcdef"[rng.gen_range(0..16)]))
        .collect()
}

/// Generates `records` records (each a row of cells) and about `records / 4` free-text tickets.
pub fn generate(seed: u64, records: usize) -> Vec<Cell> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut cells = Vec::new();
    let mut tickets = Vec::new();
    let mut cell = |field: &str, text: String, kind: Option<&'static str>| {
        let labels = kind
            .map(|k| {
                vec![Label {
                    kind: k,
                    start: 0,
                    end: text.len(),
                }]
            })
            .unwrap_or_default();
        cells.push(Cell {
            field: Some(field.to_string()),
            text,
            labels,
        });
    };
    for r in 0..records {
        let loc = LOCALES[r % LOCALES.len()];
        let rng = &mut rng;
        let (g, s) = (given(rng, loc), surname(rng, loc));
        // Field names vary as they do between systems.
        let pick = |rng: &mut ChaCha8Rng, xs: &[&'static str]| *xs.choose(rng).unwrap_or(&xs[0]);
        match rng.gen_range(0..4) {
            0 => cell(
                pick(
                    rng,
                    &[
                        "full_name",
                        "name",
                        "customer_name",
                        "passenger_name",
                        "guest_name",
                    ],
                ),
                format!("{g} {s}"),
                Some("person_name"),
            ),
            1 => {
                cell(
                    pick(
                        rng,
                        &["first_name", "given_name", "firstName", "vorname", "prenom"],
                    ),
                    g.clone(),
                    Some("person_name"),
                );
                cell(
                    pick(
                        rng,
                        &[
                            "last_name",
                            "surname",
                            "lastName",
                            "nachname",
                            "family_name",
                        ],
                    ),
                    s.clone(),
                    Some("person_name"),
                );
            }
            2 => cell(
                "passenger",
                format!(
                    "{}/{} {}",
                    s.to_uppercase(),
                    g.to_uppercase(),
                    pick(rng, &["MR", "MS", "MRS"])
                ),
                Some("person_name"),
            ),
            _ => cell(
                "contact_name",
                format!("{} {g} {s}", pick(rng, &["Mr", "Ms", "Dr", "Mrs"])),
                Some("person_name"),
            ),
        }
        cell(
            pick(
                rng,
                &[
                    "email",
                    "email_address",
                    "cust_email",
                    "contactEmail",
                    "e_mail",
                ],
            ),
            email(rng, &g, &s),
            Some("email"),
        );
        cell(
            pick(
                rng,
                &[
                    "phone",
                    "mobile",
                    "mobile_number",
                    "tel",
                    "contact_number",
                    "home_phone",
                ],
            ),
            phone(rng, loc),
            Some("phone"),
        );
        let dobf = match loc {
            "DE" => "geburtsdatum",
            "FR" => "date_naissance",
            "BR" => "data_nascimento",
            "JP" => pick(rng, &["生年月日", "dob"]),
            _ => pick(
                rng,
                &[
                    "dob",
                    "date_of_birth",
                    "birth_date",
                    "DateOfBirth",
                    "birthday",
                ],
            ),
        };
        cell(dobf, dob(rng, loc), Some("date_of_birth"));
        cell(
            pick(
                rng,
                &[
                    "address",
                    "street_address",
                    "address_line1",
                    "shipping_address",
                    "home_address",
                ],
            ),
            address(rng, loc),
            Some("street_address"),
        );
        if let Some((f, v)) = national_id(rng, loc) {
            cell(f, v, Some("national_id"));
        }
        if rng.gen_bool(0.5) {
            cell(
                pick(rng, &["card_number", "cc_number", "pan", "credit_card"]),
                card(rng),
                Some("credit_card"),
            );
        }
        if matches!(loc, "DE" | "FR" | "UK" | "BR") || rng.gen_bool(0.1) {
            cell(
                pick(rng, &["iban", "bank_account", "IBAN"]),
                iban(rng, loc),
                Some("iban"),
            );
        }
        if rng.gen_bool(0.6) {
            let (f, _, v) = loyalty(rng);
            cell(f, v, Some("loyalty_number"));
        }
        if rng.gen_bool(0.3) {
            cell(
                pick(rng, &["last_login_ip", "ip_address", "client_ip"]),
                format!(
                    "{}.{}",
                    // Carrier-grade NAT space (RFC 6598): a subscriber's address, yet nobody's
                    // on the internet. Documentation ranges are not reported at all.
                    pick(rng, &["100.64.0", "100.72.13", "100.100.7"]),
                    rng.gen_range(1..255)
                ),
                Some("ip_address"),
            );
        }
        // Hard negatives: a random half of them, in the same row.
        for (f, v) in negatives(rng) {
            if rng.gen_bool(0.5) {
                cell(f, v, None);
            }
        }
        if r % 4 == 0 {
            tickets.push(ticket(rng, loc, &g, &s));
        }
    }
    cells.extend(tickets.into_iter().map(|t| Cell {
        field: None,
        text: t.s,
        labels: t.labels,
    }));
    cells
}

/// A support ticket: sentences with personal data (labelled) and hard negatives, shuffled.
fn ticket(rng: &mut ChaCha8Rng, loc: &str, g: &str, s: &str) -> Text {
    let mut t = Text::default();
    let dear = *["Dear", "Hi", "Hello"].choose(rng).unwrap_or(&"Dear");
    t.lit(dear).lit(" ").pii("person_name", g).lit(",\n");
    let mut parts: Vec<u8> = (0..14).collect();
    parts.shuffle(rng);
    for p in parts.into_iter().take(8) {
        match p {
            0 => {
                t.lit("Name: ")
                    .pii("person_name", &format!("{g} {s}"))
                    .lit("\n");
            }
            1 => {
                let ph = phone(rng, loc);
                let cue = *["call me on", "my mobile is", "Phone:", "ring me at", "tel."]
                    .choose(rng)
                    .unwrap_or(&"Phone:");
                t.lit(cue).lit(" ").pii("phone", &ph).lit(" after 5pm.\n");
            }
            2 => {
                let e = email(rng, g, s);
                t.lit("You can email me at ")
                    .pii("email", &e)
                    .lit(" anytime.\n");
            }
            3 => {
                let d = dob(rng, loc);
                let cue = *[
                    "My date of birth is",
                    "DOB:",
                    "born",
                    "Geburtsdatum:",
                    "date de naissance :",
                ]
                .choose(rng)
                .unwrap_or(&"DOB:");
                t.lit(cue).lit(" ").pii("date_of_birth", &d).lit(".\n");
            }
            4 => {
                t.lit("Order #")
                    .lit(&digits(rng, 9))
                    .lit(" placed on 2024-0")
                    .lit(&rng.gen_range(1..10).to_string())
                    .lit("-1")
                    .lit(&rng.gen_range(0..10).to_string())
                    .lit(" for $")
                    .lit(&format!(
                        "{}.{:02}",
                        rng.gen_range(10..999),
                        rng.gen_range(0..100)
                    ))
                    .lit(" hasn't arrived.\n");
            }
            5 => {
                t.lit("The app (version ")
                    .lit(&format!(
                        "{}.{}.{}",
                        rng.gen_range(1..9),
                        rng.gen_range(0..30),
                        rng.gen_range(0..99)
                    ))
                    .lit(", build 10.0.19045.")
                    .lit(&digits(rng, 4))
                    .lit(") crashed at 14:32:07.\n");
            }
            6 => {
                let (_, cue, v) = loyalty(rng);
                t.lit("My ")
                    .lit(cue)
                    .lit(" is ")
                    .pii("loyalty_number", &v)
                    .lit(", please add the points.\n");
            }
            7 => {
                let a = address(
                    rng,
                    if matches!(loc, "US" | "UK") {
                        loc
                    } else {
                        "AU"
                    },
                );
                t.lit("Please ship to ")
                    .pii("street_address", &a)
                    .lit(" instead.\n");
            }
            8 => {
                t.lit("Tracking 1Z")
                    .lit(&hex(rng, 6).to_uppercase())
                    .lit(&digits(rng, 10))
                    .lit(", ref ")
                    .lit(&format!("{}-{}-{}", hex(rng, 8), hex(rng, 4), hex(rng, 4)))
                    .lit(".\n");
            }
            9 => {
                let c = card(rng);
                t.lit("I paid with card ")
                    .pii("credit_card", &c)
                    .lit(", expiry 0")
                    .lit(&rng.gen_range(1..10).to_string())
                    .lit("/29.\n");
            }
            10 => {
                t.lit("Error log: payment reference ")
                    .lit(&luhn_complete(&format!("5{}", digits(rng, 14))))
                    .lit(&digits(rng, 4))
                    .lit(" failed, retry in 3600 seconds.\n");
            }
            11 => {
                let ip = format!("100.64.51.{}", rng.gen_range(1..255));
                t.lit("Login from ")
                    .pii("ip_address", &ip)
                    .lit(" blocked; firmware v1.2.3.4 on node 10.4.2.1-rc.\n");
            }
            12 => {
                if let Some((f, v)) = national_id(rng, loc) {
                    let cue = match f {
                        "tfn" => "TFN",
                        "medicare_number" => "Medicare number",
                        "ssn" => "SSN",
                        "ni_number" => "NI number",
                        "cpf" => "CPF",
                        _ => "Aadhaar",
                    };
                    t.lit("My ")
                        .lit(cue)
                        .lit(" is ")
                        .pii("national_id", &v)
                        .lit(".\n");
                } else {
                    t.lit("Invoice INV-2024-")
                        .lit(&digits(rng, 5))
                        .lit(" total EUR 1.234,56.\n");
                }
            }
            _ => {
                if matches!(loc, "DE" | "FR" | "UK" | "BR") {
                    let i = iban(rng, loc);
                    t.lit("Refund to IBAN ").pii("iban", &i).lit(" please.\n");
                } else {
                    t.lit("Qty 3 x SKU-")
                        .lit(&digits(rng, 4))
                        .lit("-")
                        .lit(&digits(rng, 4))
                        .lit(" @ $19.99.\n");
                }
            }
        }
    }
    t.lit("Thanks");
    t
}

/// Per-kind counts.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    /// Findings whose kind and span match a label.
    pub tp: usize,
    /// Findings with no matching label.
    pub fp: usize,
    /// Labels no finding matched.
    pub fn_: usize,
}

impl Counts {
    /// TP / (TP + FP); 1 when nothing was reported.
    pub fn precision(&self) -> f64 {
        if self.tp + self.fp == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fp) as f64
        }
    }
    /// TP / (TP + FN); 1 when nothing was labelled.
    pub fn recall(&self) -> f64 {
        if self.tp + self.fn_ == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fn_) as f64
        }
    }
}

/// One wrong or missed finding, for diagnosis.
#[derive(Debug, Clone)]
pub struct Miss {
    /// `FP` or `FN`.
    pub what: &'static str,
    /// Kind involved.
    pub kind: String,
    /// Detector that fired (FP) or `-`.
    pub detector: String,
    /// Field of the cell.
    pub field: Option<String>,
    /// The cell text (fake data).
    pub text: String,
    /// Span in the cell.
    pub span: (usize, usize),
}

/// Scans every cell with `engine` and scores findings at or above `min` against the labels.
pub fn evaluate(
    engine: &piiscan::detect::Engine,
    cells: &[Cell],
    min: piiscan::finding::Confidence,
) -> (std::collections::BTreeMap<String, Counts>, Vec<Miss>) {
    let mut scratch = piiscan::detect::Scratch::default();
    let mut reported = Vec::with_capacity(cells.len());
    for cell in cells {
        let mut hits = Vec::new();
        let text = cell.text.as_bytes();
        engine.scan(
            text,
            cell.field.as_deref(),
            0..text.len(),
            false,
            &mut scratch,
            &mut hits,
        );
        hits.retain(|h| h.confidence >= min);
        reported.push(hits);
    }
    score(engine, cells, &reported)
}

/// Like [`evaluate`], with the scan glue's column classification (`detect::columns`) on top:
/// the whole corpus is one input and each field name one column, so low hits in a column whose
/// values classify it are promoted, exactly as `scan` does. Also returns the column summary.
pub fn evaluate_columns(
    engine: &piiscan::detect::Engine,
    cells: &[Cell],
    min: piiscan::finding::Confidence,
) -> (
    std::collections::BTreeMap<String, Counts>,
    Vec<Miss>,
    Vec<piiscan::detect::columns::ColumnSummary>,
) {
    use piiscan::detect::columns::{Admit, Columns};
    let mut scratch = piiscan::detect::Scratch::default();
    let mut columns: Columns<(usize, piiscan::detect::Hit)> = Columns::new();
    let mut reported = vec![Vec::new(); cells.len()];
    let kind = |h: &piiscan::detect::Hit| engine.specs()[h.detector as usize].kind;
    for (i, cell) in cells.iter().enumerate() {
        let mut hits = Vec::new();
        let text = cell.text.as_bytes();
        let field = cell.field.as_deref();
        engine.scan(text, field, 0..text.len(), false, &mut scratch, &mut hits);
        // As the scan glue does (`scan::FindingSink::finish_cell`): count the value, and scan
        // it again under a header when its column is classified by shape.
        let mut rescan = None;
        if let Some(f) = field {
            columns.observe(f, text, hits.iter().map(|h| (kind(h), h.start..h.end)));
            rescan = columns.rescan(f, text, hits.iter().map(|h| (kind(h), h.start..h.end)));
            if let Some(r) = rescan {
                hits.clear();
                engine.scan(
                    text,
                    Some(r.header),
                    0..text.len(),
                    false,
                    &mut scratch,
                    &mut hits,
                );
            }
        }
        for h in hits {
            let k = kind(&h);
            let admit = match (rescan, field) {
                (Some(r), Some(f)) if r.kind == k => {
                    columns.admit_rescanned(f, k, h.confidence, min)
                }
                _ => columns.admit(field, text, h.start..h.end, k, h.confidence, min),
            };
            match admit {
                Admit::Report(_) => reported[i].push(h),
                Admit::Hold(_) => columns.hold(field.unwrap_or_default(), k, (i, h)),
                Admit::Drop => {}
            }
        }
    }
    let (released, summary) = columns.finish();
    for (i, h) in released {
        reported[i].push(h);
    }
    let (table, misses) = score(engine, cells, &reported);
    (table, misses, summary)
}

/// The corpus with every field renamed to a name that says nothing (`col1`, `col2`, ... one
/// per distinct original name): what the values alone give away.
pub fn anonymise_fields(cells: &[Cell]) -> Vec<Cell> {
    let mut names: std::collections::HashMap<String, usize> = Default::default();
    cells
        .iter()
        .map(|c| {
            let mut c = c.clone();
            if let Some(f) = c.field.take() {
                let n = names.len() + 1;
                let n = *names.entry(f).or_insert(n);
                c.field = Some(format!("col{n}"));
            }
            c
        })
        .collect()
}

/// Scores `reported[i]` (the hits reported for `cells[i]`) against the labels.
fn score(
    engine: &piiscan::detect::Engine,
    cells: &[Cell],
    reported: &[Vec<piiscan::detect::Hit>],
) -> (std::collections::BTreeMap<String, Counts>, Vec<Miss>) {
    let mut table: std::collections::BTreeMap<String, Counts> = std::collections::BTreeMap::new();
    let mut misses = Vec::new();
    for (cell, hits) in cells.iter().zip(reported) {
        let mut matched = vec![false; cell.labels.len()];
        for h in hits {
            let spec = &engine.specs()[h.detector as usize];
            let kind = spec.kind.as_str();
            let found = cell
                .labels
                .iter()
                .position(|l| l.kind == kind && l.start == h.start && l.end == h.end);
            let c = table.entry(kind.to_string()).or_default();
            match found {
                Some(i) if !matched[i] => {
                    matched[i] = true;
                    c.tp += 1;
                }
                _ => {
                    c.fp += 1;
                    misses.push(Miss {
                        what: "FP",
                        kind: kind.to_string(),
                        detector: spec.id.clone(),
                        field: cell.field.clone(),
                        text: cell.text.clone(),
                        span: (h.start, h.end),
                    });
                }
            }
        }
        for (l, m) in cell.labels.iter().zip(&matched) {
            if !m {
                table.entry(l.kind.to_string()).or_default().fn_ += 1;
                misses.push(Miss {
                    what: "FN",
                    kind: l.kind.to_string(),
                    detector: "-".into(),
                    field: cell.field.clone(),
                    text: cell.text.clone(),
                    span: (l.start, l.end),
                });
            }
        }
    }
    (table, misses)
}

/// The engine with the built-in detectors, a fixed "today" (so the corpus' birth dates stay
/// plausible whatever the clock says) and the default region (AU).
pub fn engine() -> piiscan::detect::Engine {
    let specs = piiscan::detect::builtin::load(&[]).expect("built-in pattern files load");
    piiscan::detect::Engine::new(
        specs,
        piiscan::validate::Ctx {
            today: (2026, 6, 1),
            ..piiscan::validate::Ctx::default()
        },
    )
    .expect("engine builds")
}

/// (kind, minimum precision, minimum recall) at the default reporting threshold (medium).
pub const FLOORS: &[(&str, f64, f64)] = &[
    ("credit_card", 0.995, 0.995),
    ("date_of_birth", 0.995, 0.995),
    ("email", 0.995, 0.995),
    ("iban", 0.995, 0.995),
    ("ip_address", 0.995, 0.995),
    ("loyalty_number", 0.995, 0.995),
    ("national_id", 0.995, 0.995),
    ("person_name", 0.995, 0.95),
    ("phone", 0.995, 0.995),
    ("street_address", 0.995, 0.995),
];

/// The table as text: kind, TP, FP, FN, precision, recall.
pub fn render(table: &std::collections::BTreeMap<String, Counts>) -> String {
    let mut out = format!(
        "{:<16} {:>6} {:>6} {:>6} {:>9} {:>7}\n",
        "kind", "TP", "FP", "FN", "precision", "recall"
    );
    for (k, c) in table {
        out.push_str(&format!(
            "{:<16} {:>6} {:>6} {:>6} {:>9.3} {:>7.3}\n",
            k,
            c.tp,
            c.fp,
            c.fn_,
            c.precision(),
            c.recall()
        ));
    }
    out
}

/// Header rows of exports in the 13 languages the pattern files list, as a CSV/TSV header
/// names its columns: (language, locale whose values fill the row, name, email, phone, date
/// of birth, address, passport).
pub const HEADERS: &[(&str, &str, [&str; 6])] = &[
    (
        "en",
        "AU",
        [
            "Full Name",
            "Email Address",
            "Phone Number",
            "Date of Birth",
            "Street Address",
            "Passport No",
        ],
    ),
    (
        "de",
        "DE",
        [
            "Vollständiger Name",
            "E-Mail",
            "Telefonnummer",
            "Geburtsdatum",
            "Anschrift",
            "Reisepassnummer",
        ],
    ),
    (
        "fr",
        "FR",
        [
            "Nom complet",
            "Courriel",
            "Numéro de téléphone",
            "Date de naissance",
            "Adresse",
            "Numéro de passeport",
        ],
    ),
    (
        "es",
        "US",
        [
            "Nombre completo",
            "Correo electrónico",
            "Teléfono",
            "Fecha de nacimiento",
            "Dirección",
            "Número de pasaporte",
        ],
    ),
    (
        "it",
        "UK",
        [
            "Nome completo",
            "Indirizzo email",
            "Cellulare",
            "Data di nascita",
            "Indirizzo",
            "Numero di passaporto",
        ],
    ),
    (
        "pt",
        "BR",
        [
            "Nome completo",
            "E-mail",
            "Telefone",
            "Data de nascimento",
            "Endereço",
            "Passaporte",
        ],
    ),
    (
        "nl",
        "UK",
        [
            "Volledige naam",
            "E-mailadres",
            "Telefoonnummer",
            "Geboortedatum",
            "Adres",
            "Paspoortnummer",
        ],
    ),
    (
        "pl",
        "UK",
        [
            "Imię i nazwisko",
            "Adres e-mail",
            "Numer telefonu",
            "Data urodzenia",
            "Adres",
            "Numer paszportu",
        ],
    ),
    (
        "sv",
        "AU",
        [
            "Fullständigt namn",
            "E-post",
            "Telefonnummer",
            "Födelsedatum",
            "Gatuadress",
            "Passnummer",
        ],
    ),
    (
        "tr",
        "US",
        [
            "Adı Soyadı",
            "E-posta",
            "Cep Telefonu",
            "DOĞUM TARİHİ",
            "Adres",
            "Pasaport No",
        ],
    ),
    (
        "ja",
        "JP",
        [
            "氏名",
            "メールアドレス",
            "電話番号",
            "生年月日",
            "住所",
            "旅券番号",
        ],
    ),
    (
        "zh",
        "AU",
        [
            "姓名",
            "电子邮件",
            "手机号码",
            "出生日期",
            "地址",
            "护照号码",
        ],
    ),
    (
        "ko",
        "US",
        ["이름", "이메일", "전화번호", "생년월일", "주소", "여권번호"],
    ),
];

/// Nested JSON key paths (as the JSON format names a value) that hold personal data, per kind.
const PATHS: &[(&str, &[&str])] = &[
    (
        "person_name",
        &[
            "profile.name.full",
            "customer.name",
            "users[].name",
            "company.contact.name",
            "name.first",
            "order.ship_to_name",
            "invoice.bill_to_name",
        ],
    ),
    (
        "email",
        &[
            "contact.emails[]",
            "profile.email",
            "people[].emails[].value",
        ],
    ),
    (
        "phone",
        &[
            "contact.phones[]",
            "contact.phone_numbers[]",
            "customer.mobile",
            "phones[].number",
        ],
    ),
    (
        "date_of_birth",
        &["profile.dob", "person.birth.date", "customer.date_of_birth"],
    ),
    (
        "street_address",
        &[
            "addresses[].line1",
            "customer.address",
            "shipping.address.street",
        ],
    ),
];

/// Key paths whose `name` is not a person's, with a value a person could be named: a product
/// called after a person, a job, a team.
const NOT_NAMES: &[&str] = &[
    "product.name",
    "jobs.nightly.name",
    "items[].name",
    "company.name",
    "teams[].name",
    "voyage.ship_name",
];

/// Cells as multilingual-header CSV/TSV exports name them (the header text is the field):
/// names, emails, phones, DOBs, addresses and passport numbers under headers in 13 languages.
pub fn generate_headers(seed: u64, records: usize) -> Vec<Cell> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut cells = Vec::new();
    for r in 0..records {
        let (_, loc, h) = HEADERS[r % HEADERS.len()];
        let rng = &mut rng;
        let (g, s) = (given(rng, loc), surname(rng, loc));
        let passport = format!(
            "{}{}{}",
            char::from(b'A' + rng.gen_range(0..26u8)),
            char::from(b'A' + rng.gen_range(0..26u8)),
            digits(rng, 7)
        );
        let values = [
            (format!("{g} {s}"), "person_name"),
            (email(rng, &g, &s), "email"),
            (phone(rng, loc), "phone"),
            (dob(rng, loc), "date_of_birth"),
            (address(rng, loc), "street_address"),
            (passport, "passport_number"),
        ];
        for (field, (text, kind)) in h.iter().zip(values) {
            cells.push(whole(field, text, kind));
        }
    }
    cells
}

/// Cells as a nested JSON export names them (key paths with parents, plurals and arrays), and
/// person-like values under keys that are not a person's name (hard negatives).
pub fn generate_paths(seed: u64, records: usize) -> Vec<Cell> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut cells = Vec::new();
    for r in 0..records {
        let loc = LOCALES[r % LOCALES.len()];
        let rng = &mut rng;
        let (g, s) = (given(rng, loc), surname(rng, loc));
        for &(kind, paths) in PATHS {
            let field = paths.choose(rng).copied().unwrap_or(paths[0]);
            let text = match kind {
                "person_name" if field == "name.first" => g.clone(),
                "person_name" => format!("{g} {s}"),
                "email" => email(rng, &g, &s),
                "phone" => phone(rng, loc),
                "date_of_birth" => dob(rng, loc),
                _ => address(rng, loc),
            };
            cells.push(whole(field, text, kind));
        }
        let field = NOT_NAMES.choose(rng).copied().unwrap_or(NOT_NAMES[0]);
        cells.push(Cell {
            field: Some(field.to_string()),
            text: format!("{} {}", given(rng, loc), surname(rng, loc)),
            labels: Vec::new(),
        });
    }
    cells
}

/// A cell whose whole text is one labelled value.
fn whole(field: &str, text: String, kind: &'static str) -> Cell {
    Cell {
        field: Some(field.to_string()),
        labels: vec![Label {
            kind,
            start: 0,
            end: text.len(),
        }],
        text,
    }
}

/// Cities of many countries: a headerless column of them is not a column of names, though
/// some are given names or surnames too (`Sydney`, `Austin`, `Jackson`, `Paris`).
const CITIES: &[&str] = &[
    "Sydney",
    "Melbourne",
    "Austin",
    "Houston",
    "Dallas",
    "Denver",
    "Jackson",
    "Charlotte",
    "Madrid",
    "Paris",
    "London",
    "Boston",
    "Lyon",
    "Hamburg",
    "München",
    "São Paulo",
    "Recife",
    "Mumbai",
    "Pune",
    "Osaka",
    "Sapporo",
    "Leeds",
    "Glasgow",
    "Auckland",
    "Toronto",
    "Montréal",
    "Kraków",
    "Göteborg",
    "İzmir",
    "Busan",
    "Chennai",
    "Marseille",
    "Nantes",
    "Porto",
    "Bologna",
    "Utrecht",
    "Phoenix",
    "Orlando",
    "Florence",
    "Victoria",
];
/// Product names, some named after people (`Harper Linen Sofa`).
const PRODUCTS: &[&str] = &[
    "Aurora Desk Lamp",
    "Harper Linen Sofa",
    "USB-C Cable 2m",
    "Oak Dining Table",
    "Nordic Wool Throw",
    "Espresso Cups (set of 4)",
    "Jane Smith Signature Edition",
    "Trail Running Shoe",
    "Matilda Kids Bike",
    "Solar Garden Light",
    "Ceramic Vase Large",
    "Wireless Mouse M2",
];
/// Company names and job titles: capitalised words that are not a person's name.
const ORGS: &[&str] = &[
    "Acme Pty Ltd",
    "Globex Corporation",
    "Initech LLC",
    "Example GmbH",
    "Umbrella Holdings",
    "Northwind Traders",
    "Contoso Ltd",
    "Fabrikam Inc",
    "Senior Engineer",
    "Account Manager",
    "Head of Sales",
    "Registered Nurse",
];
/// Names of people from locales the name generator above does not draw from (the name
/// dictionaries may or may not hold them: recall on them is what an unseen export gives).
const OTHER_NAMES: &[&str] = &[
    "Chukwuemeka Okafor",
    "Nguyen Van An",
    "Aleksandra Kowalska",
    "Mehmet Yılmaz",
    "Siobhán Kelly",
    "Olumide Adeyemi",
    "Priya Raghunathan",
    "Lars Øberg",
    "Wei Zhang",
    "Fatima Al-Sayed",
    "Kofi Mensah",
    "Ingrid Johansson",
    "Dmitri Volkov",
    "Ana Lucía Pérez",
    "Tamar Cohen",
    "Hiroshi Tanaka",
];

/// A headerless export (every field `column N`, as a CSV without a header row presents it):
/// columns of names, dates of birth and addresses (labelled) beside hard negatives: order
/// dates over ten years, timestamps, release dates, expiry dates, cities, product names,
/// companies and job titles. Names of other locales form one labelled column of their own.
pub fn generate_headerless(seed: u64, records: usize) -> Vec<Cell> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x4845_4144);
    let mut cells = Vec::new();
    let col = |k: usize| format!("column {k}");
    for r in 0..records {
        let loc = LOCALES[r % LOCALES.len()];
        let rng = &mut rng;
        let (g, s) = (given(rng, loc), surname(rng, loc));
        cells.push(whole(&col(1), format!("{g} {s}"), "person_name"));
        cells.push(whole(&col(2), dob(rng, loc), "date_of_birth"));
        cells.push(whole(&col(3), address(rng, loc), "street_address"));
        let pick =
            |rng: &mut ChaCha8Rng, xs: &[&'static str]| xs.choose(rng).copied().unwrap_or(xs[0]);
        let other = pick(rng, OTHER_NAMES).to_string();
        cells.push(whole(&col(4), other, "person_name"));
        let negatives = [
            format!(
                "{:02}/{:02}/{}",
                rng.gen_range(1..29),
                rng.gen_range(1..13),
                rng.gen_range(2015..2026)
            ),
            format!(
                "{}-{:02}-{:02} {:02}:{:02}:{:02}",
                rng.gen_range(2019..2026),
                rng.gen_range(1..13),
                rng.gen_range(1..29),
                rng.gen_range(0..24),
                rng.gen_range(0..60),
                rng.gen_range(1..60)
            ),
            format!(
                "{}-{:02}-{:02}",
                rng.gen_range(2000..2025),
                rng.gen_range(1..13),
                rng.gen_range(1..29)
            ),
            format!("{:02}/{}", rng.gen_range(1..13), rng.gen_range(2027..2032)),
            pick(rng, CITIES).to_string(),
            pick(rng, PRODUCTS).to_string(),
            pick(rng, ORGS).to_string(),
        ];
        for (k, text) in negatives.into_iter().enumerate() {
            cells.push(Cell {
                field: Some(col(5 + k)),
                text,
                labels: Vec::new(),
            });
        }
    }
    cells
}
