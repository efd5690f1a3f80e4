//! `scan --staged` and `scan --since REV`: what a commit (or a branch) adds, read through `git`.
//!
//! `--staged` reads each changed file's *staged* content from the index (`git cat-file blob
//! :path`), never the working tree, so what is scanned is exactly what will be committed.
//! `--since REV` compares REV with the working tree and reads files from the working tree. In
//! both modes the whole file is scanned — so a CSV value still knows its column — but only
//! findings on lines the diff adds (`git diff -U0` hunk headers) are kept. `.piiscanignore`
//! files and `--exclude` globs opt paths out as they do for a walk.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use ignore::gitignore::Gitignore;
use ignore::overrides::{Override, OverrideBuilder};
use rayon::prelude::*;

use piiscan::detect::Scratch;
use piiscan::scan::collect::Collector;
use piiscan::scan::unpack::Source;
use piiscan::scan::{InputReport, Scanner, Status};

/// One changed file.
pub struct Change {
    /// Display path (relative to the working directory when under it).
    display: String,
    /// Its content, or why it could not be read.
    content: Result<Vec<u8>, String>,
    /// Added line ranges (inclusive, 1-based); `None`: every line (a new file).
    added: Option<Vec<(u64, u64)>>,
}

fn git(args: &[&str]) -> Result<Vec<u8>> {
    let out = Command::new("git")
        .args(args)
        .output()
        .context("running git (is it installed?)")?;
    if !out.status.success() {
        bail!(
            "git {} failed: {}",
            args.first().copied().unwrap_or(""),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(out.stdout)
}

fn toplevel() -> Result<PathBuf> {
    let out = git(&["rev-parse", "--show-toplevel"])
        .context("--staged / --since need a git repository")?;
    let s = String::from_utf8_lossy(&out)
        .trim_end_matches('\n')
        .to_string();
    Ok(PathBuf::from(s))
}

/// `git diff --name-status -z` → (status letter, path) for added, copied, modified and renamed
/// files (the new path for renames and copies).
fn changed(extra: &[&str], pathspecs: &[PathBuf]) -> Result<Vec<(u8, String, Option<String>)>> {
    let mut args = vec![
        "diff",
        "--name-status",
        "-z",
        "-M",
        "--no-ext-diff",
        "--diff-filter=ACMR",
    ];
    args.extend_from_slice(extra);
    args.push("--");
    let specs: Vec<String> = pathspecs
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    args.extend(specs.iter().map(String::as_str));
    let out = git(&args)?;
    let mut fields = out
        .split(|&b| b == 0)
        .map(|f| String::from_utf8_lossy(f).into_owned());
    let mut list = Vec::new();
    while let Some(status) = fields.next() {
        let Some(&letter) = status.as_bytes().first() else {
            continue;
        };
        let first = fields.next().unwrap_or_default();
        if letter == b'R' || letter == b'C' {
            let second = fields.next().unwrap_or_default();
            list.push((letter, second, Some(first)));
        } else {
            list.push((letter, first, None));
        }
    }
    Ok(list)
}

/// Added line ranges from `git diff -U0` output: the `+start,count` of each hunk header.
pub fn added_lines(diff: &[u8]) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    for line in diff.split(|&b| b == b'\n') {
        let Some(rest) = line.strip_prefix(b"@@ ") else {
            continue;
        };
        let text = String::from_utf8_lossy(rest);
        let Some(plus) = text.split(' ').find(|t| t.starts_with('+')) else {
            continue;
        };
        let mut parts = plus[1..].splitn(2, ',');
        let start: u64 = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
        let count: u64 = parts
            .next()
            .map_or(Some(1), |s| s.parse().ok())
            .unwrap_or(0);
        if count > 0 && start > 0 {
            out.push((start, start + count - 1));
        }
    }
    out
}

fn display_for(top: &Path, rel: &str) -> String {
    let abs = top.join(rel);
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|c| std::fs::canonicalize(c).ok());
    match cwd.as_deref().and_then(|c| abs.strip_prefix(c).ok()) {
        Some(r) => r.to_string_lossy().into_owned(),
        None => abs.to_string_lossy().into_owned(),
    }
}

/// Opt-outs that apply to a walk apply to changes too: `.piiscanignore` files (in the
/// repository's directories, from the top down to the file's) and `--exclude` globs.
struct OptOut {
    top: PathBuf,
    excludes: Option<Override>,
    ignores: HashMap<PathBuf, Option<Gitignore>>,
}

impl OptOut {
    fn new(top: &Path, excludes: &[String]) -> Result<OptOut> {
        let excludes = if excludes.is_empty() {
            None
        } else {
            let mut ob = OverrideBuilder::new(top);
            for g in excludes {
                ob.add(&format!("!{g}"))
                    .with_context(|| format!("invalid --exclude glob {g:?}"))?;
            }
            Some(ob.build().context("invalid --exclude globs")?)
        };
        Ok(OptOut {
            top: top.to_path_buf(),
            excludes,
            ignores: HashMap::new(),
        })
    }

