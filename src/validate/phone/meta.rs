//! The part of libphonenumber's metadata the phone validator reads, as static tables written
//! by `build.rs` from the `phonenumber` crate's own database.
//!
//! Why not the crate's database: it is built on first use, and building it parses each of its
//! metadata regexes to check their syntax. Every run that met a phone candidate waited for
//! that (a one-line file holding a phone number took 0.15 s against 0.05 s for one without),
//! and a pre-commit run is exactly such a run. The tables hold the same
//! strings and numbers, compiled into the binary; the crate's database is still loaded, on
//! first use, for the rare inputs [`super::fast`] leaves to the crate. A test checks every
//! table against the crate's database.

/// A number-type descriptor (`phonenumber::metadata::Descriptor`).
#[derive(Debug)]
pub struct Desc {
    /// The national-number pattern's source (`national_number().as_str()`).
    pub pattern: &'static str,
    /// `possible_length()`.
    pub lengths: &'static [u16],
    /// `possible_local_length()`.
    pub local: &'static [u16],
    /// `example()` (read by the tests only: the prefix-DFA test tries each region's examples).
    #[cfg_attr(not(test), allow(dead_code))]
    pub example: Option<&'static str>,
}

/// One region's (or non-geographic entity's) metadata (`phonenumber::metadata::Metadata`).
#[derive(Debug)]
pub struct Meta {
    /// `id()`: the region, or `001` for a non-geographic entity (read by the tests only).
    #[cfg_attr(not(test), allow(dead_code))]
    pub id: &'static str,
    /// `country_code()`.
    pub country_code: u16,
    /// `international_prefix()`'s source.
    pub international_prefix: Option<&'static str>,
    /// `national_prefix()`.
    pub national_prefix: Option<&'static str>,
    /// `national_prefix_for_parsing()`'s source.
    pub national_prefix_for_parsing: Option<&'static str>,
    /// `national_prefix_transform_rule()`.
    pub national_prefix_transform_rule: Option<&'static str>,
    /// `leading_digits()`'s source.
    pub leading_digits: Option<&'static str>,
    /// `descriptors().general()`.
    pub general: Desc,
    /// The type descriptors in the order `validator::number_type` tries them: premium rate,
    /// toll free, shared cost, VoIP, personal number, pager, UAN, voicemail, fixed line, mobile.
    pub types: [Option<Desc>; 10],
}

/// A row of `REGIONS`: a country code, its region ids in the crate's order, and each region's
/// index into `METAS` (see [`region_records`]).
type RegionRow = (u16, &'static [&'static str], &'static [Option<usize>]);

include!(concat!(env!("OUT_DIR"), "/phone_meta.rs"));

/// `DATABASE.region(&code)` (read by the tests; the validator reads [`region_records`]).
#[cfg(test)]
pub fn region(code: u16) -> Option<&'static [&'static str]> {
    let i = REGIONS.binary_search_by_key(&code, |r| r.0).ok()?;
    Some(REGIONS[i].1)
}

/// The record of each region of `DATABASE.region(&code)`, in the same order: [`by_id`] of the
/// region, or for `001` (non-geographic: reached by code) [`by_code_first`]`(code)`.
///
/// Why a table: a `+1` number is matched against up to 25 regions, and looking each one up by
/// its id (a binary search over strings) was a third of the phone validator's own time.
pub fn region_records(code: u16) -> Option<impl ExactSizeIterator<Item = Option<&'static Meta>>> {
    let i = REGIONS.binary_search_by_key(&code, |r| r.0).ok()?;
    Some(REGIONS[i].2.iter().map(|m| m.map(|m| &METAS[m])))
}

/// `DATABASE.by_code(&code)`'s first record.
pub fn by_code_first(code: u16) -> Option<&'static Meta> {
    let i = BY_CODE.binary_search_by_key(&code, |r| r.0).ok()?;
    BY_CODE[i].1.first().map(|&m| &METAS[m])
}

/// `DATABASE.by_id(id)` for a region id (not `001`).
pub fn by_id(id: &str) -> Option<&'static Meta> {
    let i = match *id.as_bytes() {
        [a @ b'A'..=b'Z', b @ b'A'..=b'Z'] => usize::from(a - b'A') * 26 + usize::from(b - b'A'),
        _ => return None,
    };
    BY_ID[i].map(|m| &METAS[m])
}

