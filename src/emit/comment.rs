//! Plan text inside a generated comment. YAML and bash comments end at a line break, and YAML parsers
//! treat U+0085, U+2028 and U+2029 as line breaks too; a name holding one could add keys to a workflow.
//! Every character that could end the comment, or that would show as something other than itself
//! (control characters, bidirectional overrides, zero-width characters), is written as an escape.

/// `text` safe inside a `#` comment: one line, every invisible or line-breaking character escaped as
/// `\u{…}`, and backslashes doubled so the escapes cannot be forged.
pub fn comment_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '\\' {
            out.push_str("\\\\");
        } else if needs_escape(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether `c` ends a line, is invisible, or reorders what is displayed.
pub fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{feff}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_of_every_kind_stay_inside_the_comment() {
        for hostile in [
            "a\nenv: x",
            "a\renv: x",
            "a\u{85}env: x",
            "a\u{2028}env: x",
            "a\u{2029}env: x",
        ] {
            let text = comment_text(hostile);
            assert!(!text.chars().any(needs_escape), "{text:?}");
            assert!(text.contains("\\u{"), "{text:?}");
        }
        assert_eq!(comment_text("plain name"), "plain name");
        assert_eq!(comment_text("back\\u{a}"), "back\\\\u{a}");
        assert_eq!(comment_text("bidi\u{202e}x"), "bidi\\u{202e}x");
    }
}
