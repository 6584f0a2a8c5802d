//! `kql_parse_kv(text, key, pair_delimiter, kv_delimiter, quotes)`: the value `parse-kv` finds
//! for `key` in `text`. The text is split into pairs at `pair_delimiter` and each pair at its
//! first `kv_delimiter`, neither counting inside quotes (any character of `quotes`); blanks
//! around a key or value are trimmed, then one pair of quotes. The first pair with the key
//! wins; without one the value is null.

use std::sync::Arc;

use datafusion::arrow::array::StringBuilder;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::{Strings, constant_string};

/// The pieces of `text` between `delimiter`s that are outside quotes.
fn split_outside_quotes<'a>(text: &'a str, delimiter: &str, quotes: &str) -> Vec<&'a str> {
    let mut pieces = Vec::new();
    let mut open: Option<char> = None;
    let mut start = 0;
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match open {
            Some(q) if c == q => open = None,
            Some(_) => {}
            None if quotes.contains(c) => open = Some(c),
            None if text[i..].starts_with(delimiter) => {
                pieces.push(&text[start..i]);
                start = i + delimiter.len();
                // Step over the rest of a delimiter longer than one character.
                for _ in 1..delimiter.chars().count() {
                    chars.next();
                }
            }
            None => {}
        }
    }
    pieces.push(&text[start..]);
    pieces
}

/// `piece` without its blanks, then without one pair of enclosing quotes.
fn unquoted<'a>(piece: &'a str, quotes: &str) -> &'a str {
    let piece = piece.trim();
    let mut chars = piece.chars();
    match (chars.next(), chars.next_back()) {
        (Some(first), Some(last)) if first == last && quotes.contains(first) => {
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
    split_outside_quotes(text, pair_delimiter, quotes).into_iter().find_map(|pair| {
        let mut parts = split_outside_quotes(pair, kv_delimiter, quotes).into_iter();
        let name = parts.next()?;
        parts.next()?;
        // The value runs to the end of the pair, later key-value delimiters included.
        let value_start = name.len() + kv_delimiter.len();
        (unquoted(name, quotes) == key).then(|| unquoted(&pair[value_start..], quotes))
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
        assert_eq!(value_of(text, "name", ";", "=", "\""), Some("John; Smith"));
        assert_eq!(value_of(text, "city", ";", "=", "\""), Some("New York"));
        assert_eq!(value_of(text, "zip", ";", "=", "\""), None);
        assert_eq!(value_of(" a => 1 ,, b => x=>y ", "b", ",", "=>", ""), Some("x=>y"));
        assert_eq!(value_of("a:'1' b:2", "a", " ", ":", "'"), Some("1"));
    }
}
