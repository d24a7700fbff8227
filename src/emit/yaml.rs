//! A small YAML document model and writer that quotes every scalar safely.
//!
//! Generated pipelines must never let text change meaning: `no` must stay a string, `: ` and ` #` must
//! not split a value, a leading `*`, `&` or `!` must not become an alias, anchor or tag. The writer
//! emits a plain scalar only when the text is unambiguous in both YAML 1.1 and 1.2, and otherwise
//! single- or double-quotes it. Scripts are written as literal blocks. Keys keep insertion order, and
//! no anchors or aliases are ever written (Azure rejects them).

/// A YAML value as the emitters build it.
#[derive(Debug, Clone, PartialEq)]
pub enum Yaml {
    /// A string, quoted when needed.
    Str(String),
    /// A string written as a literal block (`|`), for scripts; falls back to quoting when it cannot be.
    Block(String),
    /// An integer.
    Int(i64),
    /// A boolean.
    Bool(bool),
    /// A sequence.
    Seq(Vec<Yaml>),
    /// A mapping, in insertion order.
    Map(Vec<(String, Yaml)>),
    /// A string followed by a comment on the same line (`uses: owner/action@sha # v1.2.3`). The comment
    /// is Cutover's own fixed text, never plan text.
    Commented(String, &'static str),
}

impl Yaml {
    /// A string value.
    pub fn str(text: impl Into<String>) -> Self {
        Yaml::Str(text.into())
    }

    /// An empty mapping, to fill with [`Yaml::with`].
    pub fn map() -> Self {
        Yaml::Map(Vec::new())
    }

    /// This mapping with one more entry. On anything but a mapping, returns `self` unchanged.
    pub fn with(mut self, key: &str, value: impl Into<Yaml>) -> Self {
        if let Yaml::Map(entries) = &mut self {
            entries.push((key.to_owned(), value.into()));
        }
        self
    }