    fn excluded(&mut self, rel: &str) -> bool {
        let abs = self.top.join(rel);
        if let Some(ov) = &self.excludes
            && ov.matched(&abs, false).is_ignore()
        {
            return true;
        }
        // The deepest .piiscanignore with an opinion decides, as in a walk.
        let mut verdict = false;
        let mut dir = self.top.clone();
        let parts: Vec<&str> = rel.split('/').collect();
        for (i, part) in parts.iter().enumerate() {
            let gi = self.ignores.entry(dir.clone()).or_insert_with(|| {
                let f = dir.join(".piiscanignore");
                f.is_file().then(|| Gitignore::new(&f).0)
            });
            if let Some(gi) = gi {
                match gi.matched_path_or_any_parents(&abs, false) {
                    ignore::Match::Ignore(_) => verdict = true,
                    ignore::Match::Whitelist(_) => verdict = false,
                    ignore::Match::None => {}
                }
            }
            if i + 1 < parts.len() {
                dir.push(part);
            }
        }
        verdict
    }
}

fn collect(
    diff_args: &[&str],
    pathspecs: &[PathBuf],
    excludes: &[String],
    staged: bool,
) -> Result<Vec<Change>> {
    let top = toplevel()?;
    let top = std::fs::canonicalize(&top).unwrap_or(top);
    let mut opt_out = OptOut::new(&top, excludes)?;
    let mut out = Vec::new();
    for (status, path, old) in changed(diff_args, pathspecs)? {
        if opt_out.excluded(&path) {
            continue;
        }
        let spec_new = format!(":(top,literal){path}");
        let added = if status == b'A' {
            None
        } else {
            let mut args = vec!["diff", "-U0", "--no-color", "--no-ext-diff", "-M"];
            args.extend_from_slice(diff_args);
            args.push("--");
            let spec_old = old.as_ref().map(|o| format!(":(top,literal){o}"));
            if let Some(o) = &spec_old {
                args.push(o);
            }
            args.push(&spec_new);
            let diff = git(&args)?;
            // A binary file has no lines to tell apart: all of it counts as added.
            let binary = diff
                .split(|&b| b == b'\n')
                .any(|l| l.starts_with(b"Binary files ") || l.starts_with(b"GIT binary patch"));
            (!binary).then(|| added_lines(&diff))
        };
        let content = if staged {
            git(&["cat-file", "blob", &format!(":{path}")]).map_err(|e| format!("{e:#}"))
        } else {
            std::fs::read(top.join(&path)).map_err(|e| format!("cannot read: {e}"))
        };
        out.push(Change {
            display: display_for(&top, &path),
            content,
            added,
        });
    }
    Ok(out)
}

/// The staged changes (index vs HEAD; everything staged in a repository without commits),
/// minus `.piiscanignore`d and `--exclude`d paths.
pub fn staged(pathspecs: &[PathBuf], excludes: &[String]) -> Result<Vec<Change>> {
    collect(&["--cached"], pathspecs, excludes, true)
}

/// Changes between `rev` and the working tree, minus `.piiscanignore`d and `--exclude`d paths.
pub fn since(rev: &str, pathspecs: &[PathBuf], excludes: &[String]) -> Result<Vec<Change>> {
    // Resolve first, for a clear error on a bad revision.
    git(&[
        "rev-parse",
        "--verify",
        "--quiet",
        &format!("{rev}^{{commit}}"),
    ])
    .with_context(|| format!("--since {rev:?} is not a commit"))?;
    collect(&[rev], pathspecs, excludes, false)
}

/// Scans every change in memory (in parallel) and keeps findings on added lines only.
pub fn scan(scanner: &Scanner, changes: Vec<Change>, collector: &Collector) {
    changes
        .into_par_iter()
        .for_each_init(Scratch::default, |scratch, c| {
            let display = scanner.display_name(&c.display, scratch);
            let bytes = match c.content {
                Ok(b) => b,
                Err(why) => {
                    return collector.add(InputReport::not_scanned(display, Status::Error(why)));
                }
            };
            let mut reader: &[u8] = &bytes;
            let mut reports = scanner.scan_source(display, Source::Stream(&mut reader), scratch);
            if let Some(ranges) = &c.added {
                for r in &mut reports {
                    r.findings
                        .retain(|f| ranges.iter().any(|&(a, b)| (a..=b).contains(&f.line)));
                }
            }
            for r in reports {
                collector.add(r);
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunk_headers() {
        let d = b"diff --git a/x b/x\n@@ -1,0 +2,3 @@\n+a\n@@ -5 +9 @@ ctx\n@@ -7,2 +10,0 @@\n";
        assert_eq!(added_lines(d), vec![(2, 4), (9, 9)]);
    }
}
