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

include!(concat!(env!("OUT_DIR"), "/phone_meta.rs"));

/// `DATABASE.region(&code)`.
pub fn region(code: u16) -> Option<&'static [&'static str]> {
    let i = REGIONS.binary_search_by_key(&code, |r| r.0).ok()?;
    Some(REGIONS[i].1)
}

/// `DATABASE.by_code(&code)`'s first record.
pub fn by_code_first(code: u16) -> Option<&'static Meta> {
    let i = BY_CODE.binary_search_by_key(&code, |r| r.0).ok()?;
    BY_CODE[i].1.first().map(|&m| &METAS[m])
}

/// `DATABASE.by_id(id)` for a region id (not `001`).
pub fn by_id(id: &str) -> Option<&'static Meta> {
    let i = BY_ID.binary_search_by(|r| r.0.cmp(id)).ok()?;
    Some(&METAS[BY_ID[i].1])
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
            for id in DATABASE.region(&code).unwrap_or_default() {
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
        assert!(by_id("XX").is_none() && by_id("001").is_none());
        // The database was not empty.
        assert!(codes > 200 && ids > 200, "{codes} codes, {ids} ids");
    }
}
