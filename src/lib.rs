//! piiscan library root.
pub mod decode;
pub mod detect;
pub mod finding;
pub mod formats;
pub mod report;
pub mod scan;
pub mod validate;
pub mod walk;
