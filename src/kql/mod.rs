//! KQL, the language of Defender and Sentinel hunting rules, translated to SQL text with
//! Kusto's semantics. [`lexer`] makes tokens, [`parser`] builds the [`ast`], and [`translate`]
//! turns it into a `WITH` query whose common table expressions are named after the KQL steps,
//! each with the KQL line it came from. The SQL relies on the Kusto functions of
//! [`crate::functions`]; nothing here knows a DataFusion session.
//!
//! What cannot be translated exactly is refused with its position, never approximated.

pub mod ast;
mod keywords;
pub mod lexer;
pub mod parser;
mod parser_expr;
mod parser_operators;
pub mod translate;
pub mod types;

pub use translate::{Catalogue, Translation, catalogued_columns, translate, translate_with};
pub use types::Type;

use crate::error::{Error, KqlError};

/// A parse or translation failure at a byte offset of the query, before it is placed on a
/// line and column of its source.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    /// Byte offset in the query text.
    pub offset: usize,
    /// What was expected there, or why the construct is refused.
    pub message: String,
}

impl Fault {
    /// A fault saying what the parser expected at `offset`.
    pub fn new(offset: usize, expected: &str) -> Fault {
        Fault { offset, message: format!("expected {expected}") }
    }

    /// A fault refusing a construct lakehunt cannot translate exactly.
    pub fn refuse(offset: usize, why: &str) -> Fault {
        Fault { offset, message: why.to_string() }
    }

    /// The fault as a library error naming `origin` (a file or rule) and the line and column.
    pub fn locate(&self, origin: &str, text: &str) -> Error {
        Error::Kql(Box::new(KqlError::at(origin, text, self.offset, &self.message)))
    }
}

/// Translates KQL `text` read from `origin` (a path, a rule name or `-`), with errors placed
/// on their line and column.
pub fn to_sql(text: &str, origin: &str) -> crate::Result<Translation> {
    translate(text).map_err(|fault| fault.locate(origin, text))
}

/// As [`to_sql`], with the tables' columns given by `catalogue`.
pub fn to_sql_with(
    text: &str,
    origin: &str,
    catalogue: Catalogue<'_>,
) -> crate::Result<Translation> {
    translate_with(text, catalogue).map_err(|fault| fault.locate(origin, text))
}
