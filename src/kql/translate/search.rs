//! The `search` operator: a filter whose bare strings are terms looked for in every column
//! (as `has`, or `hasprefix`, `hassuffix`, `contains` for the wildcard forms), joined with
//! the rest of the predicate by `and`, `or` and `not`; the rows gain Kusto's `$table` column.

use super::super::Fault;
use super::super::ast::{BinaryOp, Expr, ExprKind, Literal, TextOp, search_term};
use super::super::types::Type;
use super::scalar::Scope;
use super::{Column, Rel, Select, Translator, Typed, ident, string_literal};

/// The characters a datetime or timespan is written with (`2024-01-02T03:04:05.6Z`,
/// `1.02:03:04`): a term with any other cannot be found in one.
const TIME_TEXT: &str = "0123456789-:.TZtz";

impl Translator<'_> {
    /// `search` over `rel`; `table` names the table the rows come from, for `$table`.
    pub(crate) fn search(
        &mut self,
        case_sensitive: bool,
        predicate: &Expr,
        rel: Rel,
        table: &str,
        (at, end): (usize, usize),
    ) -> Result<Rel, Fault> {
        let condition = self.search_condition(predicate, case_sensitive, &rel)?;
        let mut items = vec![format!("{} AS {}", string_literal(table), ident("$table"))];
        items.extend(rel.items());
        let mut columns = vec![Column { name: "$table".into(), ty: Type::String }];
        columns.extend(rel.columns.iter().cloned());
        let select = Select { filter: Some(condition.sql), ..Select::of(items, &rel.name) };
        let out = self.emit("search", at, end, select, columns);
        Ok(out.keeping_order_of(&rel))
    }

    fn search_condition(
        &mut self,
        predicate: &Expr,
        case_sensitive: bool,
        rel: &Rel,
    ) -> Result<Typed, Fault> {
        match &predicate.kind {
            ExprKind::Binary { op: op @ (BinaryOp::And | BinaryOp::Or), left, right } => {
                let left = self.search_condition(left, case_sensitive, rel)?;
                let right = self.search_condition(right, case_sensitive, rel)?;
                let word = if *op == BinaryOp::And { "AND" } else { "OR" };
                Ok(Typed::new(format!("({} {word} {})", left.sql, right.sql), Type::Bool))
            }
            ExprKind::Call { name, args } if name == "not" && args.len() == 1 => {
                let inner = self.search_condition(&args[0], case_sensitive, rel)?;
                Ok(Typed::new(format!("(NOT {})", inner.sql), Type::Bool))
            }
            ExprKind::Literal(Literal::Str(term)) => {
                self.search_term(term, predicate.offset, case_sensitive, rel)
            }
            _ if case_sensitive && ignores_case(predicate) => Err(Fault::refuse(
                predicate.offset,
                "search kind=case_sensitive over a string operator that ignores case is not \
                 supported (Kusto makes it case-sensitive); write its `_cs` form",
            )),
            _ => {
                let typed = self.scalar(predicate, &Scope::of(rel))?;
                if typed.ty != Type::Bool {
                    return Err(Fault::new(
                        predicate.offset,
                        &format!("a bool condition or a search term, found a {}", typed.ty),
                    ));
                }
                Ok(Typed::new(format!("coalesce({}, FALSE)", typed.sql), Type::Bool))
            }
        }
    }

    /// A term matched in any column: its text (numbers and bools as `tostring` writes them).
    fn search_term(
        &mut self,
        term: &str,
        offset: usize,
        case_sensitive: bool,
        rel: &Rel,
    ) -> Result<Typed, Fault> {
        let (op, core) = search_term(term, case_sensitive).ok_or_else(|| {
            Fault::refuse(offset, &format!("the search term `{term}` is not supported"))
        })?;
        let node = |kind: ExprKind| Expr { kind, offset };
        self.in_any_column(op, &node(ExprKind::Literal(Literal::Str(core))), offset, rel)
    }

    /// `* op value`: the string predicate `op` holds in any column of `rel`, each read as
    /// text (numbers and bools as `tostring` writes them).
    pub(crate) fn in_any_column(
        &mut self,
        op: TextOp,
        value: &Expr,
        offset: usize,
        rel: &Rel,
    ) -> Result<Typed, Fault> {
        let node = |kind: ExprKind| Expr { kind, offset };
        let mut matches = Vec::new();
        for column in &rel.columns {
            let name = node(ExprKind::Name(column.name.clone()));
            let text = match column.ty {
                Type::String | Type::Guid => name,
                Type::DateTime | Type::Timespan => {
                    // A datetime's or timespan's text holds only digits and a few marks.
                    if let ExprKind::Literal(Literal::Str(term)) = &value.kind
                        && term.chars().any(|c| !TIME_TEXT.contains(c))
                    {
                        continue;
                    }
                    return Err(Fault::refuse(
                        offset,
                        &format!(
                            "searching the {} column `{}` is not supported",
                            column.ty, column.name
                        ),
                    ));
                }
                _ => node(ExprKind::Call { name: "tostring".into(), args: vec![name] }),
            };
            let test = node(ExprKind::Binary {
                op: BinaryOp::Text(op, false),
                left: Box::new(text),
                right: Box::new(value.clone()),
            });
            let typed = self.scalar(&test, &Scope::of(rel))?;
            matches.push(format!("coalesce({}, FALSE)", typed.sql));
        }
        if matches.is_empty() {
            return Ok(Typed::new("FALSE", Type::Bool));
        }
        Ok(Typed::new(format!("({})", matches.join(" OR ")), Type::Bool))
    }
}

/// Whether `expr` holds a string operator that ignores case, which `search
/// kind=case_sensitive` would make case-sensitive.
fn ignores_case(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Binary { op, left, right } => {
            let caseless = match op {
                BinaryOp::Text(op, _) => !matches!(
                    op,
                    TextOp::HasCs
                        | TextOp::ContainsCs
                        | TextOp::StartsWithCs
                        | TextOp::EndsWithCs
                        | TextOp::MatchesRegex
                ),
                BinaryOp::EqCaseless | BinaryOp::NotEqCaseless => true,
                _ => false,
            };
            caseless || ignores_case(left) || ignores_case(right)
        }
        ExprKind::In { value, list, caseless, .. } => {
            *caseless || ignores_case(value) || list.iter().any(ignores_case)
        }
        ExprKind::Call { args, .. } => args.iter().any(ignores_case),
        ExprKind::Negate(inner) => ignores_case(inner),
        _ => false,
    }
}
