//! YAML for the key/value format, read by indentation without a YAML parser: field paths,
//! block scalars, records (see the parent module's docs).

use super::{CellSink, FormatError, emit};

/// Deepest YAML nesting (keys and sequence levels) followed.
pub const MAX_YAML_DEPTH: usize = 512;
/// Bytes of one YAML key kept in a field path.
const MAX_KEY_IN_PATH: usize = 256;

/// Top-level keys that, all present, mark a configuration file of a well-known tool. Their
/// `name:` keys name jobs, steps, services and resources; as field paths (`jobs.test.name`)
/// they would be read as people's names in every repository's CI files, so such files are not
/// read as YAML but as before (plain text, where a name needs a cue and a dictionary word).
const CONFIG_KEYS: &[&[&str]] = &[
    &["apiVersion", "kind"], // Kubernetes, Helm templates, CRDs
    &["jobs"],               // GitHub Actions, CircleCI
    &["nav"],                // MkDocs
    &["on", "name"],         // GitHub Actions without jobs yet
    &["openapi"],
    &["pool"],                // Azure Pipelines
    &["repos"],               // pre-commit
    &["runs", "description"], // GitHub Action metadata (action.yml)
    &["script"],              // Travis CI
    &["services"],            // Docker Compose
    &["stages"],              // GitLab CI
    &["steps"],               // Cloud Build, Drone, Buildkite
    &["swagger"],
    &["trigger"],            // Azure Pipelines
    &["updates", "version"], // Dependabot
];

/// Whether `head` is a configuration file of a well-known tool (see [`CONFIG_KEYS`]), judged by
/// its top-level keys.
pub(super) fn is_config(head: &[u8]) -> bool {
    let mut top: Vec<&[u8]> = Vec::new();
    for line in head.split(|&b| b == b'\n').map(<[u8]>::trim_ascii_end) {
        if let Some((ks, ke, _)) = yaml_key(line, 0)
            && ks <= 1
        {
            top.push(&line[ks..ke]);
        }
    }
    CONFIG_KEYS
        .iter()
        .any(|set| set.iter().all(|k| top.contains(&k.as_bytes())))
}

/// One level of the YAML path: a key, or a sequence item.
#[derive(Debug)]
struct Level {
    /// Column of the key, or of the item's `-`.
    indent: usize,
    /// The key (empty for an item).
    key: String,
    /// A sequence item, starting at this line.
    item: Option<u64>,
}

/// YAML state across lines (see the module docs).
#[derive(Debug, Default)]
pub(super) struct Yaml {
    levels: Vec<Level>,
    /// Inside a block scalar: the column its key sits at (its lines are indented further) and
    /// its field.
    block: Option<(usize, String)>,
    /// Line the current document starts at (0 until the first line).
    doc: u64,
    /// Whether the current document has been counted as a record.
    doc_counted: bool,
    /// Records seen: sequence items, and documents with lines outside any item.
    pub(super) records: u64,
}

impl Yaml {
    /// The record of the current line: the innermost sequence item, else the document.
    fn record(&mut self) -> u64 {
        match self.levels.iter().rev().find_map(|l| l.item) {
            Some(item) => item,
            None => {
                if !self.doc_counted {
                    self.doc_counted = true;
                    self.records += 1;
                }
                self.doc
            }
        }
    }

    /// The field path of the levels, plus `key` when given.
    fn path(&self, key: Option<&str>) -> String {
        let mut p = String::new();
        // The items of a top-level sequence are records, not part of the path (as in JSON).
        let top_items = self.levels.first().is_some_and(|l| l.item.is_some());
        for (i, l) in self.levels.iter().enumerate() {
            if l.item.is_some() {
                if !(i == 0 && top_items) {
                    p.push_str("[]");
                }
            } else {
                if !p.is_empty() {
                    p.push('.');
                }
                p.push_str(&l.key);
            }
        }
        if let Some(k) = key {
            if !p.is_empty() {
                p.push('.');
            }
            p.push_str(k);
        }
        p
    }

