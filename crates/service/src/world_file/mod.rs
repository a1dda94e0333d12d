//! The world file: a TOML description of a whole world (DESIGN.md, "The world file (contract)").
//!
//! Pure: no I/O, no database, no clock, no hashing of its own (the caller passes hashers and `now`).
//! - [`parse`] reads the text into a [`WorldFile`], remembering each entry's line;
//! - [`plan_apply`] turns a file into the one [`Change`](tenantry_domain::Change) that creates what is
//!   missing in a world, through the domain's rules, as the operator; nothing when all is there already;
//! - [`export`] and [`to_toml`] write a world back, deterministically, so that export → apply to an
//!   empty world → export gives the same text; [`write_export`] writes that text entry by entry.
//!
//! Every error names the entry (`tenants[1].users[0] (user_name "erin")`) and its line.

mod apply;
mod export;
mod schema;

#[cfg(test)]
mod tests;

pub use apply::{Hashers, plan_apply, plan_apply_in_pieces};
pub use export::{export, to_toml, write_export};
pub use schema::*;

use std::fmt;

/// What went wrong, where: the line (1-based) when the file was parsed from text, the entry's path and
/// identifying key, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorldFileError {
    pub line: Option<usize>,
    /// Set for TOML syntax and shape errors (1-based).
    pub column: Option<usize>,
    /// `tenants[1].users[0] (user_name "erin")`; empty when the error is not about one entry.
    pub entry: String,
    pub message: String,
}