    /// This mapping with one more entry when `value` is `Some`.
    pub fn with_some(self, key: &str, value: Option<impl Into<Yaml>>) -> Self {
        match value {
            Some(value) => self.with(key, value),
            None => self,
        }
    }
}

impl From<&str> for Yaml {
    fn from(text: &str) -> Self {
        Yaml::Str(text.to_owned())
    }
}

impl From<String> for Yaml {
    fn from(text: String) -> Self {
        Yaml::Str(text)
    }
}

impl From<&String> for Yaml {
    fn from(text: &String) -> Self {
        Yaml::Str(text.clone())
    }
}

impl From<bool> for Yaml {
    fn from(value: bool) -> Self {
        Yaml::Bool(value)
    }
}

impl From<u32> for Yaml {
    fn from(value: u32) -> Self {
        Yaml::Int(i64::from(value))
    }
}

impl From<Vec<Yaml>> for Yaml {
    fn from(items: Vec<Yaml>) -> Self {
        Yaml::Seq(items)
    }
}

/// Writes a document, preceded by `#`-comment lines (the generated-file header).
pub fn write_document(header: &[String], root: &Yaml) -> String {
    let mut out = String::new();
    write_header(&mut out, header);
    match root {
        Yaml::Map(entries) if !entries.is_empty() => write_map_entries(&mut out, entries, 0),
        Yaml::Seq(items) if !items.is_empty() => write_seq_items(&mut out, items, 0),
        scalar => {
            write_inline(&mut out, scalar, 0);
            out.push('\n');
        }
    }
    out
}

/// `value` written as the entry `key:` of a mapping indented by `level` spaces, exactly as
/// [`write_document`] writes it there: one job of a workflow, written on its own.
pub fn entry_text(key: &str, value: &Yaml, level: usize) -> String {
    let mut out = String::new();
    indent(&mut out, level);
    write_entry(&mut out, key, value, level);
    out
}

/// `value` written as an item of a sequence indented by `level` spaces, exactly as
/// [`write_document`] writes it there: one stage of a pipeline, written on its own.
pub fn item_text(value: &Yaml, level: usize) -> String {
    let mut out = String::new();
    indent(&mut out, level);
    write_seq_items(&mut out, std::slice::from_ref(value), level);
    out
}

/// Writes a document as [`write_document`] does, except that the root mapping's entry `key` (an
/// empty collection in `root`) is written as `key:` followed by `entries`: its entries or items,
/// already written at indentation 2 by [`entry_text`] or [`item_text`].
pub fn write_document_with(
    header: &[String],
    root: &Yaml,
    key: &str,
    entries: &[String],
) -> String {
    let mut out = String::with_capacity(entries.iter().map(String::len).sum::<usize>() + 4096);
    write_header(&mut out, header);
    let Yaml::Map(root_entries) = root else {
        return write_document(header, root);
    };
    for (name, value) in root_entries {
        if name == key && !entries.is_empty() {
            push_scalar(&mut out, name);
            out.push_str(":\n");
            entries.iter().for_each(|entry| out.push_str(entry));
        } else {
            write_entry(&mut out, name, value, 0);
        }
    }
    out
}

fn write_header(out: &mut String, header: &[String]) {
    for line in header {
        out.push_str("# ");
        out.push_str(&super::comment::comment_text(line));
        out.push('\n');
    }
}

fn indent(out: &mut String, level: usize) {
    out.extend(std::iter::repeat_n(' ', level));
}

fn write_map_entries(out: &mut String, entries: &[(String, Yaml)], level: usize) {
    for (index, (key, value)) in entries.iter().enumerate() {
        if index > 0 {
            indent(out, level);
        }
        write_entry(out, key, value, level);
    }
}

fn write_entry(out: &mut String, key: &str, value: &Yaml, level: usize) {
    push_scalar(out, key);
    out.push(':');
    write_after_key(out, value, level);
}

/// The widest line a collection is written on in flow style (`needs: [build, approve]`).
const FLOW_WIDTH: usize = 100;

/// The most entries a mapping written in flow style has: more read better one per line.
const FLOW_MAP_ENTRIES: usize = 2;

/// `value` in flow style (`[a, b]`, `{a: b}`), when it is a non-empty collection of strings, numbers
/// and booleans (a mapping of at most [`FLOW_MAP_ENTRIES`]) short enough to fit on the line after
/// `used` columns.
fn flow_text(value: &Yaml, used: usize) -> Option<String> {
    let scalar = |item: &Yaml| match item {
        Yaml::Str(text) => Some(flow_scalar(text)),
        Yaml::Int(number) => Some(number.to_string()),
        Yaml::Bool(flag) => Some(flag.to_string()),
        _ => None,
    };
    let text = match value {
        Yaml::Seq(items) if !items.is_empty() => {
            let items: Option<Vec<String>> = items.iter().map(scalar).collect();
            format!("[{}]", items?.join(", "))
        }
        Yaml::Map(entries) if !entries.is_empty() && entries.len() <= FLOW_MAP_ENTRIES => {
            let entries: Option<Vec<String>> = entries
                .iter()
                .map(|(key, value)| Some(format!("{}: {}", flow_scalar(key), scalar(value)?)))
                .collect();
            format!("{{{}}}", entries?.join(", "))
        }
        _ => return None,
    };
    (used + text.len() <= FLOW_WIDTH).then_some(text)
}

/// A string inside a flow collection, where `,`, brackets and braces end a plain scalar.
fn flow_scalar(text: &str) -> String {
    if text.contains([',', '[', ']', '{', '}']) && text.chars().all(|c| !c.is_control()) {
        format!("'{}'", text.replace('\'', "''"))
    } else if text.contains([',', '[', ']', '{', '}']) {
        double_quoted(text)
    } else {
        scalar_text(text)
    }
}

/// Writes a value after `key:`: short collections of scalars in flow style on the same line, other
/// collections on the next lines, scalars on the same line.
fn write_after_key(out: &mut String, value: &Yaml, level: usize) {
    let column = out.len() - out.rfind('\n').map_or(0, |i| i + 1);
    if let Some(flow) = flow_text(value, column + 1) {
        out.push(' ');
        out.push_str(&flow);
        out.push('\n');
        return;
    }
    match value {
        Yaml::Map(entries) if !entries.is_empty() => {
            out.push('\n');
            indent(out, level + 2);
            write_map_entries(out, entries, level + 2);
        }
        Yaml::Seq(items) if !items.is_empty() => {
            out.push('\n');
            indent(out, level + 2);
            write_seq_items(out, items, level + 2);
        }
        other => {
            out.push(' ');
            write_inline(out, other, level);
            out.push('\n');
        }
    }
}

fn write_seq_items(out: &mut String, items: &[Yaml], level: usize) {
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            indent(out, level);
        }
        out.push_str("- ");
        match item {
            Yaml::Map(entries) if !entries.is_empty() => write_map_entries(out, entries, level + 2),
            Yaml::Seq(inner) if !inner.is_empty() => write_seq_items(out, inner, level + 2),
            other => {
                write_inline(out, other, level);
                out.push('\n');
            }
        }
    }
}