    fn push(&mut self, level: Level) -> Result<(), FormatError> {
        if self.levels.len() >= MAX_YAML_DEPTH {
            return Err(FormatError::Limit(format!(
                "YAML nested deeper than {MAX_YAML_DEPTH} levels"
            )));
        }
        self.levels.push(level);
        Ok(())
    }

    pub(super) fn line(
        &mut self,
        sink: &mut dyn CellSink,
        line: &[u8],
        lno: u64,
    ) -> Result<(), FormatError> {
        if self.doc == 0 {
            self.doc = lno;
        }
        let indent = line.iter().take_while(|&&b| b == b' ').count();
        let rest = &line[indent..];
        let blank = rest.trim_ascii().is_empty();
        if let Some((col, field)) = &self.block {
            if blank || indent > *col {
                let record = self.levels.iter().rev().find_map(|l| l.item);
                let at = (lno, record.unwrap_or(self.doc));
                emit(sink, line, at, (0, line.len()), Some(field));
                return Ok(());
            }
            self.block = None;
        }
        if indent == 0 && (line.starts_with(b"---") || line.starts_with(b"...")) {
            let marker = line.get(3).is_none_or(u8::is_ascii_whitespace);
            if marker {
                self.levels.clear();
                self.doc = lno + 1;
                self.doc_counted = false;
                emit(sink, line, (lno, lno), (0, line.len()), None);
                return Ok(());
            }
        }
        if blank || rest.starts_with(b"#") {
            // Blank and comment lines belong to whatever holds them; they make no record.
            let record = self.levels.iter().rev().find_map(|l| l.item);
            emit(
                sink,
                line,
                (lno, record.unwrap_or(self.doc)),
                (0, line.len()),
                None,
            );
            return Ok(());
        }
        // Sequence items: `- `, possibly several on one line (`- - a`).
        let mut col = indent;
        while line.get(col) == Some(&b'-') && line.get(col + 1).is_none_or(|&b| b == b' ') {
            while self
                .levels
                .last()
                .is_some_and(|l| l.indent > col || (l.indent == col && l.item.is_some()))
            {
                self.levels.pop();
            }
            self.push(Level {
                indent: col,
                key: String::new(),
                item: Some(lno),
            })?;
            self.records += 1;
            col += 1;
            while line.get(col) == Some(&b' ') {
                col += 1;
            }
        }
        if col == indent {
            // A key line: leave the levels at or right of it.
            while self.levels.last().is_some_and(|l| l.indent >= col) {
                self.levels.pop();
            }
        }
        let at = (lno, self.record());
        let Some((ks, ke, vs)) = yaml_key(line, col) else {
            // An item's scalar, or free text (flow collections, continued plain scalars).
            if col > indent {
                let (s, e) = yaml_scalar(line, col);
                let field = self.path(None);
                emit(sink, line, at, (0, s), None);
                emit(
                    sink,
                    line,
                    at,
                    (s, e),
                    (!field.is_empty()).then_some(field.as_str()),
                );
                emit(sink, line, at, (e, line.len()), None);
            } else {
                emit(sink, line, at, (0, line.len()), None);
            }
            return Ok(());
        };
        let key = String::from_utf8_lossy(&line[ks..ke]);
        let key = match key.char_indices().nth(MAX_KEY_IN_PATH) {
            Some((cut, _)) => &key[..cut],
            None => &key,
        };
        let field = self.path(Some(key));
        let (s, e) = yaml_scalar(line, vs);
        let value = &line[s..e];
        if value.is_empty() {
            // A mapping or a sequence follows.
            emit(sink, line, at, (0, line.len()), None);
            return self.push(Level {
                indent: col,
                key: key.to_string(),
                item: None,
            });
        }
        if matches!(value[0], b'|' | b'>')
            && value[1..]
                .iter()
                .all(|b| matches!(b, b'+' | b'-' | b'0'..=b'9'))
        {
            emit(sink, line, at, (0, line.len()), None);
            self.block = Some((col, field));
            return Ok(());
        }
        emit(sink, line, at, (0, s), None);
        emit(sink, line, at, (s, e), Some(&field));
        emit(sink, line, at, (e, line.len()), None);
        Ok(())
    }
}

