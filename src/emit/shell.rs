//! Small text helpers shared by the emitters: expression string literals and script preludes.

/// `text` as a single-quoted string literal of Azure and GitHub expressions (`'` doubled).
pub fn expression_string(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The `open_pull_request TARGET SOURCE TITLE` shell function, with the platform's command as body.
pub fn open_pull_request_function(command: &str) -> String {
    format!("open_pull_request() {{\n  {command}\n}}\n")
}

/// `script` with `prelude` inserted after its first line (`set -euo pipefail`).
pub fn with_prelude(script: &str, prelude: &str) -> String {
    match script.split_once('\n') {
        Some((first, rest)) => format!("{first}\n{prelude}{rest}"),
        None => format!("{script}\n{prelude}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_doubled_in_expression_literals() {
        assert_eq!(expression_string("refs/heads/it's"), "'refs/heads/it''s'");
    }

    #[test]
    fn preludes_go_after_the_first_line() {
        assert_eq!(
            with_prelude("set -e\necho hi\n", "f() { :; }\n"),
            "set -e\nf() { :; }\necho hi\n"
        );
    }
}
