//! The `parse` and `parse-where` operators: a pattern of constants, `*` and typed columns made
//! one regular expression, whose groups become the columns.
//!
//! In simple mode the constants are plain text and the pattern must match the whole string;
//! each string column takes the shortest text that lets the rest match, so it ends at the
//! first occurrence of the constant after it. With `kind=regex` the constants are regular
//! expressions, a match may start and end anywhere, and a string column takes the longest
//! text (Kusto's greedy default). A number column matches digits (in simple mode after blanks
//! and a sign, a real also `.5`). Where the pattern does not match, or in simple mode a number
//! does not fit its type, string columns are `""` and the others null; `parse-where` drops the
//! row. Patterns Kusto rejects are refused: a `*` before a column or right after a string
//! column, two columns side by side.
//!
//! `parse-kv` with both delimiters given splits the text into pairs (delimiters inside quotes
//! do not count), each pair at its first key-value delimiter, and trims blanks and quotes
//! from keys and values (`kql_parse_kv`).

use super::super::Fault;
use super::super::ast::{Expr, KvKey, ParsePart};
use super::super::types::Type;
use super::conversions::convert;
use super::scalar::Scope;
use super::{Column, Rel, Select, Translator, Typed, ident, string_literal};

impl Translator<'_> {
    pub(crate) fn parse(
        &mut self,
        (regex, filter): (bool, bool),
        source: &Expr,
        pattern: &[ParsePart],
        rel: Rel,
        (at, end): (usize, usize),
    ) -> Result<Rel, Fault> {
        let text = self.parsed_text("parse", source, &rel)?;
        check_pattern(pattern, at)?;
        let mut expression = String::from(if regex { "" } else { "(?s)^" });
        let mut group = 0;
        let mut extracted: Vec<(String, Type, usize)> = Vec::new();
        for part in pattern {
            match part {
                ParsePart::Skip => expression.push_str(".*?"),
                ParsePart::Text(constant) if regex => {
                    let groups = super::strings::regex_groups(constant).ok_or_else(|| {
                        Fault::refuse(at, &format!("the regular expression `{constant}` in parse"))
                    })?;
                    expression.push_str(&format!("(?:{constant})"));
                    group += groups;
                }
                ParsePart::Text(constant) => expression.push_str(&regex::escape(constant)),
                ParsePart::Column { name, kind, offset } => {
                    let ty = match kind {
                        None => Type::String,
                        Some(kind) => Type::parse(kind).ok_or_else(|| {
                            Fault::new(*offset, &format!("a column type, found `{kind}`"))
                        })?,
                    };
                    // A string column takes the shortest text that lets the rest match (the
                    // longest in regex mode); a number its digits, in simple mode after blanks
                    // and a sign, as Kusto reads them.
                    let matcher = match ty {
                        Type::String if regex => "(.*)",
                        Type::String => "(.*?)",
                        Type::Int | Type::Long if regex => r"(-?\d+)",
                        Type::Int | Type::Long => r"(\s*[-+]?\d+)",
                        Type::Real if regex => r"(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)",
                        Type::Real => r"(\s*[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)",
                        other => {
                            return Err(Fault::refuse(
                                *offset,
                                &format!("parse into a {other} column is not supported"),
                            ));
                        }
                    };
                    if rel.column(name).is_some() || extracted.iter().any(|(n, ..)| n == name) {
                        return Err(Fault::refuse(
                            *offset,
                            &format!("parse into the existing column `{name}` is not supported"),
                        ));
                    }
                    expression.push_str(matcher);
                    group += 1;
                    extracted.push((name.clone(), ty, group));
                }
            }
        }
        if !regex {
            expression.push('$');
        }
        if extracted.is_empty() {
            return Err(Fault::new(at, "a column in the parse pattern"));
        }
        // Each group by its number, which a group of the pattern's own that took no part
        // does not shift (`kql_extract`).
        let group = |index: usize| {
            format!(
                "kql_extract({}, {}, CAST({index} AS BIGINT))",
                text.sql,
                string_literal(&expression)
            )
        };
        let mut values = Vec::new();
        let mut matched = vec![format!("{} IS NOT NULL", group(0))];
        for (name, ty, index) in extracted {
            let value = match ty {
                Type::String => group(index),
                other => convert(Typed::new(group(index), Type::String), other, at)?.sql,
            };
            // In simple mode a number that does not convert (one too large for its type)
            // unmatches the whole row.
            if !regex && ty != Type::String {
                matched.push(format!("{value} IS NOT NULL"));
            }
            values.push((name, ty, value));
        }
        let matched = matched.join(" AND ");
        let mut items = rel.items();
        let mut columns = rel.columns.clone();
        for (name, ty, value) in values {
            let sql = match ty {
                Type::String => {
                    format!("CASE WHEN {matched} THEN coalesce({value}, '') ELSE '' END")
                }
                _ => format!("CASE WHEN {matched} THEN {value} END"),
            };
            items.push(format!("{sql} AS {}", ident(&name)));
            columns.push(Column { name, ty });
        }
        let label = if filter { "parse-where" } else { "parse" };
        let select =
            Select { filter: filter.then(|| matched.clone()), ..Select::of(items, &rel.name) };
        let out = self.emit(label, at, end, select, columns);
        Ok(out.keeping_order_of(&rel))
    }
}

