//! YAML: comments, keys, quoted strings, block scalars, literals, flow collections and pipeline
//! expressions.

use super::{LineState, Token, TokenKind, push, quoted_end, skip_spaces, with_expressions};

/// The tokens of a YAML line that starts in `state`; returns the state the next line starts in.
pub(super) fn line(state: LineState, line: &str, out: &mut Vec<Token>) -> LineState {
    let bytes = line.as_bytes();
    let indent = skip_spaces(bytes, 0);
    if let LineState::BlockScalar { parent_indent } = state {
        if indent == bytes.len() {
            return state;
        }
        if indent > parent_indent {
            with_expressions(line, indent..bytes.len(), Some(TokenKind::String), out);
            return state;
        }
    }
    let mut pos = indent;
    let mut node_indent = indent;
    // Sequence entries, "- " (also "- - x").
    while bytes.get(pos) == Some(&b'-') && matches!(bytes.get(pos + 1), None | Some(b' ')) {
        push(out, TokenKind::Punctuation, pos..pos + 1);
        node_indent = pos;
        pos = skip_spaces(bytes, pos + 1);
    }
    if pos >= bytes.len() {
        return LineState::Normal;
    }
    if bytes[pos] == b'#' {
        push(out, TokenKind::Comment, pos..bytes.len());
        return LineState::Normal;
    }
    let mut parent = node_indent;
    if let Some(colon) = yaml_key_end(bytes, pos) {
        push(out, TokenKind::Key, pos..colon);
        push(out, TokenKind::Punctuation, colon..colon + 1);
        parent = pos;
        pos = skip_spaces(bytes, colon + 1);
    }
    yaml_value(line, pos, parent, out)
}

/// The position of the `:` ending the mapping key that starts at `start`, if one does.
fn yaml_key_end(bytes: &[u8], start: usize) -> Option<usize> {
    let colon_ends_key = |i: usize| {
        bytes.get(i) == Some(&b':') && matches!(bytes.get(i + 1), None | Some(b' ') | Some(b'\t'))
    };
    match bytes[start] {
        b'\'' | b'"' => {
            let end = quoted_end(bytes, start, bytes.len(), bytes[start] == b'"');
            colon_ends_key(end).then_some(end)
        }
        b'[' | b'{' | b'|' | b'>' | b'&' | b'*' | b'!' | b'%' | b'@' | b'`' => None,
        _ => {
            for i in start..bytes.len() {
                if colon_ends_key(i) {
                    return (i > start).then_some(i);
                }
                if bytes[i] == b'#' && i > start && bytes[i - 1] == b' ' {
                    return None;
                }
            }
            None
        }
    }
}

fn yaml_value(line: &str, pos: usize, parent: usize, out: &mut Vec<Token>) -> LineState {
    let bytes = line.as_bytes();
    let len = bytes.len();
    if pos >= len {
        return LineState::Normal;
    }
    match bytes[pos] {
        b'#' => push(out, TokenKind::Comment, pos..len),
        b'|' | b'>' => {
            let mut end = pos + 1;
            while end < len && matches!(bytes[end], b'+' | b'-' | b'1'..=b'9') {
                end += 1;
            }
            let rest = skip_spaces(bytes, end);
            if rest == len || bytes[rest] == b'#' {
                push(out, TokenKind::Punctuation, pos..end);
                push(out, TokenKind::Comment, rest..len);
                return LineState::BlockScalar {
                    parent_indent: parent,
                };
            }
            yaml_plain(line, pos, out);
        }
        b'\'' | b'"' => {
            let end = quoted_end(bytes, pos, len, bytes[pos] == b'"');
            with_expressions(line, pos..end, Some(TokenKind::String), out);
            let rest = skip_spaces(bytes, end);
            if bytes.get(rest) == Some(&b'#') {
                push(out, TokenKind::Comment, rest..len);
            }
        }
        b'{' | b'[' => yaml_flow(line, pos, out),
        _ => yaml_plain(line, pos, out),
    }
    LineState::Normal
}

/// A plain (unquoted) scalar from `pos`: a literal, or text with expressions; a ` #` starts a comment.
fn yaml_plain(line: &str, pos: usize, out: &mut Vec<Token>) {
    let bytes = line.as_bytes();
    let comment = (pos + 1..bytes.len()).find(|&i| bytes[i] == b'#' && bytes[i - 1] == b' ');
    let end = comment.unwrap_or(bytes.len());
    let value = line[pos..end].trim_end();
    let value_end = pos + value.len();
    if is_literal(value) {
        push(out, TokenKind::Literal, pos..value_end);
    } else {
        with_expressions(line, pos..value_end, None, out);
    }
    if let Some(c) = comment {
        push(out, TokenKind::Comment, c..bytes.len());
    }
}