/// Writes a scalar (or an empty collection) where it stands; block scalars continue on the next lines.
fn write_inline(out: &mut String, value: &Yaml, level: usize) {
    match value {
        Yaml::Str(text) => push_scalar(out, text),
        Yaml::Block(text) => write_block(out, text, level),
        Yaml::Int(number) => out.push_str(&number.to_string()),
        Yaml::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
        Yaml::Seq(_) => out.push_str("[]"),
        Yaml::Map(_) => out.push_str("{}"),
        Yaml::Commented(text, comment) => {
            push_scalar(out, text);
            out.push_str(" # ");
            out.push_str(comment);
        }
    }
}

/// A literal block scalar (`|`, `|-`), or a double-quoted string when the text cannot be a block
/// (leading space, trailing spaces, tabs or carriage returns, or no lines at all).
fn write_block(out: &mut String, text: &str, level: usize) {
    let body = text.strip_suffix('\n').unwrap_or(text);
    let blockable = !body.is_empty()
        && !body.starts_with([' ', '\n'])
        && !body.ends_with('\n')
        && !text.contains(['\r', '\t'])
        && body
            .lines()
            .all(|line| !line.ends_with(' ') && line.chars().all(|c| !c.is_control()));
    if !blockable {
        out.push_str(&double_quoted(text));
        return;
    }
    out.push_str(if text.ends_with('\n') { "|" } else { "|-" });
    for line in body.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            indent(out, level + 2);
            out.push_str(line);
        }
    }
}

/// The text of a string scalar: plain when unambiguous, else single-quoted, else double-quoted.
pub fn scalar_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    push_scalar(&mut out, text);
    out
}

/// Writes a string scalar as [`scalar_text`] does.
fn push_scalar(out: &mut String, text: &str) {
    if is_plain_safe(text) {
        out.push_str(text);
    } else if text.chars().all(|c| !c.is_control()) {
        out.push('\'');
        let mut pieces = text.split('\'');
        out.push_str(pieces.next().unwrap_or_default());
        for piece in pieces {
            out.push_str("''");
            out.push_str(piece);
        }
        out.push('\'');
    } else {
        push_double_quoted(out, text);
    }
}

fn double_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    push_double_quoted(&mut out, text);
    out
}

