//! Sharded scans (`scan --shard K/N`): which inputs belong to shard K of N.
//!
//! N workers, each given the same paths, scan disjoint parts of the tree; `piiscan merge` adds
//! their JSON reports up to the single-scan report. A worker keeps an input when the **shard
//! key** of its path falls in its shard:
//!
//! * The key is the path *relative to the argument it was reached from*, components joined with
//!   `/` (`exports/2024/a.zip` for `/mnt/share/exports/2024/a.zip` under `/mnt/share`); for a
//!   file given as an argument, its file name. Relative, so that workers mounting the same share
//!   at different places (`/mnt/share`, `/data/share`) agree; `/`-joined, so that platforms
//!   agree. The walk hands over how deep below its root an entry is, so the key is the last
//!   `depth` components — no prefix search over the roots.
//! * Shard = `u64::from_be_bytes(SHA-256(key)[..8]) % N + 1`. A documented, fixed function
//!   (not std's randomly seeded hasher), so the assignment is the same on every run, platform
//!   and walk order, and can be recomputed outside piiscan (docs/sharding.md shows how).
//!
//! Archive members stay with their archive (the filter sees only walked files); stdin belongs
//! to shard 1. Shards balance by count of inputs, not bytes.

use std::fmt;
use std::path::{Component, Path};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

/// One shard of a sharded scan: `index` of `count`, 1-based. Recorded in the report as
/// `{"index": K, "count": N}` so `merge` can check it has every shard once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// K, from 1 to `count`.
    pub index: u32,
    /// N, at least 1.
    pub count: u32,
}

/// The scheduler variables `--shard auto` reads, in order of precedence, with the base of the
/// index they hold.
pub const AUTO_INDEX_VARS: [&str; 3] = [
    "JOB_COMPLETION_INDEX",
    "SLURM_ARRAY_TASK_ID",
    "AWS_BATCH_JOB_ARRAY_INDEX",
];

/// A `--shard` value that cannot be used.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ShardError {
    /// Not `K/N` or `auto`.
    #[error("--shard {0:?}: expected K/N (shard K of N, 1 <= K <= N) or auto")]
    Syntax(String),
    /// K or N out of range.
    #[error("--shard {spec:?}: K must be from 1 to N and N at least 1")]
    Range {
        /// The value given.
        spec: String,
    },
    /// `auto` found no scheduler index.
    #[error(
        "--shard auto: none of JOB_COMPLETION_INDEX (Kubernetes Indexed Job), SLURM_ARRAY_TASK_ID \
         (Slurm array) or AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch array) is set"
    )]
    NoIndex,
    /// `auto` found no shard count.
    #[error(
        "--shard auto: {var} gives the index but not the number of shards; set PIISCAN_SHARDS \
         (or SLURM_ARRAY_TASK_COUNT under Slurm)"
    )]
    NoCount {
        /// The index variable found.
        var: &'static str,
    },
    /// `auto` found a variable that is not a number.
    #[error("--shard auto: {var}={value:?} is not a non-negative integer")]
    NotANumber {
        /// The variable.
        var: &'static str,
        /// Its value (scheduler metadata, never scanned data).
        value: String,
    },
    /// `auto` computed an index outside 0..N.
    #[error("--shard auto: {var} gives index {index} (0-based), outside 0..{count} ({count_from})")]
    OutOfRange {
        /// The index variable.
        var: &'static str,
        /// The 0-based index computed.
        index: u64,
        /// N.
        count: u64,
        /// Where N came from.
        count_from: &'static str,
    },
}

impl Shard {
    /// Parses `K/N`.
    pub fn parse(spec: &str) -> Result<Shard, ShardError> {
        let (k, n) = spec
            .split_once('/')
            .ok_or_else(|| ShardError::Syntax(spec.to_string()))?;
        let num = |s: &str| {
            s.trim()
                .parse::<u32>()
                .map_err(|_| ShardError::Syntax(spec.to_string()))
        };
        let (index, count) = (num(k)?, num(n)?);
        if count == 0 || index == 0 || index > count {
            return Err(ShardError::Range {
                spec: spec.to_string(),
            });
        }
        Ok(Shard { index, count })
    }

