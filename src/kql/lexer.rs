//! Splits KQL text into tokens, each with the byte offset it starts at. Comments (`//` to the
//! end of the line) and whitespace are dropped; string literals arrive decoded; a number glued
//! to a unit (`1d`, `30m`, `100ms`) is a timespan.

use super::Fault;

/// What a token is.
#[derive(Debug, Clone, PartialEq)]
pub enum TokenKind {
    /// A name: a column, table, function or keyword; `$left`/`$right` and the hyphenated
    /// operator names (`project-away`, `mv-expand`) are one name each.
    Name(String),
    /// A bracketed name, `['my column']`.
    QuotedName(String),
    /// A string literal, decoded.
    Str(String),
    /// An integer literal.
    Long(i64),
    /// A literal with a fraction or an exponent.
    Real(f64),
    /// A timespan literal, in 100-nanosecond ticks as Kusto keeps it.
    Timespan(i64),
    /// The text inside `datetime(...)`, `guid(...)` or `timespan(...)`, kept as written.
    Raw(String),
    /// Punctuation or an operator: `|`, `==`, `=~`, `!`, `(` ...
    Symbol(&'static str),
    /// The end of the text.
    End,
}

/// One token and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub kind: TokenKind,
    pub offset: usize,
    /// Where the token ends (exclusive), so the parser can tell glued tokens (`!has`).
    pub end: usize,
}

/// Names joined by a hyphen into one operator name.
const HYPHENATED: &[&str] = &[
    "project-away",
    "project-rename",
    "project-reorder",
    "project-keep",
    "mv-expand",
    "mv-apply",
    "make-series",
    "parse-where",
    "parse-kv",
    "top-nested",
    "top-hitters",
];

/// Symbols, longest first so that `==` wins over `=`.
const SYMBOLS: &[&str] = &[
    "==", "!=", "=~", "!~", "<=", ">=", "<>", "=>", "..", "|", "(", ")", "[", "]", "{", "}", ",",
    ";", ":", ".", "=", "<", ">", "+", "-", "*", "/", "%", "!", "@", "~",
];

/// Literals whose argument is read as raw text: `datetime(2024-01-01 10:00)`.
const RAW_ARGUMENT: &[&str] = &["datetime", "guid", "timespan", "time"];

/// Ticks per unit of a timespan literal, by the unit's spellings.
const UNITS: &[(&str, i64)] = &[
    ("d", 864_000_000_000),
    ("day", 864_000_000_000),
    ("days", 864_000_000_000),
    ("h", 36_000_000_000),
    ("hr", 36_000_000_000),
    ("hrs", 36_000_000_000),
    ("hour", 36_000_000_000),
    ("hours", 36_000_000_000),
    ("m", 600_000_000),
    ("min", 600_000_000),
    ("minute", 600_000_000),
    ("minutes", 600_000_000),
    ("s", 10_000_000),
    ("sec", 10_000_000),
    ("second", 10_000_000),
    ("seconds", 10_000_000),
    ("ms", 10_000),
    ("milli", 10_000),
    ("millis", 10_000),
    ("millisecond", 10_000),
    ("milliseconds", 10_000),
    ("microsecond", 10),
    ("microseconds", 10),
    ("tick", 1),
    ("ticks", 1),
];

/// The tokens of `text`, ending with [`TokenKind::End`].
pub fn tokenize(text: &str) -> Result<Vec<Token>, Fault> {
    let mut lexer = Lexer { text, bytes: text.as_bytes(), pos: 0, tokens: Vec::new() };
    lexer.run()?;
    Ok(lexer.tokens)
}

struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    tokens: Vec<Token>,
}