impl Translator<'_> {
    /// The text `operator` takes apart: a string, or else a refusal that says how to make one.
    fn parsed_text(&mut self, operator: &str, source: &Expr, rel: &Rel) -> Result<Typed, Fault> {
        let text = self.scalar(source, &Scope::of(rel))?;
        if text.ty != Type::String {
            return Err(Fault::refuse(
                source.offset,
                &format!(
                    "{operator} of a {} value is not supported; convert it with tostring()",
                    text.ty
                ),
            ));
        }
        Ok(text)
    }

    /// `parse-kv`: a column per key, its value where `text` holds the key (the first time it
    /// does), else null, or "" for a string; a typed value is converted as `toint()` and its
    /// kin convert text.
    pub(crate) fn parse_kv(
        &mut self,
        source: &Expr,
        keys: &[KvKey],
        [pair, kv, quote]: [&str; 3],
        rel: Rel,
        (at, end): (usize, usize),
    ) -> Result<Rel, Fault> {
        let text = self.parsed_text("parse-kv", source, &rel)?;
        let mut items = rel.items();
        let mut columns = rel.columns.clone();
        for key in keys {
            let ty = match &key.kind {
                None => Type::String,
                Some(kind) => Type::parse(kind).ok_or_else(|| {
                    Fault::new(key.offset, &format!("a column type, found `{kind}`"))
                })?,
            };
            if !matches!(
                ty,
                Type::String | Type::Int | Type::Long | Type::Real | Type::Bool | Type::DateTime
            ) {
                return Err(Fault::refuse(
                    key.offset,
                    &format!("parse-kv into a {ty} column is not supported"),
                ));
            }
            if columns.iter().any(|c| c.name == key.name) {
                return Err(Fault::refuse(
                    key.offset,
                    &format!("parse-kv into the existing column `{}` is not supported", key.name),
                ));
            }
            let value = format!(
                "kql_parse_kv({}, {}, {}, {}, {})",
                text.sql,
                string_literal(&key.name),
                string_literal(pair),
                string_literal(kv),
                string_literal(quote)
            );
            let sql = match ty {
                Type::String => format!("coalesce({value}, '')"),
                other => convert(Typed::new(value, Type::String), other, key.offset)?.sql,
            };
            items.push(format!("{sql} AS {}", ident(&key.name)));
            columns.push(Column { name: key.name.clone(), ty });
        }
        let select = Select::of(items, &rel.name);
        let out = self.emit("parse-kv", at, end, select, columns);
        Ok(out.keeping_order_of(&rel))
    }
}

/// The pattern rules Kusto's parser checks: a `*` is followed by a constant or ends the
/// pattern, never follows a string column (which could end anywhere), and two columns are
/// never next to each other.
fn check_pattern(pattern: &[ParsePart], at: usize) -> Result<(), Fault> {
    for pair in pattern.windows(2) {
        let refused = match pair {
            [ParsePart::Skip, ParsePart::Column { .. }] => "a `*` must be followed by a constant",
            [ParsePart::Column { kind: None, .. }, ParsePart::Skip] => {
                "a `*` right after a string column is ambiguous"
            }
            [ParsePart::Column { .. }, ParsePart::Column { .. }] => {
                "two columns must be separated by a constant"
            }
            _ => continue,
        };
        return Err(Fault::new(at, &format!("a parse pattern Kusto accepts: {refused}")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::strings::regex_groups;

    #[test]
    fn constants_are_escaped_and_groups_counted() {
        assert_eq!(regex::escape("[level=x] a.b"), r"\[level=x\] a\.b");
        assert_eq!(regex_groups(r"[A-Z]+"), Some(0));
        assert_eq!(regex_groups(r"(a)(?:b)(?P<c>c)\(d[(]"), Some(2));
        assert_eq!(regex_groups(r"[a"), None);
    }
}
