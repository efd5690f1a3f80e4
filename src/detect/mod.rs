//! Detection: pattern files (`spec`), their capture groups on ASCII matches (`ascii`), the candidate-driven engine (`engine`), what a field's
//! name says (`fields`), the confidence function (`score`), and column classification by values
//! (`columns`). Formats never see this module, and it never sees formats: the scan glue hands
//! it cells.

pub mod ascii;
pub mod builtin;
pub mod columns;
pub mod compile;
pub mod engine;
pub(crate) mod fields;
pub mod keywords;
pub mod names;
pub mod placeholder;
pub mod reach;
pub mod score;
pub mod spec;

pub use engine::{Engine, Hit, Scratch};
pub use spec::{Spec, SpecError};