impl Lexer<'_> {
    fn run(&mut self) -> Result<(), Fault> {
        loop {
            self.skip_blanks();
            let start = self.pos;
            let Some(&byte) = self.bytes.get(start) else {
                self.tokens.push(Token { kind: TokenKind::End, offset: start, end: start });
                return Ok(());
            };
            let kind = match byte {
                b'"' | b'\'' => self.string(start + 1, byte, false)?,
                b'@' if matches!(self.peek(1), Some(b'"' | b'\'')) => {
                    let quote = self.bytes[start + 1];
                    self.string(start + 2, quote, true)?
                }
                b'h' | b'H' if matches!(self.peek(1), Some(b'"' | b'\'')) => {
                    let quote = self.bytes[start + 1];
                    self.string(start + 2, quote, false)?
                }
                b'h' | b'H'
                    if self.peek(1) == Some(b'@') && matches!(self.peek(2), Some(b'"' | b'\'')) =>
                {
                    let quote = self.bytes[start + 2];
                    self.string(start + 3, quote, true)?
                }
                b'`' if self.text[start..].starts_with("```") => self.fenced(start)?,
                b'0'..=b'9' => self.number(start)?,
                b'[' if matches!(self.peek(1), Some(b'"' | b'\'')) => {
                    match self.bracketed_name(start) {
                        Some(name) => name,
                        // `["a", "b"]`: a list of strings, not a quoted name.
                        None => {
                            self.pos = start + 1;
                            TokenKind::Symbol("[")
                        }
                    }
                }
                b if b.is_ascii_alphabetic() || b == b'_' || b == b'$' => {
                    let name = self.name(start);
                    if let TokenKind::Name(word) = &name
                        && RAW_ARGUMENT.contains(&word.to_ascii_lowercase().as_str())
                    {
                        self.tokens.push(Token { kind: name, offset: start, end: self.pos });
                        self.raw_argument()?;
                        continue;
                    }
                    name
                }
                _ => self.symbol(start)?,
            };
            self.tokens.push(Token { kind, offset: start, end: self.pos });
        }
    }

    /// After `datetime` and its kin: `(`, the text up to the matching `)`, and `)`.
    fn raw_argument(&mut self) -> Result<(), Fault> {
        self.skip_blanks();
        if self.bytes.get(self.pos) != Some(&b'(') {
            return Ok(());
        }
        let open = self.pos;
        self.tokens.push(Token { kind: TokenKind::Symbol("("), offset: open, end: open + 1 });
        let Some(length) = self.text[open + 1..].find(')') else {
            return Err(Fault::new(open, "`)` closing this literal"));
        };
        let close = open + 1 + length;
        let raw = self.text[open + 1..close].trim().to_string();
        self.tokens.push(Token { kind: TokenKind::Raw(raw), offset: open + 1, end: close });
        self.tokens.push(Token { kind: TokenKind::Symbol(")"), offset: close, end: close + 1 });
        self.pos = close + 1;
        Ok(())
    }

    fn peek(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.pos + ahead).copied()
    }

    fn skip_blanks(&mut self) {
        while let Some(&b) = self.bytes.get(self.pos) {
            if b.is_ascii_whitespace() {
                self.pos += 1;
            } else if let Some(c) = self.text[self.pos..].chars().next().filter(|c| is_blank(*c)) {
                // Text pasted from web pages and documents carries these between tokens.
                self.pos += c.len_utf8();
            } else if self.text[self.pos..].starts_with("//") {
                while self.bytes.get(self.pos).is_some_and(|&b| b != b'\n') {
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    /// A quoted string whose body starts at `from`; verbatim strings keep backslashes.
    fn string(&mut self, from: usize, quote: u8, verbatim: bool) -> Result<TokenKind, Fault> {
        let start = self.pos;
        let mut value = String::new();
        let mut pos = from;
        loop {
            let Some(c) = self.text[pos..].chars().next() else {
                return Err(Fault::new(start, "a closing quote for this string"));
            };
            if c as u32 == quote as u32 {
                if verbatim && self.bytes.get(pos + 1) == Some(&quote) {
                    value.push(c);
                    pos += 2;
                    continue;
                }
                self.pos = pos + 1;
                return Ok(TokenKind::Str(value));
            }
            if c == '\n' {
                return Err(Fault::new(start, "a closing quote before the end of the line"));
            }
            if c == '\\' && !verbatim {
                let Some(escaped) = self.text[pos + 1..].chars().next() else {
                    return Err(Fault::new(start, "a closing quote for this string"));
                };
                let decoded = match escaped {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    '0' => '\0',
                    '\\' | '"' | '\'' => escaped,
                    _ => return Err(Fault::new(pos, "a known escape (\\n \\t \\r \\\\ \\\" \\')")),
                };
                value.push(decoded);
                pos += 1 + escaped.len_utf8();
                continue;
            }
            value.push(c);
            pos += c.len_utf8();
        }
    }

    /// A multi-line string between triple backticks.
    fn fenced(&mut self, start: usize) -> Result<TokenKind, Fault> {
        let body = start + 3;
        let Some(length) = self.text[body..].find("```") else {
            return Err(Fault::new(start, "a closing ``` for this string"));
        };
        self.pos = body + length + 3;
        Ok(TokenKind::Str(self.text[body..body + length].to_string()))
    }

    /// `['name']`, or None when the string is not followed by `]`.
    fn bracketed_name(&mut self, start: usize) -> Option<TokenKind> {
        let quote = self.bytes[start + 1];
        self.pos = start + 1;
        let Ok(TokenKind::Str(name)) = self.string(start + 2, quote, false) else {
            return None;
        };
        let mut pos = self.pos;
        while self.bytes.get(pos).is_some_and(|b| *b == b' ') {
            pos += 1;
        }
        if self.bytes.get(pos) != Some(&b']') {
            return None;
        }
        self.pos = pos + 1;
        Some(TokenKind::QuotedName(name))
    }

    fn number(&mut self, start: usize) -> Result<TokenKind, Fault> {
        let mut pos = start;
        let digits = |pos: &mut usize, bytes: &[u8]| {
            while bytes.get(*pos).is_some_and(u8::is_ascii_digit) {
                *pos += 1;
            }
        };
        if self.text[start..].starts_with("0x") || self.text[start..].starts_with("0X") {
            pos += 2;
            while self.bytes.get(pos).is_some_and(u8::is_ascii_hexdigit) {
                pos += 1;
            }
            self.pos = pos;
            return i64::from_str_radix(&self.text[start + 2..pos], 16)
                .map(TokenKind::Long)
                .map_err(|_| Fault::new(start, "a hexadecimal number that fits in a long"));
        }
        digits(&mut pos, self.bytes);
        let mut real = false;
        if self.bytes.get(pos) == Some(&b'.')
            && self.bytes.get(pos + 1).is_some_and(u8::is_ascii_digit)
        {
            real = true;
            pos += 1;
            digits(&mut pos, self.bytes);
        }
        if matches!(self.bytes.get(pos), Some(b'e' | b'E'))
            && (self.bytes.get(pos + 1).is_some_and(u8::is_ascii_digit)
                || (matches!(self.bytes.get(pos + 1), Some(b'+' | b'-'))
                    && self.bytes.get(pos + 2).is_some_and(u8::is_ascii_digit)))
        {
            real = true;
            pos += 2;
            digits(&mut pos, self.bytes);
        }
        let number = &self.text[start..pos];
        let unit_end = {
            let mut end = pos;
            while self.bytes.get(end).is_some_and(u8::is_ascii_alphabetic) {
                end += 1;
            }
            end
        };
        self.pos = unit_end;
        if unit_end > pos {
            let unit = self.text[pos..unit_end].to_ascii_lowercase();
            let Some(&(_, ticks)) = UNITS.iter().find(|(name, _)| *name == unit) else {
                return Err(Fault::new(pos, "a timespan unit (d, h, m, s, ms, microsecond, tick)"));
            };
            let value: f64 =
                number.parse().map_err(|_| Fault::new(start, "a number before the unit"))?;
            return Ok(TokenKind::Timespan((value * ticks as f64).round() as i64));
        }
        if real {
            number.parse().map(TokenKind::Real).map_err(|_| Fault::new(start, "a real number"))
        } else {
            number
                .parse()
                .map(TokenKind::Long)
                .map_err(|_| Fault::new(start, "an integer that fits in a long"))
        }
    }

    fn name(&mut self, start: usize) -> TokenKind {
        let is_name_byte = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        let mut pos = start + 1;
        while self.bytes.get(pos).copied().is_some_and(is_name_byte) {
            pos += 1;
        }
        if self.bytes.get(pos) == Some(&b'-') {
            let mut end = pos + 1;
            while self.bytes.get(end).copied().is_some_and(is_name_byte) {
                end += 1;
            }
            let joined = &self.text[start..end];
            if HYPHENATED.contains(&joined) {
                pos = end;
            }
        }
        self.pos = pos;
        TokenKind::Name(self.text[start..pos].to_string())
    }

    fn symbol(&mut self, start: usize) -> Result<TokenKind, Fault> {
        let rest = &self.text[start..];
        match SYMBOLS.iter().find(|s| rest.starts_with(**s)) {
            Some(symbol) => {
                self.pos = start + symbol.len();
                Ok(TokenKind::Symbol(symbol))
            }
            None => {
                let c = rest.chars().next().unwrap_or(' ');
                Err(Fault::new(start, &format!("a KQL token, not `{c}`")))
            }
        }
    }
}

/// Blanks beyond ASCII that separate tokens as spaces do: Unicode white space (a no-break
/// space among them), the zero-width space and the byte-order mark.
fn is_blank(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}' | '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<TokenKind> {
        tokenize(text).unwrap().into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn hyphenated_operators_are_one_name_but_subtraction_is_not() {
        assert_eq!(
            kinds("project-away a-b"),
            [
                TokenKind::Name("project-away".into()),
                TokenKind::Name("a".into()),
                TokenKind::Symbol("-"),
                TokenKind::Name("b".into()),
                TokenKind::End
            ]
        );
    }

    #[test]
    fn numbers_with_units_are_timespans_in_ticks() {
        assert_eq!(kinds("1d")[0], TokenKind::Timespan(864_000_000_000));
        assert_eq!(kinds("30m")[0], TokenKind::Timespan(18_000_000_000));
        assert_eq!(kinds("1.5h")[0], TokenKind::Timespan(54_000_000_000));
        assert_eq!(kinds("100ms")[0], TokenKind::Timespan(1_000_000));
        assert_eq!(kinds("2.5")[0], TokenKind::Real(2.5));
    }

    #[test]
    fn strings_decode_escapes_and_verbatim_strings_keep_backslashes() {
        assert_eq!(kinds(r#""a\"b\\""#)[0], TokenKind::Str("a\"b\\".into()));
        assert_eq!(kinds(r#"@"C:\temp""#)[0], TokenKind::Str(r"C:\temp".into()));
        assert_eq!(kinds("['my col']")[0], TokenKind::QuotedName("my col".into()));
        assert_eq!(kinds(r#"["a", 1]"#)[0], TokenKind::Symbol("["));
    }

    #[test]
    fn comments_are_skipped_and_offsets_kept() {
        let tokens = tokenize("a // note\n| b").unwrap();
        assert_eq!(tokens[1].kind, TokenKind::Symbol("|"));
        assert_eq!(tokens[1].offset, 10);
    }

    #[test]
    fn an_unterminated_string_is_reported_where_it_starts() {
        let fault = tokenize("x == \"abc").unwrap_err();
        assert_eq!(fault.offset, 5);
    }
}
