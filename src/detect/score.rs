//! Confidence: one pure function from evidence to `high|medium|low` (or no finding at all).
//!
//! Levels are counted as Low = 0, Medium = 1, High = 2, starting from the pattern's `base`
//! (the confidence of a regex + validator match with nothing else known):
//!
//! | evidence                                   | effect                          |
//! |--------------------------------------------|---------------------------------|
//! | validator says the value is of a weak form | −1, unless a header or context supports it |
//! | field name matches the pattern's `headers` | +1                              |
//! | context word within the window             | +1, unless negative context applies |
//! | negative context (order, invoice, sku, …)  | −2, unless the field name says otherwise |
//!
//! The result is capped at High; below Low there is no finding. Detectors that must not fire
//! without evidence (dates of birth, loyalty numbers) say so with `require` instead, which the
//! engine checks before it even runs the regex.

use crate::finding::Confidence;

/// What the engine learned about one candidate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Evidence {
    /// The validator accepted a weak form of the value.
    pub weak: bool,
    /// The cell's field name matches the detector's headers.
    pub header: bool,
    /// A context word is near.
    pub context: bool,
    /// A negative-context word is near (or in the field name).
    pub negative: bool,
}

/// The confidence of a candidate with `base` confidence and `ev` evidence, or `None` if the
/// evidence vetoes it.
pub fn confidence(base: Confidence, ev: Evidence) -> Option<Confidence> {
    let mut level = base as i32;
    if ev.weak && !ev.header && !ev.context {
        level -= 1;
    }
    if ev.header {
        level += 1;
    }
    // A negative word right before the value says what it is ("booking ref 1928…"): it
    // cancels supporting context rather than merely offsetting it.
    if ev.context && (!ev.negative || ev.header) {
        level += 1;
    }
    if ev.negative && !ev.header {
        level -= 2;
    }
    match level {
        i32::MIN..=-1 => None,
        0 => Some(Confidence::Low),
        1 => Some(Confidence::Medium),
        _ => Some(Confidence::High),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Confidence::*;

    #[test]
    fn table() {
        let ev = |weak, header, context, negative| Evidence {
            weak,
            header,
            context,
            negative,
        };
        for (base, e, want) in [
            (Medium, ev(false, false, false, false), Some(Medium)),
            (Medium, ev(true, false, false, false), Some(Low)),
            (Medium, ev(true, true, false, false), Some(High)),
            (Medium, ev(true, false, true, false), Some(High)),
            (Medium, ev(false, false, false, true), None),
            (High, ev(false, false, false, true), Some(Low)),
            (Medium, ev(false, true, false, true), Some(High)),
            (Low, ev(false, false, true, false), Some(Medium)),
            (High, ev(false, true, true, false), Some(High)),
            (Low, ev(true, false, false, false), None),
            (Medium, ev(false, false, true, true), None),
            (High, ev(false, false, true, true), Some(Low)),
        ] {
            assert_eq!(confidence(base, e), want, "{base:?} {e:?}");
        }
    }
}