fn push_double_quoted(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Words YAML 1.1 or 1.2 reads as booleans or null.
const RESERVED_WORDS: [&str; 11] = [
    "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", "nan",
];

/// Whether `text` reads back as the same string when written plain, in YAML 1.1 and 1.2 alike.
fn is_plain_safe(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    if !(first.is_ascii_alphabetic() || first == '_' || first == '/' || first == '$') {
        return false;
    }
    if text.ends_with([' ', ':']) || text.contains(": ") || text.contains(" #") {
        return false;
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || " _./-:()+,=%@$'*".contains(c);
    if !text.chars().all(allowed) {
        return false;
    }
    // `${{ }}` and `$[ ]` are fine plain, but `{`/`[` are excluded above, so only `$(`-style text gets here.
    let lower = text.to_ascii_lowercase();
    !RESERVED_WORDS.contains(&lower.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn risky_scalars_are_quoted() {
        for (text, expected) in [
            ("plain-text", "plain-text"),
            ("no", "'no'"),
            ("On", "'On'"),
            ("10", "'10'"),
            ("3.10", "'3.10'"),
            ("12:30", "'12:30'"),
            ("*alias", "'*alias'"),
            ("&anchor", "'&anchor'"),
            ("!tag", "'!tag'"),
            ("a: b", "'a: b'"),
            ("a #b", "'a #b'"),
            ("it's", "it's"),
            ("-leading", "'-leading'"),
            ("", "''"),
            ("line\nbreak", "\"line\\nbreak\""),
            ("${{ github.ref }}", "'${{ github.ref }}'"),
            ("ümlaut", "'ümlaut'"),
            ("https://x.example/health", "https://x.example/health"),
            ("trailing:", "'trailing:'"),
        ] {
            assert_eq!(scalar_text(text), expected, "{text:?}");
        }
    }

    #[test]
    fn short_collections_of_scalars_are_written_in_flow_style_and_read_back_the_same() {
        let hostile = [
            "a, b",
            "[x]",
            "{y}",
            "no",
            "x: y",
            "#c",
            "it's",
            "${{ vars.A }}",
            "tab\t",
        ];
        let doc = Yaml::map()
            .with("needs", vec![Yaml::from("build"), Yaml::from("approve")])
            .with(
                "permissions",
                Yaml::map()
                    .with("contents", "read")
                    .with("id-token", "write"),
            )
            .with(
                "hostile",
                hostile.iter().map(|t| Yaml::from(*t)).collect::<Vec<_>>(),
            )
            .with(
                "long",
                (0..30)
                    .map(|i| Yaml::from(format!("job_{i}")))
                    .collect::<Vec<_>>(),
            );
        let text = write_document(&[], &doc);
        assert!(text.contains("needs: [build, approve]\n"), "{text}");
        assert!(
            text.contains("permissions: {contents: read, id-token: write}\n"),
            "{text}"
        );
        assert!(
            text.contains("long:\n  - job_0\n"),
            "too long for one line: {text}"
        );
        assert!(text.lines().all(|line| line.len() <= FLOW_WIDTH), "{text}");
        let read: serde_json::Value = serde_saphyr::from_str(&text).expect("parses");
        let hostile_read: Vec<&str> = read["hostile"]
            .as_array()
            .expect("a list")
            .iter()
            .filter_map(serde_json::Value::as_str)
            .collect();
        assert_eq!(hostile_read, hostile);
        assert_eq!(read["permissions"]["id-token"], "write");
    }

    #[test]
    fn documents_assembled_from_entries_written_alone_are_the_same_text() {
        let job = |name: &str| {
            Yaml::map()
                .with("name", name)
                .with("needs", vec![Yaml::from("build")])
                .with("steps", vec![Yaml::map().with("run", "echo hi")])
        };
        let workflow = Yaml::map().with("name", "release").with(
            "jobs",
            Yaml::map().with("a", job("A")).with("bb", job("B it")),
        );
        let shell = Yaml::map()
            .with("name", "release")
            .with("jobs", Yaml::map());
        let entries = [
            entry_text("a", &job("A"), 2),
            entry_text("bb", &job("B it"), 2),
        ];
        assert_eq!(
            write_document_with(&["h".into()], &shell, "jobs", &entries),
            write_document(&["h".into()], &workflow)
        );
        let pipeline = Yaml::map()
            .with("trigger", "none")
            .with("stages", vec![job("A"), job("B")]);
        let shell = Yaml::map()
            .with("trigger", "none")
            .with("stages", Vec::<Yaml>::new());
        let items = [item_text(&job("A"), 2), item_text(&job("B"), 2)];
        assert_eq!(
            write_document_with(&[], &shell, "stages", &items),
            write_document(&[], &pipeline)
        );
    }

    #[test]
    fn documents_nest_maps_and_sequences() {
        let doc = Yaml::map()
            .with("trigger", "none")
            .with(
                "stages",
                vec![
                    Yaml::map()
                        .with("stage", "build")
                        .with("dependsOn", Yaml::Seq(vec![]))
                        .with(
                            "jobs",
                            vec![Yaml::map().with("job", "a").with(
                                "steps",
                                vec![
                                        Yaml::map()
                                            .with("bash", Yaml::Block("echo hi\nexit 0\n".into())),
                                    ],
                            )],
                        ),
                ],
            )
            .with("empty", Yaml::map());
        let text = write_document(&["generated".into()], &doc);
        assert_eq!(
            text,
            "# generated\ntrigger: none\nstages:\n  - stage: build\n    dependsOn: []\n    jobs:\n      - job: a\n        steps:\n          - bash: |\n              echo hi\n              exit 0\nempty: {}\n"
        );
    }

    #[test]
    fn blocks_that_cannot_be_literal_fall_back_to_double_quotes() {
        let mut out = String::new();
        write_block(&mut out, " leading space\n", 0);
        assert_eq!(out, "\" leading space\\n\"");
        let mut out = String::new();
        write_block(&mut out, "trailing \nx", 0);
        assert_eq!(out, "\"trailing \\nx\"");
    }
}