#[cfg(test)]
mod tests {
    use super::*;
    use phonenumber::metadata::{DATABASE, Descriptor, Metadata};

    fn same_desc(ours: &Desc, theirs: &Descriptor) -> bool {
        ours.pattern == theirs.national_number().as_str()
            && ours.lengths == theirs.possible_length()
            && ours.local == theirs.possible_local_length()
            && ours.example == theirs.example()
    }

    fn same(ours: &Meta, theirs: &Metadata) -> bool {
        use phonenumber::Type::*;
        let d = theirs.descriptors();
        // The order `validator::number_type` tries the types in, stated again on purpose: a
        // table written in another order must fail here.
        let types = [
            PremiumRate,
            TollFree,
            SharedCost,
            Voip,
            PersonalNumber,
            Pager,
            Uan,
            Voicemail,
            FixedLine,
            Mobile,
        ]
        .map(|t| d.get(t));
        ours.id == theirs.id()
            && ours.country_code == theirs.country_code()
            && ours.international_prefix == theirs.international_prefix().map(|r| r.as_str())
            && ours.national_prefix == theirs.national_prefix()
            && ours.national_prefix_for_parsing
                == theirs.national_prefix_for_parsing().map(|r| r.as_str())
            && ours.national_prefix_transform_rule == theirs.national_prefix_transform_rule()
            && ours.leading_digits == theirs.leading_digits().map(|r| r.as_str())
            && same_desc(&ours.general, d.general())
            && ours.types.iter().zip(types).all(|(o, t)| match (o, t) {
                (Some(o), Some(t)) => same_desc(o, t),
                (None, None) => true,
                _ => false,
            })
    }

    /// Every lookup the validator makes answers as the crate's database does, field for field.
    #[test]
    fn tables_match_the_crates_database() {
        let (mut codes, mut ids) = (0, 0);
        for code in 0..1000u16 {
            assert_eq!(region(code), DATABASE.region(&code).as_deref(), "{code}");
            let theirs = DATABASE.by_code(&code);
            assert_eq!(BY_CODE.iter().any(|r| r.0 == code), theirs.is_some());
            let first = theirs.and_then(|v| v.into_iter().next());
            match (by_code_first(code), first) {
                (Some(o), Some(t)) => assert!(same(o, t), "+{code}"),
                (None, None) => {}
                (o, t) => panic!("+{code}: {o:?} against {:?}", t.map(|t| t.id())),
            }
            codes += usize::from(first.is_some());
            let regions = DATABASE.region(&code).unwrap_or_default();
            let records: Vec<_> = region_records(code).into_iter().flatten().collect();
            assert_eq!(records.len(), regions.len(), "+{code}");
            for (id, record) in regions.iter().zip(&records) {
                let want = match *id {
                    // `fast::source_meta` reads a lone `001` by code; `001` among other regions
                    // would be read by id (and fail): the table relies on that never happening.
                    "001" => {
                        assert_eq!(regions.len(), 1, "+{code}: 001 among other regions");
                        by_code_first(code)
                    }
                    id => by_id(id),
                };
                assert!(
                    matches!((record, want), (Some(a), Some(b)) if std::ptr::eq(*a, b)),
                    "+{code} {id}"
                );
            }
            for id in regions {
                if id == "001" {
                    continue;
                }
                let (Some(o), Some(t)) = (by_id(id), DATABASE.by_id(id)) else {
                    panic!("{id}: missing");
                };
                assert!(same(o, t), "{id}");
                ids += 1;
            }
        }
        for id in ["XX", "001", "us", "U", "USA", ""] {
            assert!(by_id(id).is_none(), "{id}");
        }
        // Every id the table answers is one the crate knows (the loop above checked the converse).
        let known = (b'A'..=b'Z')
            .flat_map(|a| (b'A'..=b'Z').map(move |b| String::from_utf8(vec![a, b])))
            .flatten()
            .filter(|id| by_id(id).is_some());
        for id in known {
            assert!(DATABASE.by_id(&id).is_some(), "{id}");
        }
        // The database was not empty.
        assert!(codes > 200 && ids > 200, "{codes} codes, {ids} ids");
    }
}
