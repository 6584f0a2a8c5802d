//! `kql_parse_kv(text, key, pair_delimiter, kv_delimiter, quotes)`: the value `parse-kv` finds
//! for `key` in `text`. `quotes` holds pairs of an opening and a closing character (`""`,
//! `''`, `()`). The text is split into pairs at `pair_delimiter` and each pair at its first
//! `kv_delimiter`, neither counting inside a quoted key or value (a quote opens only where a
//! key or value starts); blanks around a key or value are trimmed, then its enclosing quotes.
//! The first pair with the key wins; without one the value is null.

use std::sync::Arc;

use datafusion::arrow::array::StringBuilder;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::{Strings, constant_string};

/// The (opening, closing) quote characters of `quotes`, taken two at a time.
fn quote_pairs(quotes: &str) -> Vec<(char, char)> {
    let chars: Vec<char> = quotes.chars().collect();
    chars.chunks_exact(2).map(|pair| (pair[0], pair[1])).collect()
}

/// The pieces of `text` between `delimiter`s that are outside quotes; a key or value also
/// starts after `starts` (the key-value delimiter, when splitting pairs).
fn split_outside_quotes<'a>(
    text: &'a str,
    delimiter: &str,
    starts: &str,
    quotes: &[(char, char)],
) -> Vec<&'a str> {
    let mut pieces = Vec::new();
    let mut closing: Option<char> = None;
    let mut start = 0;
    // A quote opens only where a key or value starts: after a delimiter and any blanks.
    let mut at_start = true;
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match closing {
            Some(close) if c == close => closing = None,
            Some(_) => {}
            None if text[i..].starts_with(delimiter) => {
                pieces.push(&text[start..i]);
                start = i + delimiter.len();
                at_start = true;
                // Step over the rest of a delimiter longer than one character.
                for _ in 1..delimiter.chars().count() {
                    chars.next();
                }
            }
            None if c.is_whitespace() => {}
            None if !starts.is_empty() && text[i..].starts_with(starts) => {
                at_start = true;
                for _ in 1..starts.chars().count() {
                    chars.next();
                }
            }
            None => {
                if at_start && let Some((_, close)) = quotes.iter().find(|(open, _)| *open == c) {
                    closing = Some(*close);
                }
                at_start = false;
            }
        }
    }
    pieces.push(&text[start..]);
    pieces
}

/// `piece` without its blanks, then without one pair of enclosing quotes.
fn unquoted<'a>(piece: &'a str, quotes: &[(char, char)]) -> &'a str {
    let piece = piece.trim();
    let mut chars = piece.chars();
    match (chars.next(), chars.next_back()) {
        (Some(first), Some(last)) if quotes.contains(&(first, last)) => {
            &piece[first.len_utf8()..piece.len() - last.len_utf8()]
        }
        _ => piece,
    }
}

/// The value of the first pair whose key is `key`.
pub(crate) fn value_of<'a>(
    text: &'a str,
    key: &str,
    pair_delimiter: &str,
    kv_delimiter: &str,
    quotes: &str,
) -> Option<&'a str> {
    let quotes = quote_pairs(quotes);
    split_outside_quotes(text, pair_delimiter, kv_delimiter, &quotes).into_iter().find_map(|pair| {
        // The key-value delimiter splits a pair once, outside a quoted key.
        let key_end = split_outside_quotes(pair, kv_delimiter, "", &quotes).first()?.len();
        let value_start = key_end + kv_delimiter.len();
        pair.get(value_start..)?;
        (unquoted(&pair[..key_end], &quotes) == key)
            .then(|| unquoted(&pair[value_start..], &quotes))
    })
}

#[derive(Debug)]
pub(super) struct ParseKv {
    signature: Signature,
}
identity_by_name!(ParseKv);

impl ParseKv {
    pub fn new() -> ParseKv {
        ParseKv { signature: Signature::any(5, Volatility::Immutable) }
    }
}

impl ScalarUDFImpl for ParseKv {
    fn name(&self) -> &str {
        "kql_parse_kv"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let key = constant_string(&args, 1, self.name())?;
        let pair = constant_string(&args, 2, self.name())?;
        let kv = constant_string(&args, 3, self.name())?;
        let quotes = constant_string(&args, 4, self.name())?;
        let input = args.args[0].to_array(args.number_rows)?;
        let texts = Strings::of(&input, self.name())?;
        let mut out = StringBuilder::with_capacity(input.len(), 0);
        for row in 0..input.len() {
            out.append_option(texts.get(row).and_then(|t| value_of(t, &key, &pair, &kv, &quotes)));
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}

#[cfg(test)]
mod tests {
    use super::value_of;

    #[test]
    fn finds_the_first_pair_of_a_key_outside_quotes() {
        let text = r#"name="John; Smith";city = "New York";name=Jane"#;
        assert_eq!(value_of(text, "name", ";", "=", "\"\""), Some("John; Smith"));
        assert_eq!(value_of(text, "city", ";", "=", "\"\""), Some("New York"));
        assert_eq!(value_of(text, "zip", ";", "=", "\"\""), None);
        assert_eq!(value_of(" a => 1 ,, b => x=>y ", "b", ",", "=>", ""), Some("x=>y"));
        assert_eq!(value_of("a:'1' b:2", "a", " ", ":", "''"), Some("1"));
    }

    #[test]
    fn quotes_may_open_and_close_differently_and_open_only_where_a_value_starts() {
        assert_eq!(value_of("a=(x y),b=2", "a", ",", "=", "()"), Some("x y"));
        assert_eq!(value_of("a=(x y),b=2", "b", ",", "=", "()"), Some("2"));
        assert_eq!(value_of("name=O'Brien,city=Cork", "city", ",", "=", "''"), Some("Cork"));
        assert_eq!(value_of(r#"a='x',b="y""#, "b", ",", "=", "''\"\""), Some("y"));
        assert_eq!(value_of("a=>'x,y' , b=>2", "a", ",", "=>", "''"), Some("x,y"));
    }
}
