//! Small text helpers shared by the emitters.

/// `text` as a single-quoted string literal of Azure and GitHub expressions (`'` doubled).
pub fn expression_string(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_doubled_in_expression_literals() {
        assert_eq!(expression_string("refs/heads/it's"), "'refs/heads/it''s'");
    }
}
