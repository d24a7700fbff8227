//! The syntax shared by both platforms' expression languages: tokens and a tree. GitHub has the
//! operators `! == != < <= > >= && ||`; Azure writes everything as function calls, so the parser
//! refuses operators when told the language has none.

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A literal: string, number, boolean or null.
    Literal(serde_json::Value),
    /// A context or variable reference with its property accesses: `needs.build.result`,
    /// `variables['Build.SourceBranch']`, `needs.*.result`.
    Path(String, Vec<Segment>),
    /// A function call.
    Call(String, Vec<Expr>),
    /// `!x`.
    Not(Box<Expr>),
    /// `a && b`.
    And(Box<Expr>, Box<Expr>),
    /// `a || b`.
    Or(Box<Expr>, Box<Expr>),
    /// A comparison.
    Compare(Comparison, Box<Expr>, Box<Expr>),
}

/// One property access after a context name.
#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    /// `.name`.
    Field(String),
    /// `[expr]`.
    Index(Expr),
    /// `.*`: every value of an object or array.
    Star,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    Str(String),
    Num(f64),
    Op(&'static str),
}

const OPERATORS: [&str; 15] = [
    "==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "(", ")", "[", "]", ".", ",",
];

fn tokens(text: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' {
            let mut s = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err("a string is not closed (missing ')".into()),
                    Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                        s.push('\'');
                        i += 2;
                    }
                    Some('\'') => {
                        i += 1;
                        break;
                    }
                    Some(ch) => {
                        s.push(*ch);
                        i += 1;
                    }
                }
            }
            out.push(Token::Str(s));
        } else if c.is_ascii_digit()
            || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let start = i;
            i += 1;
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric() || chars[i] == '.' || chars[i] == '_')
            {
                i += 1;
            }
            let literal: String = chars[start..i].iter().collect();
            out.push(Token::Num(
                parse_number(&literal).ok_or_else(|| format!("`{literal}` is not a number"))?,
            ));
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '-')
            {
                i += 1;
            }
            out.push(Token::Ident(chars[start..i].iter().collect()));
        } else if c == '*' {
            out.push(Token::Op("*"));
            i += 1;
        } else {
            let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
            let Some(op) = OPERATORS.iter().find(|op| rest.starts_with(**op)) else {
                return Err(format!("unexpected character `{c}`"));
            };
            out.push(Token::Op(op));
            i += op.len();
        }
    }
    Ok(out)
}

/// Parses a number as the platforms write them: decimal, exponent or `0x` hexadecimal.
pub fn parse_number(text: &str) -> Option<f64> {
    let text = text.trim();
    if let Some(hex) = text.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok().map(|n| n as f64);
    }
    text.parse::<f64>().ok()
}

/// Parses `text`; `operators` says whether the language has GitHub's operators.
pub fn parse(text: &str, operators: bool) -> Result<Expr, String> {
    let tokens = tokens(text)?;
    if tokens.is_empty() {
        return Err("the expression is empty".into());
    }
    let mut parser = Parser {
        tokens,
        at: 0,
        operators,
    };
    let expr = parser.or()?;
    match parser.tokens.get(parser.at) {
        None => Ok(expr),
        Some(token) => Err(format!(
            "unexpected {} after the expression",
            describe(token)
        )),
    }
}

fn describe(token: &Token) -> String {
    match token {
        Token::Ident(s) => format!("`{s}`"),
        Token::Str(s) => format!("'{s}'"),
        Token::Num(n) => format!("`{n}`"),
        Token::Op(op) => format!("`{op}`"),
    }
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    operators: bool,
}

impl Parser {
    fn peek_op(&self, op: &str) -> bool {
        matches!(self.tokens.get(self.at), Some(Token::Op(o)) if *o == op)
    }

    fn take_op(&mut self, op: &str) -> Result<bool, String> {
        if !self.peek_op(op) {
            return Ok(false);
        }
        if !self.operators && !matches!(op, "(" | ")" | "[" | "]" | "." | "," | "*") {
            return Err(format!(
                "`{op}` is not an operator here; Azure expressions use functions (and, or, not, eq, ne…)"
            ));
        }
        self.at += 1;
        Ok(true)
    }