/// A YAML `key:` starting at `col`: the key's range (without quotes) and where its value starts.
/// `None` for anything else (a scalar, a flow collection, an alias).
fn yaml_key(line: &[u8], col: usize) -> Option<(usize, usize, usize)> {
    let first = *line.get(col)?;
    let (ks, ke, after) = match first {
        b'"' | b'\'' => {
            let close = col + 1 + line[col + 1..].iter().position(|&b| b == first)?;
            (col + 1, close, close + 1)
        }
        b'{' | b'[' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'%' | b'@' | b'`' | b'?' => {
            return None;
        }
        _ => {
            // The first `:` followed by a blank or the end, before any ` #` comment.
            let mut i = col;
            loop {
                let c = *line.get(i)?;
                if c == b'#' && i > col && line[i - 1] == b' ' {
                    return None;
                }
                if c == b':' && line.get(i + 1).is_none_or(|&b| b == b' ' || b == b'\t') {
                    break;
                }
                i += 1;
            }
            (col, line[col..i].trim_ascii_end().len() + col, i)
        }
    };
    if line.get(after) != Some(&b':')
        || !line.get(after + 1).is_none_or(|&b| b == b' ' || b == b'\t')
    {
        return None;
    }
    (ke > ks).then_some((ks, ke, after + 1))
}

