//! Folders: the inputs' display paths as a tree of folders, so exposure can be rolled up by
//! folder — a directory, an archive (`exports.zip!` holds its members) or a bucket prefix.
//!
//! On a file share, retention is fixed per folder, not per file: "restrict or purge
//! `shares/privacy-requests/` — 23 files, 31% of the risk score" is the action an owner can
//! take, where a list of 100,000 single files is not. This module only names the folders and
//! which inputs sit under each; `model.rs` counts their people (distinct over the folder's
//! inputs, like an input's) and scores removing each one (the risk score it holds).
//!
//! Which folders are listed: those with at least two inputs (a folder of one file is that
//! file's action), with PII, that do not hold every input (the scan root says nothing), and
//! that are not a chain link — a folder whose only content is one subfolder with the same
//! inputs is shown as that subfolder, the most specific name.

use std::collections::HashMap;
use std::ops::Range;

/// Folder tree of a list of display paths.
#[derive(Debug, Default)]
pub(super) struct Tree {
    /// Folder paths, each ending with its separator (`/` or `!`).
    pub names: Vec<String>,
    /// Per folder: inputs under it, at any depth.
    pub inputs: Vec<u64>,
    /// Per folder: its parent folder, if it has one.
    pub parent: Vec<Option<u32>>,
    /// Per input: its folders (outermost first) in `flat`.
    of: Vec<Range<usize>>,
    flat: Vec<u32>,
}

/// The folder prefixes of `path`, outermost first, each ending at its separator: `/` between
/// directories and key segments, `!` after an archive (whose members sit in it). Prefixes whose
/// last segment is empty or a URL scheme (`/`, `s3:/`, `s3://`) are not folders of their own.
pub(super) fn prefixes(path: &str) -> impl Iterator<Item = &str> {
    let mut start = 0;
    path.char_indices().filter_map(move |(at, c)| {
        if c != '/' && c != '!' {
            return None;
        }
        let segment = &path[start..at];
        start = at + 1;
        if segment.is_empty() || segment.ends_with(':') {
            return None;
        }
        Some(&path[..=at])
    })
}

impl Tree {
    /// Builds the tree of `paths` (input order is kept: input `i` is the `i`th path).
    pub fn build<'a>(paths: impl IntoIterator<Item = &'a str>) -> Tree {
        let mut t = Tree::default();
        let mut ids: HashMap<&'a str, u32> = HashMap::new();
        for path in paths {
            let from = t.flat.len();
            let mut parent = None;
            for prefix in prefixes(path) {
                let id = *ids.entry(prefix).or_insert_with(|| {
                    t.names.push(prefix.to_string());
                    t.inputs.push(0);
                    t.parent.push(parent);
                    (t.names.len() - 1) as u32
                });
                t.inputs[id as usize] += 1;
                t.flat.push(id);
                parent = Some(id);
            }
            t.of.push(from..t.flat.len());
        }
        t
    }

    /// The folders input `input` sits in, outermost first.
    pub fn of(&self, input: usize) -> &[u32] {
        self.of
            .get(input)
            .map_or(&[][..], |r| &self.flat[r.clone()])
    }

    /// Number of folders.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Per folder: whether the report lists it (module docs): at least two inputs, not every
    /// input, and not the parent of a subfolder holding all of its inputs.
    pub fn listed(&self, total_inputs: u64) -> Vec<bool> {
        let mut keep: Vec<bool> = self
            .inputs
            .iter()
            .map(|&n| n >= 2 && n < total_inputs)
            .collect();
        for (f, parent) in self.parent.iter().enumerate() {
            if let Some(p) = *parent
                && self.inputs[p as usize] == self.inputs[f]
            {
                keep[p as usize] = false;
            }
        }
        keep
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_of_paths_archives_and_urls() {
        let p = |s| prefixes(s).collect::<Vec<_>>();
        assert_eq!(p("a/b/c.csv"), ["a/", "a/b/"]);
        assert_eq!(p("c.csv"), Vec::<&str>::new());
        assert_eq!(p("/data/x/y.csv"), ["/data/", "/data/x/"]);
        assert_eq!(p("./x/y.csv"), ["./", "./x/"]);
        assert_eq!(
            p("shares/e.zip!in/b.csv"),
            ["shares/", "shares/e.zip!", "shares/e.zip!in/"]
        );
        assert_eq!(p("s3://bucket/k/a.csv"), ["s3://bucket/", "s3://bucket/k/"]);
        assert_eq!(p("a//b.csv"), ["a/"]);
    }

    #[test]
    fn tree_counts_inputs_and_lists_informative_folders() {
        let t = Tree::build([
            "root/hr/a.csv",
            "root/hr/b.csv",
            "root/only/deep/c.csv",
            "root/only/deep/d.csv",
            "root/x.csv",
        ]);
        let id = |name: &str| t.names.iter().position(|n| n == name).unwrap();
        assert_eq!(t.inputs[id("root/")], 5);
        assert_eq!(t.inputs[id("root/hr/")], 2);
        assert_eq!(t.of(2).len(), 3);
        assert_eq!(t.of(4), &[id("root/") as u32]);
        let listed = t.listed(5);
        let shown: Vec<&str> = (0..t.len())
            .filter(|&f| listed[f])
            .map(|f| t.names[f].as_str())
            .collect();
        // root/ holds everything; root/only/ is a chain link to root/only/deep/.
        assert_eq!(shown, ["root/hr/", "root/only/deep/"]);
    }
}