    fn expect_op(&mut self, op: &str) -> Result<(), String> {
        if self.take_op(op)? {
            Ok(())
        } else {
            match self.tokens.get(self.at) {
                Some(token) => Err(format!("expected `{op}`, found {}", describe(token))),
                None => Err(format!("expected `{op}` at the end")),
            }
        }
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut left = self.and()?;
        while self.take_op("||")? {
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut left = self.equality()?;
        while self.take_op("&&")? {
            left = Expr::And(Box::new(left), Box::new(self.equality()?));
        }
        Ok(left)
    }

    fn equality(&mut self) -> Result<Expr, String> {
        let mut left = self.relation()?;
        loop {
            let op = if self.take_op("==")? {
                Comparison::Eq
            } else if self.take_op("!=")? {
                Comparison::Ne
            } else {
                return Ok(left);
            };
            left = Expr::Compare(op, Box::new(left), Box::new(self.relation()?));
        }
    }

    fn relation(&mut self) -> Result<Expr, String> {
        let mut left = self.unary()?;
        loop {
            let op = if self.take_op("<=")? {
                Comparison::Le
            } else if self.take_op(">=")? {
                Comparison::Ge
            } else if self.take_op("<")? {
                Comparison::Lt
            } else if self.take_op(">")? {
                Comparison::Gt
            } else {
                return Ok(left);
            };
            left = Expr::Compare(op, Box::new(left), Box::new(self.unary()?));
        }
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.take_op("!")? {
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        self.postfix()
    }

    fn postfix(&mut self) -> Result<Expr, String> {
        let primary = self.primary()?;
        let Expr::Path(root, mut segments) = primary else {
            return Ok(primary);
        };
        loop {
            if self.take_op(".")? {
                match self.tokens.get(self.at).cloned() {
                    Some(Token::Ident(name)) => segments.push(Segment::Field(name)),
                    Some(Token::Op("*")) => segments.push(Segment::Star),
                    Some(token) => {
                        return Err(format!(
                            "expected a property name, found {}",
                            describe(&token)
                        ));
                    }
                    None => return Err("expected a property name at the end".into()),
                }
                self.at += 1;
            } else if self.take_op("[")? {
                let index = self.or()?;
                self.expect_op("]")?;
                segments.push(Segment::Index(index));
            } else {
                return Ok(Expr::Path(root, segments));
            }
        }
    }

    fn primary(&mut self) -> Result<Expr, String> {
        let Some(token) = self.tokens.get(self.at).cloned() else {
            return Err("the expression ends too early".into());
        };
        self.at += 1;
        match token {
            Token::Str(s) => Ok(Expr::Literal(serde_json::Value::String(s))),
            Token::Num(n) => Ok(Expr::Literal(number(n))),
            Token::Op("(") => {
                let inner = self.or()?;
                self.expect_op(")")?;
                Ok(inner)
            }
            Token::Op(op) => Err(format!("unexpected `{op}`")),
            Token::Ident(name) => {
                if self.peek_op("(") {
                    self.at += 1;
                    let mut args = Vec::new();
                    if !self.take_op(")")? {
                        loop {
                            args.push(self.or()?);
                            if self.take_op(")")? {
                                break;
                            }
                            self.expect_op(",")?;
                        }
                    }
                    return Ok(Expr::Call(name, args));
                }
                Ok(match name.to_ascii_lowercase().as_str() {
                    "true" => Expr::Literal(serde_json::Value::Bool(true)),
                    "false" => Expr::Literal(serde_json::Value::Bool(false)),
                    "null" => Expr::Literal(serde_json::Value::Null),
                    _ => Expr::Path(name, Vec::new()),
                })
            }
        }
    }
}

/// A JSON number from a float, integral when it is one.
pub fn number(n: f64) -> serde_json::Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        serde_json::Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(serde_json::Value::Null, serde_json::Value::Number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_operators_have_their_precedence() {
        let e = parse("failure() && needs.deploy.result == 'failure'", true).unwrap();
        let Expr::And(left, right) = e else {
            panic!("{e:?}")
        };
        assert_eq!(*left, Expr::Call("failure".into(), vec![]));
        assert!(matches!(*right, Expr::Compare(Comparison::Eq, _, _)));
    }

    #[test]
    fn paths_take_fields_indexes_and_stars() {
        let e = parse("variables['Build.SourceBranch']", false).unwrap();
        assert_eq!(
            e,
            Expr::Path(
                "variables".into(),
                vec![Segment::Index(Expr::Literal("Build.SourceBranch".into()))]
            )
        );
        let e = parse("needs.*.result", true).unwrap();
        assert_eq!(
            e,
            Expr::Path(
                "needs".into(),
                vec![Segment::Star, Segment::Field("result".into())]
            )
        );
    }

    #[test]
    fn strings_escape_quotes_by_doubling() {
        assert_eq!(
            parse("'it''s'", true).unwrap(),
            Expr::Literal("it's".into())
        );
    }

    #[test]
    fn azure_refuses_operators() {
        let error = parse("a == b", false).unwrap_err();
        assert!(error.contains("Azure"), "{error}");
        assert!(parse("and(succeeded(), eq(variables.x, 'y'))", false).is_ok());
    }

    #[test]
    fn bad_syntax_is_an_error() {
        assert!(parse("success(", true).is_err());
        assert!(parse("a b", true).is_err());
        assert!(parse("'open", true).is_err());
        assert!(parse("", true).is_err());
    }
}
