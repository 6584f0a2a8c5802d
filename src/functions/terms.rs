//! `kql_has(text, term, mode)`: Kusto's term operators. A term is a run of letters and
//! digits; `has` matches a term (or a phrase of terms) whole, not inside a longer term, where
//! `contains` would match any substring.
//!
//! | mode | Kusto |
//! |---|---|
//! | `'has'` | `has`, ignoring case |
//! | `'has_cs'` | `has_cs` |
//! | `'hasprefix'` | `hasprefix`: a term starts with it |
//! | `'hassuffix'` | `hassuffix`: a term ends with it |

use std::sync::Arc;

use datafusion::arrow::array::BooleanBuilder;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::letter_case::lowered;
use super::{Strings, constant_string};

/// How the term must sit in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Whole { case_sensitive: bool },
    Prefix,
    Suffix,
}

/// True when `needle` occurs in `text` as Kusto's term operator in `mode` requires.
fn has(text: &str, needle: &str, mode: Mode) -> bool {
    if needle.is_empty() {
        return true;
    }
    let (text, needle) = match mode {
        Mode::Whole { case_sensitive: true } => (text.to_string(), needle.to_string()),
        _ => (lowered(text), lowered(needle)),
    };
    let is_term = |c: char| c.is_alphanumeric();
    let starts_term = needle.chars().next().is_some_and(is_term);
    let ends_term = needle.chars().next_back().is_some_and(is_term);
    // Every occurrence, overlapping ones too: in "banana" the first "ana" is not a term's
    // end, the second, which overlaps it, is.
    let mut from = 0;
    while let Some(found) = text[from..].find(needle.as_str()) {
        let start = from + found;
        let end = start + needle.len();
        let before = !starts_term || !text[..start].chars().next_back().is_some_and(is_term);
        let after = !ends_term || !text[end..].chars().next().is_some_and(is_term);
        let matched = match mode {
            Mode::Whole { .. } => before && after,
            Mode::Prefix => before,
            Mode::Suffix => after,
        };
        if matched {
            return true;
        }
        from = start + text[start..].chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// `kql_has(text, term, mode)`.
#[derive(Debug)]
pub(super) struct Has {
    pub signature: Signature,
}
identity_by_name!(Has);

impl Has {
    pub fn new() -> Has {
        Has { signature: Signature::any(3, Volatility::Immutable) }
    }
}

impl ScalarUDFImpl for Has {
    fn name(&self) -> &str {
        "kql_has"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Boolean)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let mode = match constant_string(&args, 2, self.name())?.as_str() {
            "has" => Mode::Whole { case_sensitive: false },
            "has_cs" => Mode::Whole { case_sensitive: true },
            "hasprefix" => Mode::Prefix,
            "hassuffix" => Mode::Suffix,
            other => return exec_err!("kql_has: unknown mode {other}"),
        };
        let texts = args.args[0].to_array(args.number_rows)?;
        let needles = args.args[1].to_array(args.number_rows)?;
        let (texts, needles) =
            (Strings::of(&texts, self.name())?, Strings::of(&needles, self.name())?);
        let mut out = BooleanBuilder::with_capacity(args.number_rows);
        for row in 0..args.number_rows {
            // A Kusto string is never null: a null reads as "".
            let text = texts.get(row).unwrap_or("");
            let needle = needles.get(row).unwrap_or("");
            out.append_value(has(text, needle, mode));
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HAS: Mode = Mode::Whole { case_sensitive: false };

    #[test]
    fn has_matches_whole_terms_ignoring_case() {
        assert!(has("Failed logon from 10.0.0.1", "LOGON", HAS));
        assert!(!has("Failed logons", "logon", HAS));
        assert!(!has("catalogon", "logon", HAS));
        assert!(has("a.b-c", "b", HAS));
    }

    #[test]
    fn a_phrase_with_punctuation_matches_at_term_boundaries() {
        assert!(has("run cmd.exe /c", "cmd.exe", HAS));
        assert!(!has("run xcmd.exe /c", "cmd.exe", HAS));
        assert!(has("x=.exe", ".exe", HAS));
    }

    #[test]
    fn has_cs_respects_case_and_prefix_suffix_anchor_one_end() {
        assert!(!has("Logon", "logon", Mode::Whole { case_sensitive: true }));
        assert!(has("powershell.exe", "power", Mode::Prefix));
        assert!(!has("powershell.exe", "shell", Mode::Prefix));
        assert!(has("powershell.exe", "shell", Mode::Suffix));
    }

    #[test]
    fn an_occurrence_overlapping_one_that_fails_is_still_tried() {
        assert!(has("banana", "ana", Mode::Suffix));
        assert!(has("bosss", "ss", Mode::Suffix));
        assert!(has("110.10.10.1", "10.10", HAS));
        assert!(!has("banana", "nan", Mode::Suffix));
    }
}
