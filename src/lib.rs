//! piiscan library root.
pub mod detect;
pub mod finding;
pub mod validate;
