//! Bash: comments, strings (also across lines), keywords and expansions.

use std::ops::Range;

use super::{LineState, Token, TokenKind, balanced, push};

const SHELL_KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "for", "in", "do", "done", "while", "until", "case",
    "esac", "function", "local", "return", "exit", "set", "shift", "export", "readonly", "declare",
];

/// The tokens of a line of a bash script that starts in `state`; returns the state the next line starts in.
pub(super) fn line(state: LineState, line: &str, out: &mut Vec<Token>) -> LineState {
    let bytes = line.as_bytes();
    let len = bytes.len();
    let mut pos = 0;
    if let LineState::ShellQuote(quote) = state {
        let (end, closed) = shell_string_end(bytes, 0, quote);
        shell_string(line, 0..end, quote, out);
        if !closed {
            return state;
        }
        pos = end;
    }
    while pos < len {
        let b = bytes[pos];
        let word_start =
            pos == 0 || matches!(bytes[pos - 1], b' ' | b'\t' | b';' | b'|' | b'&' | b'(');
        match b {
            b'#' if word_start => {
                push(out, TokenKind::Comment, pos..len);
                return LineState::Normal;
            }
            b'\'' | b'"' => {
                let (end, closed) = shell_string_end(bytes, pos + 1, b);
                shell_string(line, pos..end, b, out);
                if !closed {
                    return LineState::ShellQuote(b);
                }
                pos = end;
            }
            b'$' => match expansion_end(bytes, pos, len) {
                Some(end) => {
                    push(out, TokenKind::Expression, pos..end);
                    pos = end;
                }
                None => pos += 1,
            },
            b'\\' => pos = (pos + 2).min(len),
            _ if word_start && b.is_ascii_alphabetic() => {
                let end = (pos..len)
                    .find(|&i| !(bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_'))
                    .unwrap_or(len);
                let word = &line[pos..end];
                let boundary = bytes
                    .get(end)
                    .is_none_or(|c| matches!(c, b' ' | b'\t' | b';' | b')'));
                if boundary && SHELL_KEYWORDS.contains(&word) {
                    push(out, TokenKind::Key, pos..end);
                }
                pos = end;
            }
            _ => pos += 1,
        }
    }
    LineState::Normal
}

/// The end (exclusive) of a shell string whose text starts at `from`, and whether it closed on
/// this line. Expansions inside double quotes may hold quotes of their own.
fn shell_string_end(bytes: &[u8], from: usize, quote: u8) -> (usize, bool) {
    let mut i = from;
    while i < bytes.len() {
        let b = bytes[i];
        if quote == b'"' {
            if b == b'\\' {
                i += 2;
                continue;
            }
            if b == b'$' && bytes.get(i + 1) == Some(&b'(') {
                i = balanced(bytes, i + 1, bytes.len(), b'(', b')');
                continue;
            }
        }
        if b == quote {
            return (i + 1, true);
        }
        i += 1;
    }
    (bytes.len(), false)
}

/// Pushes a shell string; expansions inside double quotes are split out.
fn shell_string(line: &str, range: Range<usize>, quote: u8, out: &mut Vec<Token>) {
    if quote == b'\'' {
        push(out, TokenKind::String, range);
        return;
    }
    let bytes = line.as_bytes();
    let mut plain_from = range.start;
    let mut pos = range.start;
    while pos < range.end {
        if bytes[pos] == b'\\' {
            pos += 2;
            continue;
        }
        if bytes[pos] == b'$'
            && let Some(end) = expansion_end(bytes, pos, range.end)
        {
            push(out, TokenKind::String, plain_from..pos);
            push(out, TokenKind::Expression, pos..end);
            pos = end;
            plain_from = end;
            continue;
        }
        pos += 1;
    }
    push(
        out,
        TokenKind::String,
        plain_from..range.end.min(bytes.len()),
    );
}

/// The end of the shell expansion at `pos` (a `$`): `$( … )`, `${ … }`, `$name`, `$1`, `$@`…
fn expansion_end(bytes: &[u8], pos: usize, end: usize) -> Option<usize> {
    match bytes.get(pos + 1)? {
        b'(' => Some(balanced(bytes, pos + 1, end, b'(', b')')),
        b'{' => Some(balanced(bytes, pos + 1, end, b'{', b'}')),
        b'@' | b'*' | b'#' | b'?' | b'$' | b'!' | b'-' | b'0'..=b'9' => Some((pos + 2).min(end)),
        c if c.is_ascii_alphabetic() || *c == b'_' => Some(
            (pos + 1..end)
                .find(|&i| !(bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_'))
                .unwrap_or(end),
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::spans;
    use super::super::{Language, TokenKind::*};

    #[test]
    fn shell_comments_strings_keywords_and_expansions_across_lines() {
        let text = "# Setup\nif [ \"$#\" -gt 0 ]; then\n  x=$(jq '.a' \"$f\") # why\nfi\njq '{a: 1,\n  b: 2}' \"${1:-x}\"\n";
        assert_eq!(
            spans(Language::Shell, text),
            vec![
                (Comment, "# Setup"),
                (Key, "if"),
                (String, "\""),
                (Expression, "$#"),
                (String, "\""),
                (Key, "then"),
                (Expression, "$(jq '.a' \"$f\")"),
                (Comment, "# why"),
                (Key, "fi"),
                (String, "'{a: 1,"),
                (String, "  b: 2}'"),
                (String, "\""),
                (Expression, "${1:-x}"),
                (String, "\""),
            ]
        );
    }
}
