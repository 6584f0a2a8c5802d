//! `kql_tolower(text)` and `kql_toupper(text)`: Kusto's `tolower` and `toupper`, which map
//! each character on its own, as .NET's invariant culture does, and never change the text's
//! length: `toupper("straße")` is `STRAßE`, where SQL's `upper` gives `STRASSE`, and a final
//! sigma lowers to `σ`, not `ς`.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::map_texts;

/// Which way a [`LetterCase`] maps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Case {
    Lower,
    Upper,
}

/// `text` in lower case as Kusto's case-insensitive operators see it.
pub(super) fn lowered(text: &str) -> String {
    mapped(text, Case::Lower)
}

/// `text` in `case`, one character at a time.
fn mapped(text: &str, case: Case) -> String {
    if text.is_ascii() {
        return match case {
            Case::Lower => text.to_ascii_lowercase(),
            Case::Upper => text.to_ascii_uppercase(),
        };
    }
    text.chars().map(|c| mapped_char(c, case)).collect()
}

/// A character's own counterpart, or the character itself where the mapping would take
/// more than one character (`ß` to `SS`, `ﬁ` to `FI`).
fn mapped_char(c: char, case: Case) -> char {
    if case == Case::Lower && c == '\u{130}' {
        // İ: its one-character lower case is i (the full mapping adds a combining dot).
        return 'i';
    }
    let mut mapping: Vec<char> = match case {
        Case::Lower => c.to_lowercase().collect(),
        Case::Upper => c.to_uppercase().collect(),
    };
    if mapping.len() == 1 { mapping.remove(0) } else { c }
}

#[derive(Debug, PartialEq, Eq, Hash)]
pub(super) struct LetterCase {
    case: Case,
    signature: Signature,
}

impl LetterCase {
    pub fn new(case: Case) -> LetterCase {
        LetterCase { case, signature: Signature::any(1, Volatility::Immutable) }
    }
}

impl ScalarUDFImpl for LetterCase {
    fn name(&self) -> &str {
        match self.case {
            Case::Lower => "kql_tolower",
            Case::Upper => "kql_toupper",
        }
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        map_texts(&args, self.name(), |text| text.map(|t| mapped(t, self.case)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_character_maps_alone_and_the_length_stays() {
        assert_eq!(mapped("straße", Case::Upper), "STRAßE");
        assert_eq!(mapped("ﬁx", Case::Upper), "ﬁX");
        assert_eq!(mapped("ΣΑΣ", Case::Lower), "σασ");
        assert_eq!(mapped("İstanbul", Case::Lower), "istanbul");
        assert_eq!(mapped("Café", Case::Upper), "CAFÉ");
        assert_eq!(mapped("MiXeD 42", Case::Lower), "mixed 42");
    }
}