impl WorldFileError {
    pub fn new(line: Option<usize>, entry: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            line,
            column: None,
            entry: entry.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for WorldFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "line {l}, column {c}: ")?,
            (Some(l), None) => write!(f, "line {l}: ")?,
            _ => {}
        }
        if !self.entry.is_empty() {
            write!(f, "{}: ", self.entry)?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for WorldFileError {}

/// Reads a world file. Syntax errors, unknown keys and values of the wrong type are errors with their
/// line and column, and the entry they are in.
pub fn parse(text: &str) -> Result<WorldFile, WorldFileError> {
    let lines = schema::LineIndex::new(text);
    if let Some(file) = pieces::parse(text, &lines) {
        return Ok(file);
    }
    parse_whole(text, &lines)
}

/// [`parse`] of the whole text at once.
fn parse_whole(text: &str, lines: &schema::LineIndex) -> Result<WorldFile, WorldFileError> {
    match toml::from_str::<WorldFile>(text) {
        Ok(mut file) => {
            file.fill_lines(lines);
            Ok(file)
        }
        Err(e) => {
            let (line, column) = match e.span() {
                Some(s) => {
                    let (l, c) = lines.line_col(text, s.start);
                    (Some(l), Some(c))
                }
                None => (None, None),
            };
            let entry = e
                .span()
                .map(|s| locate::entry_at(text, s.start))
                .unwrap_or_default();
            Err(WorldFileError {
                line,
                column,
                entry,
                message: e.message().trim().to_string(),
            })
        }
    }
}

/// A large file read a subscription at a time. The TOML parser holds a whole document's tokens and
/// tree at once: for a million role assignments that is gigabytes, and most of the time goes to the
/// kernel handing out fresh pages. Parsed piece by piece, each piece's memory is reused by the next.
mod pieces {
    use super::WorldFile;
    use super::schema::LineIndex;

    /// Below this, the whole file is parsed at once.
    const LARGE: usize = 4 << 20;
    const HEADER: &str = "[[subscriptions]]";

    /// The file, parsed as the part before its first `[[subscriptions]]` and then each subscription
    /// alone; `None` when that could read it otherwise than the whole parse would (then the whole
    /// parse reads it, and reports its errors as always). It can only when, from the first
    /// subscription on, every table header is a subscription's (no `[[tenants.users]]` appending to
    /// an earlier tenant) and no multi-line string could hide a header line.
    pub(super) fn parse(text: &str, lines: &LineIndex) -> Option<WorldFile> {
        if text.len() < LARGE {
            return None;
        }
        let first = header_at(text, 0)?;
        let rest = &text[first..];
        if rest.contains("\"\"\"") || rest.contains("'''") {
            return None;
        }
        let mut starts = Vec::new();
        let mut offset = first;
        for line in rest.split_inclusive('\n') {
            let l = line.trim_start();
            if l.starts_with(HEADER) {
                starts.push(offset);
            } else if l.starts_with('[')
                && !(l.starts_with("[[subscriptions.") || l.starts_with("[subscriptions."))
            {
                return None;
            }
            offset += line.len();
        }
        let mut file: WorldFile = toml::from_str(&text[..first]).ok()?;
        if !file.subscriptions.is_empty() {
            return None;
        }
        file.fill_lines(lines);
        starts.push(text.len());
        let pieces: Vec<(usize, usize)> = starts.windows(2).map(|w| (w[0], w[1])).collect();
        // The pieces are independent: parsed on every core, a run of them each, then put in order.
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let per_thread = pieces.len().div_ceil(threads).max(1);
        let parsed: Vec<Option<Vec<_>>> = std::thread::scope(|scope| {
            let runs: Vec<_> = pieces
                .chunks(per_thread)
                .map(|run| scope.spawn(move || parse_run(text, lines, run)))
                .collect();
            runs.into_iter()
                .map(|run| run.join().ok().flatten())
                .collect()
        });
        for run in parsed {
            file.subscriptions.append(&mut run?);
        }
        Some(file)
    }

    /// The subscriptions of a run of pieces (each one subscription), or `None` as for [`parse`].
    fn parse_run(
        text: &str,
        lines: &LineIndex,
        run: &[(usize, usize)],
    ) -> Option<Vec<super::schema::Located<super::schema::SubscriptionEntry>>> {
        let mut subscriptions = Vec::with_capacity(run.len());
        for &(start, end) in run {
            let mut one: WorldFile = toml::from_str(&text[start..end]).ok()?;
            one.fill_lines_at(lines, start);
            if one.subscriptions.len() != 1 {
                return None;
            }
            subscriptions.append(&mut one.subscriptions);
        }
        Some(subscriptions)
    }

    /// Where the first line that starts with `[[subscriptions]]` starts, from `from` on.
    fn header_at(text: &str, from: usize) -> Option<usize> {
        let mut offset = from;
        for line in text[from..].split_inclusive('\n') {
            if line.trim_start().starts_with(HEADER) {
                return Some(offset);
            }
            offset += line.len();
        }
        None
    }
}

/// Finding the entry a parse error lies in, from the loosely parsed document.
mod locate {
    use toml::Spanned;
    use toml::de::{DeTable, DeValue};

    struct Candidate {
        start: usize,
        path: String,
    }

    /// The innermost entry at `offset`: the entry whose `[[header]]` is the last one before it, or the
    /// inline table / array element that contains it.
    pub(super) fn entry_at(text: &str, offset: usize) -> String {
        let Ok(root) = DeTable::parse(text) else {
            return String::new();
        };
        let mut best: Option<Candidate> = None;
        walk_table(text, root.get_ref(), "", offset, &mut best);
        best.map(|c| c.path).unwrap_or_default()
    }

    fn consider(
        text: &str,
        v: &Spanned<DeValue<'_>>,
        path: String,
        offset: usize,
        best: &mut Option<Candidate>,
    ) {
        let span = v.span();
        let header = text.as_bytes().get(span.start) == Some(&b'[') && v.get_ref().is_table();
        let contains = span.start <= offset && (header || offset < span.end.max(span.start + 1));
        if contains && best.as_ref().is_none_or(|b| span.start >= b.start) {
            *best = Some(Candidate {
                start: span.start,
                path: path.clone(),
            });
        }
        if let DeValue::Table(t) = v.get_ref() {
            walk_table(text, t, &path, offset, best);
        }
    }

    fn walk_table(
        text: &str,
        t: &DeTable<'_>,
        prefix: &str,
        offset: usize,
        best: &mut Option<Candidate>,
    ) {
        for (k, v) in t.iter() {
            let key = k.get_ref();
            let base = if prefix.is_empty() {
                key.to_string()
            } else {
                format!("{prefix}.{key}")
            };
            match v.get_ref() {
                DeValue::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        let label = match item.get_ref() {
                            DeValue::Table(t) => ident(t)
                                .map(|(k, v)| format!("{base}[{i}] ({k} {v:?})"))
                                .unwrap_or_else(|| format!("{base}[{i}]")),
                            DeValue::String(s) => format!("{base}[{i}] ({s:?})"),
                            _ => format!("{base}[{i}]"),
                        };
                        // Children of an element are addressed by its plain path.
                        let mut inner: Option<Candidate> = None;
                        consider(text, item, format!("{base}[{i}]"), offset, &mut inner);
                        if let Some(mut c) = inner {
                            if c.path == format!("{base}[{i}]") {
                                c.path = label;
                            }
                            if best.as_ref().is_none_or(|b| c.start >= b.start) {
                                *best = Some(c);
                            }
                        }
                    }
                }
                DeValue::Table(_) => consider(text, v, base, offset, best),
                _ => {}
            }
        }
    }

    /// The key that names an entry, in the order the entry kinds use them.
    fn ident(t: &DeTable<'_>) -> Option<(String, String)> {
        for key in ["user_name", "email", "name", "principal", "display_name"] {
            if let Some((k, v)) = t.iter().find(|(k, _)| k.get_ref() == key)
                && let Some(s) = v.get_ref().as_str()
            {
                return Some((k.get_ref().to_string(), s.to_string()));
            }
        }
        None
    }
}
