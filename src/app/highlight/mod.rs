//! Syntax colouring for the preview: a small tokenizer for the three kinds of text an export writes
//! (YAML pipelines, shell setup scripts, Markdown runbooks), one module per language, and the egui
//! layout job that paints a line with its tokens ([`layout_line`]).
//!
//! The tokenizer is pure and knows only what colouring needs: YAML comments, keys, quoted strings,
//! block scalars, literals and pipeline expressions (`${{ }}`, `$( )`, `$[ ]`); shell comments,
//! strings, keywords and expansions; Markdown headings, code, emphasis and comments. It works line
//! by line: what a line inherits from the lines above it (inside a block scalar, a code fence, an
//! open quote) is a [`LineState`], so once the states of a file are known (one pass, [`line_states`])
//! any line can be coloured on its own, and the panel colours only the lines on screen.
//!
//! It is a colouring aid, not a parser: text it does not understand is left plain.

use std::ops::Range;

use crate::export::FileKind;

mod markdown;
mod paint;
mod shell;
mod yaml;

pub use paint::{Palette, layout_line};

/// The language of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// YAML (Azure Pipelines, GitHub Actions).
    Yaml,
    /// A bash script (the environment setup, the script library).
    Shell,
    /// Markdown (the runbooks).
    Markdown,
}

impl Language {
    /// The language of a generated file.
    pub fn of(kind: FileKind) -> Self {
        match kind {
            FileKind::AzurePipeline
            | FileKind::AzureTemplate
            | FileKind::GitHubWorkflow
            | FileKind::GitHubReusableWorkflow => Language::Yaml,
            // The rollback data's `#` header and JSON strings read well as shell comments and quotes.
            FileKind::EnvironmentSetup | FileKind::ScriptLibrary | FileKind::RollbackData => {
                Language::Shell
            }
            FileKind::Runbook => Language::Markdown,
        }
    }
}

/// What a piece of text is, for its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A comment.
    Comment,
    /// A YAML mapping key, or a shell keyword.
    Key,
    /// A quoted string or block text.
    String,
    /// A pipeline expression or a shell expansion: `${{ … }}`, `$( … )`, `$[ … ]`, `${…}`, `$name`.
    Expression,
    /// A number, boolean or null.
    Literal,
    /// Structure: `-`, `:`, `|`, brackets, list markers.
    Punctuation,
    /// A Markdown heading.
    Heading,
    /// Markdown code, inline or fenced.
    Code,
    /// Markdown strong emphasis.
    Strong,
}

/// A coloured range of a line (byte offsets). Text between tokens is plain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Where it is in the line.
    pub range: Range<usize>,
}

/// What a line inherits from the lines before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LineState {
    /// Nothing open.
    #[default]
    Normal,
    /// Inside a YAML block scalar (`|`, `>`) whose parent node starts at this column: lines indented
    /// further (and blank lines) belong to it.
    BlockScalar {
        /// The column of the node the block scalar belongs to.
        parent_indent: usize,
    },
    /// Inside a Markdown code fence.
    CodeFence,
    /// Inside a Markdown (HTML) comment.
    MarkdownComment,
    /// Inside a shell string opened with this quote (`'` or `"`).
    ShellQuote(u8),
}

/// The tokens of one line that starts in `state`, and the state the next line starts in.
pub fn tokenize_line(language: Language, state: LineState, line: &str) -> (Vec<Token>, LineState) {
    let mut out = Vec::new();
    let next = match language {
        Language::Yaml => yaml::line(state, line, &mut out),
        Language::Shell => shell::line(state, line, &mut out),
        Language::Markdown => markdown::line(state, line, &mut out),
    };
    (out, next)
}

/// The state each line of `text` starts in (one entry per line of [`str::lines`]).
pub fn line_states(language: Language, text: &str) -> Vec<LineState> {
    let mut state = LineState::Normal;
    text.lines()
        .map(|line| {
            let start = state;
            state = tokenize_line(language, state, line).1;
            start
        })
        .collect()
}

/// The tokens of a whole text, with ranges into `text`.
pub fn tokenize(language: Language, text: &str) -> Vec<Token> {
    let mut state = LineState::Normal;
    let mut tokens = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let (line_tokens, next) = tokenize_line(language, state, content);
        tokens.extend(line_tokens.into_iter().map(|t| Token {
            kind: t.kind,
            range: t.range.start + offset..t.range.end + offset,
        }));
        state = next;
        offset += line.len();
    }
    tokens
}