/// A flow collection (`{…}`, `[…]`) on one line: brackets, commas and colons as punctuation,
/// quoted strings, literals.
fn yaml_flow(line: &str, mut pos: usize, out: &mut Vec<Token>) {
    let bytes = line.as_bytes();
    let len = bytes.len();
    while pos < len {
        match bytes[pos] {
            b'{' | b'}' | b'[' | b']' | b',' | b':' => {
                push(out, TokenKind::Punctuation, pos..pos + 1);
                pos += 1;
            }
            b' ' | b'\t' => pos += 1,
            b'#' if pos > 0 && bytes[pos - 1] == b' ' => {
                push(out, TokenKind::Comment, pos..len);
                return;
            }
            b'\'' | b'"' => {
                let end = quoted_end(bytes, pos, len, bytes[pos] == b'"');
                with_expressions(line, pos..end, Some(TokenKind::String), out);
                pos = end;
            }
            _ => {
                let end = (pos..len)
                    .find(|&i| matches!(bytes[i], b'{' | b'}' | b'[' | b']' | b','))
                    .unwrap_or(len);
                let item = line[pos..end].trim_end();
                if is_literal(item) {
                    push(out, TokenKind::Literal, pos..pos + item.len());
                }
                pos = end;
            }
        }
    }
}

fn is_literal(value: &str) -> bool {
    matches!(
        value,
        "true" | "false" | "null" | "~" | "True" | "False" | "Null"
    ) || (value
        .trim_start_matches(['-', '+'])
        .starts_with(|c: char| c.is_ascii_digit())
        && value.parse::<f64>().is_ok())
}

#[cfg(test)]
mod tests {
    use super::super::tests::spans;
    use super::super::{Language, TokenKind::*};
    use super::super::{LineState, line_states};

    #[test]
    fn yaml_comment_key_string_and_expression() {
        let text =
            "# Generated by Cutover\nname: release\nclient-id: '${{ secrets.AZURE_CLIENT_ID }}'\n";
        assert_eq!(
            spans(Language::Yaml, text),
            vec![
                (Comment, "# Generated by Cutover"),
                (Key, "name"),
                (Punctuation, ":"),
                (Key, "client-id"),
                (Punctuation, ":"),
                (String, "'"),
                (Expression, "${{ secrets.AZURE_CLIENT_ID }}"),
                (String, "'"),
            ]
        );
    }

    #[test]
    fn yaml_sequence_quoted_key_literals_and_trailing_comment() {
        let text =
            "'on':\n  - stage: build # first\n    timeout: 60\n    enabled: true\n  push: {}\n";
        assert_eq!(
            spans(Language::Yaml, text),
            vec![
                (Key, "'on'"),
                (Punctuation, ":"),
                (Punctuation, "-"),
                (Key, "stage"),
                (Punctuation, ":"),
                (Comment, "# first"),
                (Key, "timeout"),
                (Punctuation, ":"),
                (Literal, "60"),
                (Key, "enabled"),
                (Punctuation, ":"),
                (Literal, "true"),
                (Key, "push"),
                (Punctuation, ":"),
                (Punctuation, "{"),
                (Punctuation, "}"),
            ]
        );
    }

    #[test]
    fn a_yaml_block_scalar_is_text_until_the_indentation_returns() {
        let text = "steps:\n  - bash: |\n      # not a comment\n      id=$(date)\n\n      echo: done\n    displayName: Build\n";
        assert_eq!(
            spans(Language::Yaml, text),
            vec![
                (Key, "steps"),
                (Punctuation, ":"),
                (Punctuation, "-"),
                (Key, "bash"),
                (Punctuation, ":"),
                (Punctuation, "|"),
                (String, "# not a comment"),
                (String, "id="),
                (Expression, "$(date)"),
                (String, "echo: done"),
                (Key, "displayName"),
                (Punctuation, ":"),
            ]
        );
        let states = line_states(Language::Yaml, text);
        assert_eq!(states[0], LineState::Normal);
        assert_eq!(states[2], LineState::BlockScalar { parent_indent: 4 });
        assert_eq!(states[6], LineState::BlockScalar { parent_indent: 4 });
    }

    #[test]
    fn yaml_expressions_in_plain_values_and_double_quotes() {
        let text = "if: ${{ failure() }}\nid: \"$(Build.BuildId) and $[ variables.x ]\"\nurl: http://a#b\n";
        assert_eq!(
            spans(Language::Yaml, text),
            vec![
                (Key, "if"),
                (Punctuation, ":"),
                (Expression, "${{ failure() }}"),
                (Key, "id"),
                (Punctuation, ":"),
                (String, "\""),
                (Expression, "$(Build.BuildId)"),
                (String, " and "),
                (Expression, "$[ variables.x ]"),
                (String, "\""),
                (Key, "url"),
                (Punctuation, ":"),
            ]
        );
    }
}
