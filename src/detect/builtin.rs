//! The pattern files compiled into the binary, and loading extra pattern directories.

use std::collections::BTreeMap;
use std::path::Path;

use super::spec::{Spec, SpecError};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/builtin.rs"));
}

/// Embedded word lists from `patterns/dict/`: (stem, contents).
pub use embedded::DICTS;
/// Embedded pattern files from `patterns/`: (stem, contents).
pub use embedded::PATTERNS;

/// Loads the built-in detectors, then each directory's `*.toml` (a file whose stem equals a
/// built-in id replaces it). Sorted by id.
pub fn load(extra_dirs: &[&Path]) -> Result<Vec<Spec>, SpecError> {
    let mut specs = BTreeMap::new();
    for (stem, text) in PATTERNS {
        let origin = format!("builtin:patterns/{stem}.toml");
        specs.insert(stem.to_string(), Spec::from_toml(&origin, stem, text)?);
    }
    for dir in extra_dirs {
        let rd = std::fs::read_dir(dir).map_err(|source| SpecError::Io {
            file: dir.display().to_string(),
            source,
        })?;
        let mut paths: Vec<_> = rd
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().and_then(|s| s.to_str()) == Some("toml"))
            .collect();
        paths.sort();
        for p in paths {
            let spec = Spec::from_path(&p)?;
            specs.insert(spec.id.clone(), spec);
        }
    }
    Ok(specs.into_values().collect())
}

/// The built-in detectors with a fixed "today" (2026-11-25), for tests whose dates of birth
/// must not age out.
#[cfg(test)]
pub(crate) fn test_engine() -> super::Engine {
    let specs = load(&[]).unwrap();
    assert!(!specs.is_empty());
    let ctx = crate::validate::Ctx {
        today: (2026, 11, 25),
        ..crate::validate::Ctx::default()
    };
    super::Engine::new(specs, ctx).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::Scratch;
    use crate::finding::Confidence;

    /// Every pattern file's own `[[test]]` examples: the detector must report exactly the
    /// expected confidence for a span of the text (or nothing for `none`).
    #[test]
    fn pattern_file_examples() {
        let engine = test_engine();
        let mut scratch = Scratch::default();
        let mut failures = Vec::new();
        let mut count = 0;
        for (i, spec) in engine.specs().iter().enumerate() {
            for (text, field, expect) in &spec.tests {
                count += 1;
                let mut hits = Vec::new();
                engine.scan(
                    text.as_bytes(),
                    field.as_deref(),
                    0..text.len(),
                    true,
                    &mut scratch,
                    &mut hits,
                );
                let got: Option<Confidence> = hits
                    .iter()
                    .filter(|h| h.detector as usize == i)
                    .map(|h| h.confidence)
                    .max();
                if got != *expect {
                    let others: Vec<_> = hits
                        .iter()
                        .map(|h| {
                            format!(
                                "{}:{}",
                                engine.specs()[h.detector as usize].id,
                                h.confidence
                            )
                        })
                        .collect();
                    failures.push(format!(
                        "{}: {text:?} (field {field:?}) expected {expect:?}, got {got:?}; all hits {others:?}; explain {:?}",
                        spec.origin,
                        hits.first().and_then(|h| h.explain.clone())
                    ));
                }
            }
        }
        assert!(count >= 20, "too few pattern examples: {count}");
        assert!(
            failures.is_empty(),
            "{} failing examples:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
}
