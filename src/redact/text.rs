//! Plain text, logs and key/value text: each value is replaced where it stands.
//!
//! There is no column or key to remove, so `drop` and `null` both remove the value itself.
//! Replacements never contain a line break the value did not have (see
//! [`super::action::sanitise`]), so the copy has the source's lines and line endings.

use super::{Analysis, Edit};

/// Splices of every value's replacement.
pub fn edits(an: &Analysis) -> Vec<Edit> {
    an.values.iter().map(super::Value::edit).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Kind;
    use crate::redact::{Action, Value, apply};

    #[test]
    fn values_are_replaced_in_place() {
        let text = b"call 0412 345 678 now\r\nbye\r\n";
        let an = Analysis {
            values: vec![Value {
                start: 5,
                end: 17,
                cell: (0, text.len()),
                kind: Kind::Phone,
                field: None,
                action: Action::Mask,
                replacement: "**** **5 678".into(),
            }],
            ..Analysis::default()
        };
        assert_eq!(apply(text, edits(&an)), b"call **** **5 678 now\r\nbye\r\n");
    }
}
