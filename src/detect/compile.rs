//! What building the detector automata shares: the build error and the regex syntax every
//! combined automaton uses. Below the engine and the keyword index, which both build automata.

use thiserror::Error;

/// The engine could not be built from the given specs.
#[derive(Debug, Error)]
pub enum EngineError {
    /// Building the keyword automaton failed.
    #[error("building keyword automaton: {0}")]
    Automaton(#[from] aho_corasick::BuildError),
    /// Two specs share an id.
    #[error("two pattern files define detector {0:?}")]
    DuplicateId(String),
    /// The combined automaton over all digit detectors could not be built.
    #[error("building the combined digit-detector automaton: {0}")]
    Combined(#[from] Box<regex_automata::meta::BuildError>),
}

/// The syntax of the combined automata: the same as each detector's own `regex::bytes::Regex`
/// (Unicode on, matching invalid UTF-8 allowed), so a set matches a window whenever one of its
/// detectors does.
pub(crate) fn set_syntax() -> regex_automata::util::syntax::Config {
    regex_automata::util::syntax::Config::new()
        .unicode(true)
        .utf8(false)
}