    /// `--shard auto`: K from the scheduler's array index, N from `PIISCAN_SHARDS` or the
    /// scheduler's own count. `env` looks a variable up (`std::env::var`, or a table in tests).
    pub fn from_env(env: impl Fn(&str) -> Option<String>) -> Result<Shard, ShardError> {
        let get = |var: &'static str| -> Result<Option<u64>, ShardError> {
            match env(var) {
                None => Ok(None),
                Some(v) if v.trim().is_empty() => Ok(None),
                Some(v) => v
                    .trim()
                    .parse::<u64>()
                    .map(Some)
                    .map_err(|_| ShardError::NotANumber { var, value: v }),
            }
        };
        let mut found = None;
        for var in AUTO_INDEX_VARS {
            if let Some(i) = get(var)? {
                found = Some((var, i));
                break;
            }
        }
        let Some((var, mut index)) = found else {
            return Err(ShardError::NoIndex);
        };
        if var == "SLURM_ARRAY_TASK_ID" {
            // `--array=1-8` numbers tasks from 1: the array's own minimum is index 0; and
            // `--array=0-14:2` steps by 2: the task's position in the range is the index.
            if let Some(min) = get("SLURM_ARRAY_TASK_MIN")? {
                index = index.checked_sub(min).ok_or(ShardError::OutOfRange {
                    var,
                    index,
                    count: 0,
                    count_from: "below SLURM_ARRAY_TASK_MIN",
                })?;
            }
            if let Some(step) = get("SLURM_ARRAY_TASK_STEP")?.filter(|&s| s > 1) {
                index /= step;
            }
        }
        let (count, count_from) = match get("PIISCAN_SHARDS")? {
            Some(n) => (n, "PIISCAN_SHARDS"),
            None => match (var, get("SLURM_ARRAY_TASK_COUNT")?) {
                ("SLURM_ARRAY_TASK_ID", Some(n)) => (n, "SLURM_ARRAY_TASK_COUNT"),
                _ => return Err(ShardError::NoCount { var }),
            },
        };
        if index >= count || count > u64::from(u32::MAX) {
            return Err(ShardError::OutOfRange {
                var,
                index,
                count,
                count_from,
            });
        }
        // Both fit: index < count <= u32::MAX.
        Ok(Shard {
            index: index as u32 + 1,
            count: count as u32,
        })
    }

    /// `--shard SPEC`: `auto` (from the environment) or `K/N`.
    pub fn from_spec(spec: &str) -> Result<Shard, ShardError> {
        if spec.trim() == "auto" {
            Shard::from_env(|v| std::env::var(v).ok())
        } else {
            Shard::parse(spec)
        }
    }

    /// Whether the input with this shard key belongs to this shard.
    pub fn owns(&self, key: &str) -> bool {
        shard_of(key, self.count) == self.index
    }

    /// Whether the input at `path`, `depth` components below the argument it was reached
    /// from, belongs to this shard.
    pub fn owns_path(&self, path: &Path, depth: usize) -> bool {
        self.owns(&shard_key(path, depth))
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The shard (1-based) of `key` among `count` shards (see the module docs).
pub fn shard_of(key: &str, count: u32) -> u32 {
    let digest = Sha256::digest(key.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    (u64::from_be_bytes(first) % u64::from(count.max(1))) as u32 + 1
}

/// The shard key of `path`, `depth` components below its root: those components joined with
/// `/`, or the file name for the root itself (depth 0). `.` components are dropped, so
/// `./a/./b` and `a/b` agree.
pub fn shard_key(path: &Path, depth: usize) -> String {
    let names: Vec<String> = path
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            Component::ParentDir => Some("..".to_string()),
            _ => None,
        })
        .collect();
    let take = depth.max(1).min(names.len());
    names[names.len() - take..].join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_table() {
        for (spec, want) in [
            ("1/3", Ok(Shard { index: 1, count: 3 })),
            ("3/3", Ok(Shard { index: 3, count: 3 })),
            ("1/1", Ok(Shard { index: 1, count: 1 })),
            (" 2 / 5 ", Ok(Shard { index: 2, count: 5 })),
            ("0/3", Err(ShardError::Range { spec: "0/3".into() })),
            ("4/3", Err(ShardError::Range { spec: "4/3".into() })),
            ("1/0", Err(ShardError::Range { spec: "1/0".into() })),
            ("x/y", Err(ShardError::Syntax("x/y".into()))),
            ("3", Err(ShardError::Syntax("3".into()))),
            ("-1/3", Err(ShardError::Syntax("-1/3".into()))),
            ("1/3/4", Err(ShardError::Syntax("1/3/4".into()))),
            ("", Err(ShardError::Syntax(String::new()))),
        ] {
            assert_eq!(Shard::parse(spec), want, "{spec:?}");
        }
    }

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn auto_table() {
        let s = |index, count| Ok(Shard { index, count });
        for (vars, want) in [
            // Kubernetes: 0-based index, N only from PIISCAN_SHARDS.
            (
                &[("JOB_COMPLETION_INDEX", "0"), ("PIISCAN_SHARDS", "3")][..],
                s(1, 3),
            ),
            (
                &[("JOB_COMPLETION_INDEX", "2"), ("PIISCAN_SHARDS", "3")][..],
                s(3, 3),
            ),
            (
                &[("JOB_COMPLETION_INDEX", "0")][..],
                Err(ShardError::NoCount {
                    var: "JOB_COMPLETION_INDEX",
                }),
            ),
            (
                &[("JOB_COMPLETION_INDEX", "3"), ("PIISCAN_SHARDS", "3")][..],
                Err(ShardError::OutOfRange {
                    var: "JOB_COMPLETION_INDEX",
                    index: 3,
                    count: 3,
                    count_from: "PIISCAN_SHARDS",
                }),
            ),
            (
                &[("JOB_COMPLETION_INDEX", "x"), ("PIISCAN_SHARDS", "3")][..],
                Err(ShardError::NotANumber {
                    var: "JOB_COMPLETION_INDEX",
                    value: "x".into(),
                }),
            ),
            // Slurm: `--array=1-4` → IDs 1..=4, MIN 1, COUNT 4.
            (
                &[
                    ("SLURM_ARRAY_TASK_ID", "4"),
                    ("SLURM_ARRAY_TASK_MIN", "1"),
                    ("SLURM_ARRAY_TASK_COUNT", "4"),
                ][..],
                s(4, 4),
            ),
            (
                &[
                    ("SLURM_ARRAY_TASK_ID", "0"),
                    ("SLURM_ARRAY_TASK_COUNT", "2"),
                ][..],
                s(1, 2),
            ),
            // `--array=10-24:2%4`: IDs 10, 12, … 24 are positions 0..8.
            (
                &[
                    ("SLURM_ARRAY_TASK_ID", "24"),
                    ("SLURM_ARRAY_TASK_MIN", "10"),
                    ("SLURM_ARRAY_TASK_STEP", "2"),
                    ("SLURM_ARRAY_TASK_COUNT", "8"),
                ][..],
                s(8, 8),
            ),
            (
                &[
                    ("SLURM_ARRAY_TASK_ID", "12"),
                    ("SLURM_ARRAY_TASK_MIN", "10"),
                    ("SLURM_ARRAY_TASK_STEP", "2"),
                    ("SLURM_ARRAY_TASK_COUNT", "8"),
                ][..],
                s(2, 8),
            ),
            // PIISCAN_SHARDS wins over the scheduler's count.
            (
                &[
                    ("SLURM_ARRAY_TASK_ID", "1"),
                    ("SLURM_ARRAY_TASK_COUNT", "2"),
                    ("PIISCAN_SHARDS", "8"),
                ][..],
                s(2, 8),
            ),
            // AWS Batch: 0-based, N from PIISCAN_SHARDS.
            (
                &[("AWS_BATCH_JOB_ARRAY_INDEX", "7"), ("PIISCAN_SHARDS", "8")][..],
                s(8, 8),
            ),
            // Kubernetes wins over the others.
            (
                &[
                    ("AWS_BATCH_JOB_ARRAY_INDEX", "7"),
                    ("JOB_COMPLETION_INDEX", "1"),
                    ("PIISCAN_SHARDS", "8"),
                ][..],
                s(2, 8),
            ),
            (&[("PIISCAN_SHARDS", "3")][..], Err(ShardError::NoIndex)),
            (&[][..], Err(ShardError::NoIndex)),
            (
                &[("JOB_COMPLETION_INDEX", "0"), ("PIISCAN_SHARDS", "0")][..],
                Err(ShardError::OutOfRange {
                    var: "JOB_COMPLETION_INDEX",
                    index: 0,
                    count: 0,
                    count_from: "PIISCAN_SHARDS",
                }),
            ),
        ] {
            assert_eq!(Shard::from_env(env(vars)), want, "{vars:?}");
        }
        // The messages name the variables to set.
        let msg = ShardError::NoIndex.to_string();
        for v in AUTO_INDEX_VARS {
            assert!(msg.contains(v), "{msg}");
        }
        assert!(
            ShardError::NoCount {
                var: "JOB_COMPLETION_INDEX"
            }
            .to_string()
            .contains("PIISCAN_SHARDS")
        );
    }

    #[test]
    fn keys_are_relative_to_the_root() {
        for (path, depth, want) in [
            ("/mnt/share/exports/a.csv", 2, "exports/a.csv"),
            ("/data/share/exports/a.csv", 2, "exports/a.csv"),
            ("./share/./exports/a.csv", 2, "exports/a.csv"),
            ("share/a.csv", 1, "a.csv"),
            // A file given as an argument: its name.
            ("/mnt/share/a.csv", 0, "a.csv"),
            ("a.csv", 0, "a.csv"),
            ("a.csv", 5, "a.csv"),
        ] {
            assert_eq!(shard_key(Path::new(path), depth), want, "{path} {depth}");
        }
    }

    #[test]
    fn the_hash_is_fixed_and_spreads() {
        // Pinned: SHA-256("exports/a.csv")[..8] as a big-endian u64, mod N, plus 1. A change
        // here moves inputs between shards of a scan already under way.
        let d = Sha256::digest(b"exports/a.csv");
        let v = u64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]]);
        assert_eq!(v, 0x5d74_1d33_3ff9_241d);
        assert_eq!(shard_of("exports/a.csv", 7), (v % 7) as u32 + 1);
        // As computed by `python3 -c 'import hashlib; …'` (docs/sharding.md).
        assert_eq!(shard_of("exports/a.csv", 7), 1);
        assert_eq!(shard_of("region0/events.json", 7), 2);
        assert_eq!(shard_of("exports/a.csv", 1), 1);
        assert_eq!(shard_of("a.csv", 3), shard_of("a.csv", 3));
        // 3,000 keys over 3 shards: each holds a fair share.
        let mut counts = [0u32; 3];
        for i in 0..3000 {
            let k = shard_of(&format!("dir{}/file{i}.csv", i % 17), 3);
            assert!((1..=3).contains(&k));
            counts[k as usize - 1] += 1;
        }
        assert!(
            counts.iter().all(|&c| (850..=1150).contains(&c)),
            "{counts:?}"
        );
        let s = Shard { index: 2, count: 3 };
        assert_eq!(s.to_string(), "2/3");
        assert_eq!(
            s.owns_path(Path::new("/x/exports/a.csv"), 2),
            shard_of("exports/a.csv", 3) == 2
        );
    }
}
