//! Per-input memo of what findings share: an input's field names, one shared copy each.
//!
//! Fingerprints and masks are not memoised per distinct value. A per-input memo of them (two
//! hash tables keyed by kind and value, bounded at 16 Ki values each) saved callgrind
//! instructions, where SHA-256 runs its portable code (~10,000 instructions an HMAC), but made
//! the native scan slower: with the CPU's SHA extensions an HMAC is ~0.2 µs, and on dense
//! exports (67% distinct values per input) the memo mostly missed, paying two lookups and a key
//! copy per value (c100, `-j1`, interleaved runs: `docs/performance.md`, "Per-finding path").

use std::sync::Arc;

/// Field names cached at most (see [`Interned`]).
pub const INTERNED_NAMES: usize = 4096;

/// An input's field names, one shared `Arc<str>` each, so that its findings share a name
/// instead of allocating one per cell with hits; a spool segment then names each field by
/// pointer ([`crate::scan::spool`]). Bounded by [`INTERNED_NAMES`]: an input with more names
/// (a JSON map keyed by ids) gets a fresh copy for the rest.
#[derive(Debug, Default)]
pub struct Interned {
    names: foldhash::HashMap<Box<str>, Arc<str>>,
    /// The names returned most recently, compared before hashing: a row's cells with hits
    /// take turns among a few columns, and comparing a short name is cheaper than hashing it.
    recent: Vec<Arc<str>>,
    next: usize,
}

/// Names [`Interned`] compares before hashing.
const RECENT: usize = 8;

impl Interned {
    /// The shared copy of `name`.
    pub fn get(&mut self, name: &str) -> Arc<str> {
        if let Some(n) = self.recent.iter().find(|n| ***n == *name) {
            return n.clone();
        }
        let n = match self.names.get(name) {
            Some(n) => n.clone(),
            None => {
                let n: Arc<str> = Arc::from(name);
                if self.names.len() < INTERNED_NAMES {
                    self.names.insert(Box::from(name), n.clone());
                }
                n
            }
        };
        if self.recent.len() < RECENT {
            self.recent.push(n.clone());
        } else {
            self.recent[self.next] = n.clone();
            self.next = (self.next + 1) % RECENT;
        }
        n
    }
}

#[cfg(test)]
mod tests {
    // Named, not `super::*`: docs/check-imports.py reads `super` as the scan module, which
    // imports this one.
    use crate::scan::memo::{INTERNED_NAMES, Interned};
    use std::sync::Arc;

    #[test]
    fn interned_names_are_shared_and_bounded() {
        let mut i = Interned::default();
        let a = i.get("email");
        assert!(Arc::ptr_eq(&a, &i.get("email")));
        assert_eq!(&*i.get("phone"), "phone");
        for n in 0..2 * INTERNED_NAMES {
            assert_eq!(&*i.get(&n.to_string()), n.to_string());
        }
        assert!(i.names.len() <= INTERNED_NAMES);
        assert!(Arc::ptr_eq(&a, &i.get("email")));
        // From the recent ones, too: the same copy, and the right name.
        let b = i.get("phone");
        for _ in 0..3 {
            assert!(Arc::ptr_eq(&a, &i.get("email")));
            assert!(Arc::ptr_eq(&b, &i.get("phone")));
            assert_eq!(&*i.get("phon"), "phon");
            assert_eq!(&*i.get(""), "");
        }
    }
}
