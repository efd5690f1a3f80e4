//! Embeds `patterns/*.toml` and `patterns/dict/*.txt` into the binary, so `piiscan` needs no files
//! beside it. `--patterns DIR` adds or overrides at run time.

use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

fn list(dir: &Path, ext: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Ok(rd) = fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.extension().and_then(|s| s.to_str()) == Some(ext)
                && let Some(stem) = p.file_stem().and_then(|s| s.to_str())
            {
                out.push((
                    stem.to_string(),
                    p.canonicalize().unwrap_or(p.clone()).display().to_string(),
                ));
            }
        }
    }
    out.sort();
    out
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    println!("cargo:rerun-if-changed=patterns");
    println!("cargo:rerun-if-changed=patterns/dict");
    let mut src = String::new();
    for (name, dir, ext) in [
        ("PATTERNS", root.join("patterns"), "toml"),
        ("DICTS", root.join("patterns/dict"), "txt"),
    ] {
        let _ = writeln!(src, "/// Embedded `{}` files: (stem, contents).", ext);
        let _ = writeln!(src, "pub const {name}: &[(&str, &str)] = &[");
        let files = list(&dir, ext);
        // A binary without detectors would report every tree as clean: refuse to build one.
        if files.is_empty() {
            panic!(
                "no *.{ext} files in {}: piiscan cannot be built without them",
                dir.display()
            );
        }
        for (stem, path) in files {
            println!("cargo:rerun-if-changed={path}");
            let _ = writeln!(src, "    ({stem:?}, include_str!({path:?})),");
        }
        let _ = writeln!(src, "];");
    }
    let out = Path::new(&env::var("OUT_DIR").unwrap_or_else(|_| ".".into())).join("builtin.rs");
    if let Err(e) = fs::write(&out, src) {
        panic!("writing {}: {e}", out.display());
    }
}