/// The scalar value starting at or after `from` (blanks, an `&anchor` and a `!tag` skipped): its
/// range without quotes and without a trailing ` # comment`; empty when there is none (only a
/// comment, or an `*alias`).
fn yaml_scalar(line: &[u8], from: usize) -> (usize, usize) {
    let mut i = from;
    loop {
        while line.get(i).is_some_and(|&b| b == b' ' || b == b'\t') {
            i += 1;
        }
        if matches!(line.get(i), Some(b'&' | b'!')) {
            while line.get(i).is_some_and(|&b| b != b' ') {
                i += 1;
            }
            continue;
        }
        break;
    }
    match line.get(i) {
        None | Some(b'#' | b'*') => (i, i),
        Some(&q @ (b'"' | b'\'')) => {
            let mut j = i + 1;
            while j < line.len() {
                if q == b'"' && line[j] == b'\\' {
                    j += 2;
                    continue;
                }
                if line[j] == q {
                    if q == b'\'' && line.get(j + 1) == Some(&b'\'') {
                        j += 2;
                        continue;
                    }
                    break;
                }
                j += 1;
            }
            (i + 1, j.min(line.len()))
        }
        Some(_) => {
            let mut e = line.len();
            let mut j = i;
            while j < line.len() {
                if line[j] == b'#' && line[j - 1] == b' ' {
                    e = j;
                    break;
                }
                j += 1;
            }
            (i, i + line[i..e].trim_ascii_end().len())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Cell, Format, YAML};
    use super::*;

    #[derive(Default)]
    struct Sink;

    impl CellSink for Sink {
        fn cell(&mut self, _: &Cell<'_>) {}
    }

    /// A cell as the tests see it: (text, line, column, field, record).
    type Row = (String, u64, u64, Option<String>, Option<u64>);

    /// Every cell `YAML` makes of `doc`.
    fn yaml_cells(doc: &str) -> Vec<Row> {
        #[derive(Default)]
        struct All(Vec<Row>);
        impl CellSink for All {
            fn cell(&mut self, c: &Cell<'_>) {
                self.0.push((
                    String::from_utf8_lossy(c.text).into_owned(),
                    c.line,
                    c.column,
                    c.field.map(str::to_string),
                    c.record,
                ));
            }
        }
        let mut sink = All::default();
        YAML.scan(&mut doc.as_bytes(), &mut sink).unwrap();
        sink.0
    }

    #[test]
    fn yaml_keys_give_field_paths() {
        let doc = "\
# customers: jane@example.com
customer:
  contact:
    email: x@example.com   # primary
    phone: \"+61 491 570 156\"
  name: 'Jane O''Neill'
customers:
  - name: Bob Smith
    emails:
      - bob@example.com
      - b.smith@example.com
  - name: Cat Jones
    note: |
      call 0491 570 157
      after 5pm

    tags: [a, b]
orders:
- id: 7
---
- email: dee@example.com
  when: 2024-01-01
";
        let cells = yaml_cells(doc);
        let get = |t: &str| {
            cells
                .iter()
                .find(|c| c.0 == t)
                .unwrap_or_else(|| panic!("{t}: {cells:#?}"))
                .clone()
        };
        let want: &[(&str, u64, u64, Option<&str>, u64)] = &[
            ("# customers: jane@example.com", 1, 1, None, 1),
            ("x@example.com", 4, 12, Some("customer.contact.email"), 1),
            ("   # primary", 4, 25, None, 1),
            ("+61 491 570 156", 5, 13, Some("customer.contact.phone"), 1),
            ("Jane O''Neill", 6, 10, Some("customer.name"), 1),
            ("Bob Smith", 8, 11, Some("customers[].name"), 8),
            ("bob@example.com", 10, 9, Some("customers[].emails[]"), 10),
            (
                "b.smith@example.com",
                11,
                9,
                Some("customers[].emails[]"),
                11,
            ),
            ("Cat Jones", 12, 11, Some("customers[].name"), 12),
            (
                "      call 0491 570 157",
                14,
                1,
                Some("customers[].note"),
                12,
            ),
            ("      after 5pm", 15, 1, Some("customers[].note"), 12),
            ("[a, b]", 17, 11, Some("customers[].tags"), 12),
            ("7", 19, 7, Some("orders[].id"), 19),
            ("dee@example.com", 21, 10, Some("email"), 21),
            ("2024-01-01", 22, 9, Some("when"), 21),
        ];
        for (text, line, col, field, record) in want {
            let c = get(text);
            assert_eq!(
                (c.1, c.2, c.3.as_deref(), c.4),
                (*line, *col, *field, Some(*record)),
                "{text}"
            );
        }
        // Every cell is its line's bytes at its column, and every non-blank byte of the
        // document is in exactly one cell.
        let lines: Vec<&str> = doc.lines().collect();
        let mut seen: Vec<Vec<u8>> = lines.iter().map(|l| vec![0; l.len()]).collect();
        for c in &cells {
            let (l, col) = (c.1 as usize - 1, c.2 as usize - 1);
            assert_eq!(&lines[l][col..col + c.0.len()], c.0, "{c:?}");
            for n in &mut seen[l][col..col + c.0.len()] {
                *n += 1;
            }
        }
        for (l, line) in lines.iter().enumerate() {
            for (i, b) in line.bytes().enumerate() {
                let n = seen[l][i];
                assert!(n <= 1 && (n == 1 || b == b' '), "line {} byte {i}", l + 1);
            }
        }
    }

    #[test]
    fn configuration_files_are_told_apart() {
        for (head, config) in [
            (
                "name: CI\non:\n  push:\njobs:\n  test:\n    name: Clippy\n",
                true,
            ),
            ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n", true),
            (
                "version: \"3\"\nservices:\n  db:\n    image: postgres\n",
                true,
            ),
            ("\"on\": push\nname: x\n", true),
            ("name: Linux\r\n\r\non:\r\n  push:\r\njobs:\r\n", true),
            ("customer:\n  name: Jane Smith\n", false),
            ("- name: Jane Smith\n  jobs: 2\n", false),
            ("name: Jane Smith\nemail: jane@example.com\n", false),
        ] {
            assert_eq!(is_config(head.as_bytes()), config, "{head}");
        }
    }

    #[test]
    fn yaml_depth_is_bounded() {
        let mut doc = String::new();
        for i in 0..MAX_YAML_DEPTH + 1 {
            doc.push_str(&" ".repeat(i));
            doc.push_str("k:\n");
        }
        let err = YAML.scan(&mut doc.as_bytes(), &mut Sink);
        assert!(matches!(err, Err(FormatError::Limit(_))), "{err:?}");
        doc.truncate(doc.len() / 2);
        assert!(YAML.scan(&mut doc.as_bytes(), &mut Sink).is_ok());
    }
}
