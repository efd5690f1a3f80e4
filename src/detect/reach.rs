//! How far from its digit cluster a digit pattern's match can reach, proven from the pattern.
//!
//! The engine searches a digit detector's combined automaton in a window around each digit
//! cluster (digit runs joined by at most two of ` -./()`): [`LEFT`](super::engine::LEFT)
//! bytes to the left, the automaton's longest match to the right. Most of those bytes are
//! wasted for a pattern whose matches never leave their cluster — a phone number is digits and
//! single separators, plus a leading `+` or `(`. For such a pattern, every match that overlaps
//! a cluster lies within `left` bytes before the cluster's first digit and `right` bytes after
//! its last, and searching just that span reports the same detectors.
//!
//! [`reach`] proves this by walking the pattern's Thompson NFA (every path a match can take)
//! together with a small monitor of what the path has read: bytes before the first digit, then
//! whether the gap since the last digit would end a cluster (a byte that is not a joiner, or a
//! third joiner in a row) — a digit after such a gap means a match can span two clusters, and
//! the pattern gets no reach. Look-around assertions only narrow the paths, so they are
//! stepped over, which keeps the answer on the safe side.

use std::collections::{HashSet, VecDeque};

use regex_automata::nfa::thompson::{NFA, State};
use regex_automata::util::primitives::StateID;

/// Longest prefix before the first digit (and suffix after the last) worth proving; a pattern
/// needing more gets no reach.
const CAP: usize = 8;

/// The joiners of a digit cluster (see `engine::cluster`).
const JOINERS: &[u8] = b" -./()";

/// What a path has read so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Seen {
    /// `n` bytes, none a digit.
    Before(u8),
    /// The first digit came after `lead` bytes; `tail` bytes since the last digit, of which
    /// `joiners` trailing joiners, and `broken` when the gap would end a cluster.
    After {
        lead: u8,
        tail: u8,
        joiners: u8,
        broken: bool,
    },
}

/// Byte classes that matter to a cluster.
#[derive(Clone, Copy)]
enum Class {
    Digit,
    Joiner,
    Other,
}

/// `(left, right)` for `nfa` (anchored at the match start): every match has at most `left`
/// bytes before its first digit and `right` after its last, and all its digits lie in one
/// cluster. `None` when that cannot be shown within `CAP` bytes (or a match can hold no digit).
pub fn reach(nfa: &NFA) -> Option<(usize, usize)> {
    let start = (nfa.start_anchored(), Seen::Before(0));
    let mut seen: HashSet<(StateID, Seen)> = HashSet::from([start]);
    let mut queue = VecDeque::from([start]);
    let (mut left, mut right) = (0usize, 0usize);
    while let Some((sid, at)) = queue.pop_front() {
        let mut push = |next: StateID, at: Seen| {
            if seen.insert((next, at)) {
                queue.push_back((next, at));
            }
        };
        match nfa.state(sid) {
            State::ByteRange { trans } => {
                for class in classes(trans.start, trans.end) {
                    push(trans.next, step(at, class)?);
                }
            }
            State::Sparse(sparse) => {
                for t in sparse.transitions.iter() {
                    for class in classes(t.start, t.end) {
                        push(t.next, step(at, class)?);
                    }
                }
            }
            State::Dense(dense) => {
                for (b, &next) in dense.transitions.iter().enumerate() {
                    if next != StateID::ZERO {
                        let b = b as u8;
                        for class in classes(b, b) {
                            push(next, step(at, class)?);
                        }
                    }
                }
            }
            State::Look { next, .. } => push(*next, at),
            State::Capture { next, .. } => push(*next, at),
            State::Union { alternates } => {
                for &next in alternates.iter() {
                    push(next, at);
                }
            }
            State::BinaryUnion { alt1, alt2 } => {
                push(*alt1, at);
                push(*alt2, at);
            }
            State::Fail => {}
            State::Match { .. } => match at {
                Seen::Before(_) => return None,
                Seen::After { lead, tail, .. } => {
                    left = left.max(usize::from(lead));
                    right = right.max(usize::from(tail));
                }
            },
        }
    }
    Some((left, right))
}

