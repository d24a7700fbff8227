//! Markdown: headings, code spans and fences, strong emphasis, list markers and comments.

use super::{LineState, Token, TokenKind, push, skip_spaces};

/// The tokens of a Markdown line that starts in `state`; returns the state the next line starts in.
pub(super) fn line(state: LineState, line: &str, out: &mut Vec<Token>) -> LineState {
    let bytes = line.as_bytes();
    let indent = skip_spaces(bytes, 0);
    let rest = &line[indent..];
    let fence = rest.starts_with("```") || rest.starts_with("~~~");
    match state {
        LineState::CodeFence => {
            push(out, TokenKind::Code, 0..bytes.len());
            return if fence {
                LineState::Normal
            } else {
                LineState::CodeFence
            };
        }
        LineState::MarkdownComment => match line.find("-->") {
            Some(i) => {
                push(out, TokenKind::Comment, 0..i + 3);
                return markdown_inline(line, i + 3, out);
            }
            None => {
                push(out, TokenKind::Comment, 0..bytes.len());
                return state;
            }
        },
        _ => {}
    }
    if fence {
        push(out, TokenKind::Code, 0..bytes.len());
        return LineState::CodeFence;
    }
    let hashes = rest.bytes().take_while(|b| *b == b'#').count();
    if (1..=6).contains(&hashes) && matches!(rest.as_bytes().get(hashes), None | Some(b' ')) {
        push(out, TokenKind::Heading, indent..bytes.len());
        return LineState::Normal;
    }
    let mut pos = indent;
    let marker = if rest.starts_with("- ")
        || rest.starts_with("* ")
        || rest.starts_with("+ ")
        || rest.starts_with("> ")
    {
        1
    } else {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && rest[digits..].starts_with(". ") {
            digits + 1
        } else {
            0
        }
    };
    if marker > 0 {
        push(out, TokenKind::Punctuation, pos..pos + marker);
        pos += marker;
    }
    markdown_inline(line, pos, out)
}

/// Inline Markdown from `pos`: code spans, strong emphasis, comments.
fn markdown_inline(line: &str, mut pos: usize, out: &mut Vec<Token>) -> LineState {
    let bytes = line.as_bytes();
    let len = bytes.len();
    while pos < len {
        let rest = &line[pos..];
        if bytes[pos] == b'`' {
            let ticks = rest.bytes().take_while(|b| *b == b'`').count();
            let fence = &rest[..ticks];
            if let Some(close) = rest[ticks..].find(fence) {
                let end = pos + ticks + close + ticks;
                push(out, TokenKind::Code, pos..end);
                pos = end;
            } else {
                pos += ticks;
            }
        } else if let Some(after) = rest.strip_prefix("**") {
            match after.find("**") {
                Some(close) => {
                    let end = pos + 2 + close + 2;
                    push(out, TokenKind::Strong, pos..end);
                    pos = end;
                }
                None => pos += 2,
            }
        } else if let Some(after) = rest.strip_prefix("<!--") {
            match after.find("-->") {
                Some(close) => {
                    let end = pos + 4 + close + 3;
                    push(out, TokenKind::Comment, pos..end);
                    pos = end;
                }
                None => {
                    push(out, TokenKind::Comment, pos..len);
                    return LineState::MarkdownComment;
                }
            }
        } else {
            pos += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
    LineState::Normal
}

#[cfg(test)]
mod tests {
    use super::super::tests::spans;
    use super::super::{Language, TokenKind::*};

    #[test]
    fn markdown_headings_code_and_comments() {
        let text = "<!-- Generated -->\n# Hotfix runbook\n\n- **For:** P0 in `claims-api`\n```sh\n# a shell comment, not a heading\n```\n1. Done\n";
        assert_eq!(
            spans(Language::Markdown, text),
            vec![
                (Comment, "<!-- Generated -->"),
                (Heading, "# Hotfix runbook"),
                (Punctuation, "-"),
                (Strong, "**For:**"),
                (Code, "`claims-api`"),
                (Code, "```sh"),
                (Code, "# a shell comment, not a heading"),
                (Code, "```"),
                (Punctuation, "1."),
            ]
        );
    }
}