fn push(out: &mut Vec<Token>, kind: TokenKind, range: Range<usize>) {
    if !range.is_empty() {
        out.push(Token { kind, range });
    }
}

fn skip_spaces(bytes: &[u8], mut pos: usize) -> usize {
    while bytes.get(pos).is_some_and(|b| *b == b' ' || *b == b'\t') {
        pos += 1;
    }
    pos
}

/// Where the expression starting at `pos` ends (exclusive), if one starts there: `${{ … }}`,
/// `$( … )` (balanced) or `$[ … ]` (balanced). An unclosed expression runs to `end`.
fn expression_at(bytes: &[u8], pos: usize, end: usize) -> Option<usize> {
    if bytes.get(pos) != Some(&b'$') {
        return None;
    }
    let rest = &bytes[pos..end];
    if rest.starts_with(b"${{") {
        let close = rest[3..]
            .windows(2)
            .position(|w| w == b"}}")
            .map_or(end, |i| pos + 3 + i + 2);
        return Some(close);
    }
    match rest.get(1) {
        Some(b'(') => Some(balanced(bytes, pos + 1, end, b'(', b')')),
        Some(b'[') => Some(balanced(bytes, pos + 1, end, b'[', b']')),
        _ => None,
    }
}

/// The end (exclusive) of the bracketed text opening at `open_pos`, skipping quoted text inside.
fn balanced(bytes: &[u8], open_pos: usize, end: usize, open: u8, close: u8) -> usize {
    let mut depth = 0usize;
    let mut pos = open_pos;
    while pos < end {
        let b = bytes[pos];
        if b == open {
            depth += 1;
        } else if b == close {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return pos + 1;
            }
        } else if (b == b'\'' || b == b'"') && pos > open_pos {
            pos = quoted_end(bytes, pos, end, b == b'"');
            continue;
        }
        pos += 1;
    }
    end
}

/// The end (exclusive) of the quoted text opening at `pos`: `'…'` with `''` doubled, or `"…"` with
/// backslash escapes. An unclosed quote runs to `end`.
fn quoted_end(bytes: &[u8], pos: usize, end: usize, backslash: bool) -> usize {
    let quote = bytes[pos];
    let mut i = pos + 1;
    while i < end {
        let b = bytes[i];
        if backslash && b == b'\\' {
            i += 2;
            continue;
        }
        if b == quote {
            if !backslash && bytes.get(i + 1) == Some(&quote) && i + 1 < end {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    end
}

/// Pushes `range` as `base` (or leaves it plain when `None`), with pipeline expressions inside it
/// split out as [`TokenKind::Expression`].
fn with_expressions(
    line: &str,
    range: Range<usize>,
    base: Option<TokenKind>,
    out: &mut Vec<Token>,
) {
    let bytes = line.as_bytes();
    let mut plain_from = range.start;
    let mut pos = range.start;
    while pos < range.end {
        if let Some(end) = expression_at(bytes, pos, range.end) {
            if let Some(kind) = base {
                push(out, kind, plain_from..pos);
            }
            push(out, TokenKind::Expression, pos..end);
            pos = end;
            plain_from = end;
        } else {
            pos += 1;
        }
    }
    if let Some(kind) = base {
        push(out, kind, plain_from..range.end);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The tokens of `text` as (kind, text) pairs.
    pub(super) fn spans(language: Language, text: &str) -> Vec<(TokenKind, &str)> {
        tokenize(language, text)
            .into_iter()
            .map(|t| (t.kind, &text[t.range]))
            .collect()
    }

    #[test]
    fn unclosed_and_odd_text_never_panics_and_stays_in_the_line() {
        for language in [Language::Yaml, Language::Shell, Language::Markdown] {
            for text in [
                "key: '${{ unclosed",
                "\"",
                "$(",
                "- - -",
                "a: |x",
                "```",
                "**",
                "é: ü ${{ ö }} $( ä",
                "#",
                ": :",
            ] {
                for token in tokenize(language, text) {
                    assert!(token.range.end <= text.len() && token.range.start < token.range.end);
                    assert!(text.is_char_boundary(token.range.start));
                    assert!(text.is_char_boundary(token.range.end));
                }
            }
        }
    }
}