/// The classes present in the byte range `lo..=hi`.
fn classes(lo: u8, hi: u8) -> impl Iterator<Item = Class> {
    let digit = lo <= b'9' && hi >= b'0';
    let joiner = JOINERS.iter().any(|&j| (lo..=hi).contains(&j));
    // Anything in the range that is neither a digit nor a joiner.
    let other = (lo..=hi).any(|b| !b.is_ascii_digit() && !JOINERS.contains(&b));
    [
        (digit, Class::Digit),
        (joiner, Class::Joiner),
        (other, Class::Other),
    ]
    .into_iter()
    .filter_map(|(present, c)| present.then_some(c))
}

/// `at` after one more byte of `class`; `None` when the path leaves what can be proven.
fn step(at: Seen, class: Class) -> Option<Seen> {
    let cap = CAP as u8;
    Some(match (at, class) {
        (Seen::Before(n), Class::Digit) => Seen::After {
            lead: n,
            tail: 0,
            joiners: 0,
            broken: false,
        },
        (Seen::Before(n), _) => Seen::Before(if n < cap { n + 1 } else { return None }),
        (Seen::After { broken: true, .. }, Class::Digit) => return None,
        (Seen::After { lead, .. }, Class::Digit) => Seen::After {
            lead,
            tail: 0,
            joiners: 0,
            broken: false,
        },
        (
            Seen::After {
                lead,
                tail,
                joiners,
                broken,
            },
            class,
        ) => {
            if tail >= cap {
                return None;
            }
            let joiners = match class {
                Class::Joiner => joiners + 1,
                _ => joiners,
            };
            Seen::After {
                lead,
                tail: tail + 1,
                joiners,
                broken: broken || matches!(class, Class::Other) || joiners > 2,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(src: &str) -> Option<(usize, usize)> {
        let nfa = NFA::compiler()
            .syntax(crate::detect::compile::set_syntax())
            .build(src)
            .unwrap_or_else(|e| panic!("{src}: {e}"));
        reach(&nfa)
    }

    #[test]
    fn digits_and_joiners_stay_in_their_cluster() {
        assert_eq!(
            of(r"(?-u:\b)[0-9]{3}-[0-9]{2}-[0-9]{4}(?-u:\b)"),
            Some((0, 0))
        );
        assert_eq!(of(r"\+[0-9]{2} [0-9]{3}"), Some((1, 0)));
        assert_eq!(of(r"\(0[0-9]\) [0-9]{4}"), Some((1, 0)));
        assert_eq!(of(r"[0-9]{4}\)?"), Some((0, 1)));
        assert_eq!(of(r"(?:ab)?[0-9]{4}"), Some((2, 0)));
        // Two joiners still join; a third, or any other byte, ends the cluster.
        assert_eq!(of(r"[0-9]{2}\) [0-9]{2}"), Some((0, 0)));
        assert_eq!(of(r"[0-9]{2}   [0-9]{2}"), None);
        assert_eq!(of(r"[0-9]{2}x[0-9]{2}"), None);
        assert_eq!(of(r"[0-9]{2}[ x][0-9]{2}"), None);
        // Letters before the digits beyond the cap, unbounded tails, digit-free matches.
        assert_eq!(of(r"[A-Z]{2}[0-9]{2} [A-Z]{4}"), Some((2, 5)));
        assert_eq!(of(r"[A-Z]{9}[0-9]{2}"), None);
        assert_eq!(of(r"[0-9]{2}[a-z]+"), None);
        assert_eq!(of(r"[a-z]+"), None);
    }

    #[test]
    fn the_phone_pattern_reaches_one_byte_left() {
        let specs = crate::detect::builtin::load(&[]).unwrap_or_default();
        let phone = specs.iter().find(|s| s.id == "phone");
        let src = phone.map(|s| s.regex_src.clone()).unwrap_or_default();
        assert_eq!(of(&src), Some((1, 0)), "{src}");
        let iban = specs.iter().find(|s| s.id == "iban");
        let src = iban.map(|s| s.regex_src.clone()).unwrap_or_default();
        assert_eq!(of(&src), None, "{src}");
    }
}
