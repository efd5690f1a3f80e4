//! Embeds `patterns/*.toml` and `patterns/dict/*.txt` into the binary, so `piiscan` needs no files
//! beside it (`--patterns DIR` adds or overrides at run time), and writes the part of
//! libphonenumber's metadata the phone validator reads as static tables
//! (`src/validate/phone/meta.rs` says why).

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
    // Read at run time, not baked in with `env!`: cargo reuses a compiled build script across
    // checkouts of this package that share a target directory (pre-commit's clone in CI), and a
    // baked path would embed the other checkout's pattern files.
    let root = env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let root = Path::new(&root);
    println!("cargo:rerun-if-env-changed=CARGO_MANIFEST_DIR");
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
    let out_dir = env::var("OUT_DIR").unwrap_or_else(|_| ".".into());
    let out = Path::new(&out_dir).join("builtin.rs");
    if let Err(e) = fs::write(&out, src) {
        panic!("writing {}: {e}", out.display());
    }
    let out = Path::new(&out_dir).join("phone_meta.rs");
    if let Err(e) = fs::write(&out, phone_meta()) {
        panic!("writing {}: {e}", out.display());
    }
}

/// `src/validate/phone/meta.rs`'s tables, from the `phonenumber` crate's database: `METAS`
/// (every metadata record reachable by country code or region id), `REGIONS` (country code →
/// region ids, in the crate's order), `BY_CODE` (country code → indices into `METAS`, in the
/// crate's order) and `BY_ID` (region id → index, in a table indexed by the id's two letters).
fn phone_meta() -> String {
    use phonenumber::metadata::{DATABASE, Descriptor, Metadata};
    fn desc(d: &Descriptor) -> String {
        format!(
            "Desc {{ pattern: {:?}, lengths: &{:?}, local: &{:?}, example: {:?} }}",
            d.national_number().as_str(),
            d.possible_length(),
            d.possible_local_length(),
            d.example()
        )
    }
    fn meta(m: &Metadata) -> String {
        let d = m.descriptors();
        // The order `validator::number_type` tries them in (`fast::has_type` relies on it).
        let types = [
            d.premium_rate(),
            d.toll_free(),
            d.shared_cost(),
            d.voip(),
            d.personal_number(),
            d.pager(),
            d.uan(),
            d.voicemail(),
            d.fixed_line(),
            d.mobile(),
        ]
        .map(|t| t.map_or_else(|| "None".to_string(), |t| format!("Some({})", desc(t))));
        format!(
            "Meta {{ id: {:?}, country_code: {}, international_prefix: {:?}, national_prefix: {:?}, \
             national_prefix_for_parsing: {:?}, national_prefix_transform_rule: {:?}, \
             leading_digits: {:?}, general: {}, types: [{}] }}",
            m.id(),
            m.country_code(),
            m.international_prefix().map(|r| r.as_str()),
            m.national_prefix(),
            m.national_prefix_for_parsing().map(|r| r.as_str()),
            m.national_prefix_transform_rule(),
            m.leading_digits().map(|r| r.as_str()),
            desc(d.general()),
            types.join(", ")
        )
    }
    let mut metas: Vec<&Metadata> = Vec::new();
    let index = |m: &'static Metadata, metas: &mut Vec<&'static Metadata>| -> usize {
        match metas.iter().position(|&x| std::ptr::eq(x, m)) {
            Some(i) => i,
            None => {
                metas.push(m);
                metas.len() - 1
            }
        }
    };
    let (mut regions, mut by_code) = (String::new(), String::new());
    let mut ids: Vec<(String, usize)> = Vec::new();
    for code in 1..1000u16 {
        if let Some(rs) = DATABASE.region(&code) {
            // Each region's record, as `fast::source_meta` looks it up: by id, or for `001`
            // (every non-geographic entity: reached by code, never by id) the code's first.
            let mut records: Vec<Option<usize>> = Vec::new();
            for &r in &rs {
                let m = if r == "001" {
                    DATABASE.by_code(&code).and_then(|ms| ms.into_iter().next())
                } else {
                    DATABASE.by_id(r)
                };
                records.push(m.map(|m| index(m, &mut metas)));
                if r != "001"
                    && let Some(m) = m
                    && !ids.iter().any(|(id, _)| id == r)
                {
                    ids.push((r.to_string(), index(m, &mut metas)));
                }
            }
            let _ = writeln!(regions, "    ({code}, &{rs:?}, &{records:?}),");
        }
        if let Some(ms) = DATABASE.by_code(&code) {
            let is: Vec<usize> = ms.into_iter().map(|m| index(m, &mut metas)).collect();
            let _ = writeln!(by_code, "    ({code}, &{is:?}),");
        }
    }
    let mut src = String::new();
    let _ = writeln!(src, "/// Every metadata record the tables below point at.");
    let _ = writeln!(src, "pub static METAS: &[Meta] = &[");
    for m in &metas {
        let _ = writeln!(src, "    {},", meta(m));
    }
    let _ = writeln!(src, "];");
    let _ = writeln!(
        src,
        "/// Country code → region ids, in the crate's order, and each one's index into `METAS`, by code."
    );
    let _ = writeln!(src, "pub static REGIONS: &[RegionRow] = &[\n{regions}];");
    let _ = writeln!(
        src,
        "/// Country code → indices into `METAS`, in the crate's order, by code."
    );
    let _ = writeln!(
        src,
        "pub static BY_CODE: &[(u16, &[usize])] = &[\n{by_code}];"
    );
    // Region ids are two upper-case letters; a table indexed by them answers `by_id` with one
    // load (it is asked for every phone candidate read as a national number).
    let mut table = vec![None::<usize>; 26 * 26];
    for (id, i) in ids {
        match id.as_bytes() {
            &[a @ b'A'..=b'Z', b @ b'A'..=b'Z'] => {
                table[usize::from(a - b'A') * 26 + usize::from(b - b'A')] = Some(i);
            }
            _ => panic!("region id {id:?} is not two upper-case letters"),
        }
    }
    let _ = writeln!(
        src,
        "/// Region id `[a, b]` → index into `METAS`, at `(a - b'A') * 26 + (b - b'A')`."
    );
    let _ = writeln!(src, "pub static BY_ID: [Option<usize>; 676] = {table:?};");
    src
}
