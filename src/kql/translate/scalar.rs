//! Scalar expressions: names, literals, operators and member access, each translated to SQL
//! with the Kusto type of its value. Strings stay non-null: every string-valued expression is
//! built so that it cannot be NULL.

use super::super::Fault;
use super::super::ast::{BinaryOp, Expr, ExprKind, Literal, TextOp};
use super::super::types::Type;
use super::{Binding, Rel, Translator, Typed, ident, string_literal};

/// What names mean inside an expression: the input relation's columns (qualified when the
/// step reads two relations), names defined earlier in the same step, and whether
/// aggregates are allowed.
pub(crate) struct Scope<'a> {
    pub rel: &'a Rel,
    pub qualifier: Option<&'a str>,
    pub extra: Vec<(String, Typed)>,
    pub aggregate: bool,
    /// True where row functions (`row_number`, `prev`, ...) may appear: `extend`, `project`
    /// and `serialize`.
    pub rows: bool,
}

impl<'a> Scope<'a> {
    /// The columns of `rel`, unqualified.
    pub fn of(rel: &'a Rel) -> Scope<'a> {
        Scope { rel, qualifier: None, extra: vec![], aggregate: false, rows: false }
    }

    /// The columns of `rel`, with aggregates allowed.
    pub fn aggregating(rel: &'a Rel) -> Scope<'a> {
        Scope { rel, qualifier: None, extra: vec![], aggregate: true, rows: false }
    }

    /// The columns of `rel`, with row functions allowed.
    pub fn rows(rel: &'a Rel) -> Scope<'a> {
        Scope { rel, qualifier: None, extra: vec![], aggregate: false, rows: true }
    }

    fn column(&self, name: &str) -> Option<Typed> {
        if let Some((_, typed)) = self.extra.iter().rev().find(|(n, _)| n == name) {
            return Some(typed.clone());
        }
        let column = self.rel.column(name)?;
        let sql = match self.qualifier {
            Some(q) => format!("{q}.{}", ident(name)),
            None => ident(name),
        };
        Some(Typed::new(sql, column.ty))
    }
}

/// The most SQL text one scalar expression may become.
pub(crate) const MAX_EXPRESSION_SQL: usize = 256_000;

/// The SQL of a timespan of `ticks` (100 ns each), as an Arrow duration in nanoseconds.
pub(crate) fn timespan_sql(ticks: i64) -> String {
    format!("arrow_cast({}, 'Duration(Nanosecond)')", ticks.saturating_mul(100))
}

/// The SQL of a datetime given as text Kusto accepts, as a UTC nanosecond timestamp.
pub(crate) fn datetime_sql(text: &str) -> String {
    format!("arrow_cast({}, 'Timestamp(Nanosecond, Some(\"UTC\"))')", string_literal(text))
}

/// A NULL of `ty`; for a string, Kusto's `""`.
pub(crate) fn null_of(ty: Type) -> Typed {
    match ty {
        Type::String => Typed::new("''", ty),
        Type::Timespan => Typed::new("arrow_cast(NULL, 'Duration(Nanosecond)')", ty),
        Type::DateTime => {
            Typed::new("arrow_cast(NULL, 'Timestamp(Nanosecond, Some(\"UTC\"))')", ty)
        }
        _ => Typed::new(format!("CAST(NULL AS {})", ty.sql()), ty),
    }
}

/// The SQL of a literal.
pub(crate) fn literal(value: &Literal, offset: usize) -> Result<Typed, Fault> {
    Ok(match value {
        Literal::Str(s) => Typed::new(string_literal(s), Type::String),
        Literal::Long(n) => Typed::new(format!("CAST({n} AS BIGINT)"), Type::Long),
        Literal::Int(n) => Typed::new(format!("CAST({n} AS INT)"), Type::Int),
        Literal::Real(x) if x.is_finite() => {
            Typed::new(format!("CAST({x:?} AS DOUBLE)"), Type::Real)
        }
        Literal::Real(x) if x.is_nan() => Typed::new("CAST('NaN' AS DOUBLE)", Type::Real),
        Literal::Real(x) if *x > 0.0 => Typed::new("CAST('Infinity' AS DOUBLE)", Type::Real),
        Literal::Real(_) => Typed::new("CAST('-Infinity' AS DOUBLE)", Type::Real),
        Literal::Bool(b) => Typed::new(if *b { "TRUE" } else { "FALSE" }, Type::Bool),
        // Nanoseconds in 64 bits reach 106751 days either way; Kusto's ticks reach further.
        Literal::Timespan(t) if t.checked_mul(100).is_none() => {
            return Err(Fault::refuse(
                offset,
                "a timespan beyond 106751 days is outside what lakehunt can hold",
            ));
        }
        Literal::Timespan(t) => Typed::new(timespan_sql(*t), Type::Timespan),
        Literal::DateTime(text) => {
            Typed::new(datetime_sql(&normalize_datetime(text, offset)?), Type::DateTime)
        }
        Literal::Dynamic(json) if json == "null" => {
            Typed::new("CAST(NULL AS VARCHAR)", Type::Dynamic)
        }
        Literal::Dynamic(json) => Typed::new(string_literal(json), Type::Dynamic),
        Literal::Guid(text) => Typed::new(string_literal(text), Type::Guid),
        Literal::Null(kind) => {
            let ty = Type::parse(kind)
                .ok_or_else(|| Fault::new(offset, &format!("a type, found `{kind}`")))?;
            null_of(ty)
        }
    })
}

/// A datetime literal's text in a form Arrow parses: ISO 8601 with a `Z` when no zone is
/// written (Kusto's datetimes are UTC).
fn normalize_datetime(text: &str, offset: usize) -> Result<String, Fault> {
    let text = text.trim();
    let ok = text.len() >= 4
        && text.chars().all(|c| c.is_ascii_digit() || "-:.TZ +".contains(c))
        && text.as_bytes()[0].is_ascii_digit();
    if !ok {
        return Err(Fault::refuse(
            offset,
            &format!("the datetime literal `{text}` is not supported"),
        ));
    }
    // Arrow's nanosecond timestamps span 1677-09-21 to 2262-04-11; Kusto's span years 1 to
    // 9999. A datetime outside the shared years is refused rather than wrapped.
    let year: i32 = text.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0);
    if !(1678..=2261).contains(&year) {
        return Err(Fault::refuse(
            offset,
            &format!("the datetime `{text}` is outside the years 1678 to 2261 lakehunt can hold"),
        ));
    }
    let mut normal = text.replacen(' ', "T", 1);
    if normal.len() == 4 {
        normal.push_str("-01-01");
    }
    if !normal.contains('T') {
        normal.push_str("T00:00:00");
    }
    // `10:00` has no seconds, which Arrow's parser needs.
    if let Some(t) = normal.find('T') {
        let time_end = normal[t..].find(['Z', '+']).map_or(normal.len(), |i| t + i);
        if normal[t..time_end].matches(':').count() == 1 {
            normal.insert_str(time_end, ":00");
        }
    }
    if !normal.ends_with('Z') && !normal[10..].contains('+') {
        normal.push('Z');
    }
    Ok(normal)
}

impl Translator<'_> {
    /// Translates a scalar expression read against `scope`. Some of Kusto's semantics repeat
    /// an operand in the SQL (a remainder that is never negative names its divisor three
    /// times), so nesting could grow the text exponentially: an expression whose SQL passes
    /// [`MAX_EXPRESSION_SQL`] is refused where it is written.
    pub(crate) fn scalar(&mut self, expr: &Expr, scope: &Scope) -> Result<Typed, Fault> {
        let typed = self.scalar_of(expr, scope)?;
        if typed.sql.len() > MAX_EXPRESSION_SQL {
            return Err(Fault::refuse(
                expr.offset,
                &format!(
                    "the expression is too large to translate (over {} KB of SQL)",
                    MAX_EXPRESSION_SQL / 1000
                ),
            ));
        }
        Ok(typed)
    }

    fn scalar_of(&mut self, expr: &Expr, scope: &Scope) -> Result<Typed, Fault> {
        // Only this expression is in a filter's top level, not its parts.
        let filter = std::mem::take(&mut self.filter);
        match &expr.kind {
            ExprKind::Literal(value) => literal(value, expr.offset),
            ExprKind::Name(name) => self.name(name, expr.offset, scope),
            ExprKind::Star => Err(Fault::refuse(expr.offset, "`*` is not a value here")),
            ExprKind::List(_) => Err(Fault::refuse(expr.offset, "a list is not a value here")),
            ExprKind::Binary { op, left, right } => self.binary(*op, left, right, scope, filter),
            ExprKind::Negate(inner) => {
                let inner = self.scalar(inner, scope)?;
                if !(inner.ty.is_numeric() || inner.ty == Type::Timespan) {
                    return Err(Fault::refuse(
                        expr.offset,
                        &format!("cannot negate a {}", inner.ty),
                    ));
                }
                // Kusto negates an int as a long, as it adds ints (`-i` of int-min fits).
                if inner.ty == Type::Int {
                    return Ok(Typed::new(
                        format!("(- CAST({} AS BIGINT))", inner.sql),
                        Type::Long,
                    ));
                }
                Ok(Typed::new(format!("(- {})", inner.sql), inner.ty))
            }
            ExprKind::Call { name, args } => self.call(name, args, expr.offset, scope),
            ExprKind::Member { target, key } => {
                let target = self.dynamic_operand(target, scope)?;
                Ok(Typed::new(
                    format!("kql_member({}, {})", target.sql, string_literal(key)),
                    Type::Dynamic,
                ))
            }
            ExprKind::Index { target, index } => {
                let target = self.dynamic_operand(target, scope)?;
                match &index.kind {
                    ExprKind::Literal(Literal::Str(key)) => Ok(Typed::new(
                        format!("kql_member({}, {})", target.sql, string_literal(key)),
                        Type::Dynamic,
                    )),
                    ExprKind::Literal(Literal::Long(i)) => {
                        Ok(Typed::new(format!("kql_index({}, {i})", target.sql), Type::Dynamic))
                    }
                    _ => {
                        // A key computed per row names a member, as Kusto's answers show. An
                        // array index computed per row is refused: Kusto rejected the one query
                        // of its answers that has one (`a[array_length(a) - 1]`).
                        let at = self.scalar(index, scope)?;
                        match at.ty {
                            Type::String => Ok(Typed::new(
                                format!("kql_member({}, {})", target.sql, at.sql),
                                Type::Dynamic,
                            )),
                            t if t.is_integer() => Err(Fault::refuse(
                                index.offset,
                                "an array index must be a constant",
                            )),
                            other => Err(Fault::new(
                                index.offset,
                                &format!("a string key or an integer index, found a {other}"),
                            )),
                        }
                    }
                }
            }
            ExprKind::In { value, list, negated, caseless } => {
                self.membership(value, list, *negated, *caseless, scope, filter)
            }
            ExprKind::ToScalar(pipeline) => {
                let rel = self.sub_pipeline(pipeline)?;
                let Some(column) = rel.columns.first() else {
                    return Err(Fault::new(expr.offset, "a table with a column for toscalar"));
                };
                // The aggregate makes the value nullable, as a table of no rows needs; the
                // first row is the first in the order a sort gave the rows.
                let order =
                    rel.order.as_ref().map(|o| format!(" ORDER BY {o}")).unwrap_or_default();
                let value = format!(
                    "(SELECT max(first_row.{c}) FROM (SELECT {c} FROM {}{order} LIMIT 1) AS first_row)",
                    rel.name,
                    c = ident(&column.name)
                );
                // Of no rows, a string is "", never null.
                let sql = if column.ty == Type::String {
                    format!("coalesce({value}, '')")
                } else {
                    value
                };
                Ok(Typed::new(sql, column.ty))
            }
            ExprKind::Between { value, low, high, negated } => {
                let value = self.scalar(value, scope)?;
                let low = self.scalar(low, scope)?;
                let mut high_typed = self.scalar(high, scope)?;
                if value.ty == Type::DateTime && high_typed.ty == Type::Timespan {
                    high_typed =
                        Typed::new(format!("({} + {})", low.sql, high_typed.sql), Type::DateTime);
                }
                self.comparable(&value, &low, expr.offset)?;
                self.comparable(&value, &high_typed, high.offset)?;
                if !(value.ty.is_numeric() || matches!(value.ty, Type::DateTime | Type::Timespan)) {
                    // Kusto's ranges are of numbers, datetimes and timespans.
                    return Err(Fault::refuse(
                        expr.offset,
                        &format!("Kusto has no `between` of {} values", value.ty),
                    ));
                }
                // Of a null, null, as the comparisons it is made of.
                let within = format!("({} BETWEEN {} AND {})", value.sql, low.sql, high_typed.sql);
                Ok(Typed::new(
                    if *negated { format!("(NOT {within})") } else { within },
                    Type::Bool,
                ))
            }
        }
    }

    fn name(&mut self, name: &str, offset: usize, scope: &Scope) -> Result<Typed, Fault> {
        if let Some(typed) = scope.column(name) {
            return Ok(typed);
        }
        match self.binding(name) {
            Some(Binding::Scalar(typed) | Binding::Constant(_, typed)) => Ok(typed.clone()),
            Some(Binding::Table(_)) => Err(Fault::refuse(
                offset,
                &format!("`{name}` is a table; a table is not a value here"),
            )),
            Some(Binding::Function { .. }) => {
                Err(Fault::refuse(offset, &format!("`{name}` is a function; call it with ()")))
            }
            None => Err(Fault::refuse(
                offset,
                &format!(
                    "unknown column `{name}`: it is not a column of this step's input nor a let"
                ),
            )),
        }
    }

    /// An operand that must be dynamic, as member access needs.
    fn dynamic_operand(&mut self, expr: &Expr, scope: &Scope) -> Result<Typed, Fault> {
        let typed = self.scalar(expr, scope)?;
        if typed.ty != Type::Dynamic {
            return Err(Fault::refuse(
                expr.offset,
                &format!(
                    "member access needs a dynamic value, not a {}; wrap it in todynamic()",
                    typed.ty
                ),
            ));
        }
        Ok(typed)
    }

    /// Fails unless `a` and `b` can be compared as Kusto compares them.
    pub(crate) fn comparable(&self, a: &Typed, b: &Typed, offset: usize) -> Result<(), Fault> {
        let ok = a.ty == b.ty
            || a.ty.is_numeric() && b.ty.is_numeric()
            || matches!((a.ty, b.ty), (Type::String, Type::Guid) | (Type::Guid, Type::String));
        if ok {
            return Ok(());
        }
        Err(Fault::refuse(
            offset,
            &format!("cannot compare a {} with a {}; convert one side first", a.ty, b.ty),
        ))
    }

    fn binary(
        &mut self,
        op: BinaryOp,
        left: &Expr,
        right: &Expr,
        scope: &Scope,
        filter: bool,
    ) -> Result<Typed, Fault> {
        if let BinaryOp::Text(text_op, negated) = op {
            if matches!(left.kind, ExprKind::Star) {
                // `* has "x"`: in any column; negated, in none.
                let rel = scope.rel.clone();
                let any = self.in_any_column(text_op, right, left.offset, &rel)?;
                let sql = if negated { format!("(NOT {})", any.sql) } else { any.sql };
                return Ok(Typed::new(sql, Type::Bool));
            }
            return self.text_predicate(text_op, negated, left, right, scope);
        }
        // The sides of a filter's `and`/`or` are at its top level too.
        let joins = matches!(op, BinaryOp::And | BinaryOp::Or);
        self.filter = filter && joins;
        let l = self.scalar(left, scope)?;
        self.filter = filter && joins;
        let r = self.scalar(right, scope)?;
        let bool_of = |sql: String| Ok(Typed::new(sql, Type::Bool));
        match op {
            BinaryOp::And | BinaryOp::Or => {
                for (side, expr) in [(&l, left), (&r, right)] {
                    if side.ty != Type::Bool {
                        return Err(Fault::refuse(
                            expr.offset,
                            &format!("expected a bool, found a {}", side.ty),
                        ));
                    }
                }
                let word = if op == BinaryOp::And { "AND" } else { "OR" };
                bool_of(format!("({} {word} {})", l.sql, r.sql))
            }
            BinaryOp::Eq
            | BinaryOp::NotEq
            | BinaryOp::Less
            | BinaryOp::LessEq
            | BinaryOp::Greater
            | BinaryOp::GreaterEq => {
                if l.ty == Type::Dynamic || r.ty == Type::Dynamic {
                    return Err(Fault::refuse(
                        left.offset,
                        "comparing a dynamic value is not supported; convert it first with tostring(), tolong() or todouble()",
                    ));
                }
                self.comparable(&l, &r, right.offset)?;
                let ordering = !matches!(op, BinaryOp::Eq | BinaryOp::NotEq);
                if ordering && matches!(l.ty, Type::String | Type::Bool | Type::Guid) {
                    // Kusto orders numbers, datetimes and timespans only: `"a" < "b"` is
                    // rejected there.
                    return Err(Fault::refuse(
                        left.offset,
                        &format!("Kusto does not order {} values with `<` or `>`", l.ty),
                    ));
                }
                let symbol = match op {
                    BinaryOp::Eq => "=",
                    BinaryOp::NotEq => "<>",
                    BinaryOp::Less => "<",
                    BinaryOp::LessEq => "<=",
                    BinaryOp::Greater => ">",
                    _ => ">=",
                };
                let mut compared = format!("({} {symbol} {})", l.sql, r.sql);
                // NaN is neither less nor greater than anything (SQL orders it above all).
                let nans: Vec<String> = [&l, &r]
                    .iter()
                    .filter(|side| side.ty == Type::Real)
                    .map(|side| format!("isnan({})", side.sql))
                    .collect();
                if ordering && !nans.is_empty() {
                    compared =
                        format!("(CASE WHEN {} THEN FALSE ELSE {compared} END)", nans.join(" OR "));
                }
                // Strings are never null. Of other values, Kusto's `==` of a null and a value
                // is false and its `!=` true, either of two nulls null, as is an ordering of a
                // null; a filter drops a null as it drops a false.
                let both_strings = l.ty == Type::String && r.ty == Type::String;
                let sql = match op {
                    _ if both_strings || ordering => compared,
                    BinaryOp::Eq if filter => compared,
                    _ => {
                        let one_null = if op == BinaryOp::Eq { "FALSE" } else { "TRUE" };
                        format!(
                            "CASE WHEN {l} IS NULL AND {r} IS NULL THEN CAST(NULL AS BOOLEAN) \
                             WHEN {l} IS NULL OR {r} IS NULL THEN {one_null} ELSE {compared} END",
                            l = l.sql,
                            r = r.sql
                        )
                    }
                };
                bool_of(sql)
            }
            BinaryOp::EqCaseless | BinaryOp::NotEqCaseless => {
                let l = self.as_text(l, left.offset)?;
                let r = self.as_text(r, right.offset)?;
                let symbol = if op == BinaryOp::EqCaseless { "=" } else { "<>" };
                bool_of(format!("(kql_tolower({}) {symbol} kql_tolower({}))", l.sql, r.sql))
            }
            BinaryOp::Add
            | BinaryOp::Subtract
            | BinaryOp::Multiply
            | BinaryOp::Divide
            | BinaryOp::Modulo => self.arithmetic(op, l, r, left.offset),
            BinaryOp::Text(..) => Err(Fault::refuse(left.offset, "unreachable string operator")),
        }
    }

    fn arithmetic(&self, op: BinaryOp, l: Typed, r: Typed, offset: usize) -> Result<Typed, Fault> {
        let symbol = match op {
            BinaryOp::Add => "+",
            BinaryOp::Subtract => "-",
            BinaryOp::Multiply => "*",
            BinaryOp::Divide => "/",
            _ => "%",
        };
        let ty = match (l.ty, op, r.ty) {
            (a, _, b) if a.is_numeric() && b.is_numeric() => Type::numeric_result(a, b),
            (Type::DateTime, BinaryOp::Subtract, Type::DateTime) => Type::Timespan,
            (Type::DateTime, BinaryOp::Add | BinaryOp::Subtract, Type::Timespan) => Type::DateTime,
            (Type::Timespan, BinaryOp::Add, Type::DateTime) => Type::DateTime,
            (Type::Timespan, BinaryOp::Add | BinaryOp::Subtract, Type::Timespan) => Type::Timespan,
            (a, b_op, b) => {
                let _ = b_op;
                return Err(Fault::refuse(
                    offset,
                    &format!("`{symbol}` of a {a} and a {b} is not supported"),
                ));
            }
        };
        if l.ty == Type::DateTime && r.ty == Type::DateTime {
            // Arrow subtracts timestamps into a duration of the same unit.
            return Ok(Typed::new(
                format!("arrow_cast(({} - {}), 'Duration(Nanosecond)')", l.sql, r.sql),
                ty,
            ));
        }
        if l.ty.is_integer() && r.ty.is_integer() {
            // Kusto computes on 64 bits (int + int is a long), and its remainder is never
            // negative: -7 % 3 is 2 and 7 % -3 is 1.
            let (a, b) = (widen(&l), widen(&r));
            // Kusto's integer division and remainder by zero are null.
            let b = if matches!(op, BinaryOp::Divide | BinaryOp::Modulo) {
                format!("nullif({b}, 0)")
            } else {
                b
            };
            let sql = if op == BinaryOp::Modulo {
                format!(
                    "CASE WHEN ({a} % {b}) < 0 THEN ({a} % {b}) + abs({b}) ELSE ({a} % {b}) END"
                )
            } else {
                format!("({a} {symbol} {b})")
            };
            return Ok(Typed::new(sql, Type::Long));
        }
        if op == BinaryOp::Modulo && ty == Type::Real {
            // Never negative, as for integers: `-7.5 % 2` is 0.5.
            let (a, b) = (&l.sql, &r.sql);
            return Ok(Typed::new(
                format!(
                    "CASE WHEN ({a} % {b}) < 0 THEN ({a} % {b}) + abs({b}) ELSE ({a} % {b}) END"
                ),
                ty,
            ));
        }
        Ok(Typed::new(format!("({} {symbol} {})", l.sql, r.sql), ty))
    }

    /// A string operand: a string as it is, a dynamic value as Kusto's `tostring` of it.
    pub(crate) fn as_text(&self, typed: Typed, offset: usize) -> Result<Typed, Fault> {
        match typed.ty {
            Type::String | Type::Guid => Ok(typed),
            Type::Dynamic => Ok(Typed::new(format!("kql_tostring({})", typed.sql), Type::String)),
            other => Err(Fault::refuse(
                offset,
                &format!(
                    "a string operator needs a string, not a {other}; convert it with tostring()"
                ),
            )),
        }
    }

    fn text_predicate(
        &mut self,
        op: TextOp,
        negated: bool,
        left: &Expr,
        right: &Expr,
        scope: &Scope,
    ) -> Result<Typed, Fault> {
        let text = self.scalar(left, scope)?;
        let text = self.as_text(text, left.offset)?;
        if matches!(op, TextOp::HasAny | TextOp::HasAll) {
            let terms = self.list_values(right, scope)?;
            let parts: Vec<String> =
                terms.iter().map(|t| format!("kql_has({}, {}, 'has')", text.sql, t.sql)).collect();
            let joiner = if op == TextOp::HasAny { " OR " } else { " AND " };
            let empty = if op == TextOp::HasAny { "FALSE" } else { "TRUE" };
            let sql = if parts.is_empty() {
                empty.to_string()
            } else {
                format!("({})", parts.join(joiner))
            };
            return Ok(Typed::new(if negated { format!("(NOT {sql})") } else { sql }, Type::Bool));
        }
        let needle = self.scalar(right, scope)?;
        let needle = self.as_text(needle, right.offset)?;
        let (t, n) = (&text.sql, &needle.sql);
        let sql = match op {
            TextOp::Has => format!("kql_has({t}, {n}, 'has')"),
            TextOp::HasCs => format!("kql_has({t}, {n}, 'has_cs')"),
            TextOp::HasPrefix => format!("kql_has({t}, {n}, 'hasprefix')"),
            TextOp::HasSuffix => format!("kql_has({t}, {n}, 'hassuffix')"),
            TextOp::Contains => format!("(strpos(kql_tolower({t}), kql_tolower({n})) > 0)"),
            TextOp::ContainsCs => format!("(strpos({t}, {n}) > 0)"),
            TextOp::StartsWith => format!("starts_with(kql_tolower({t}), kql_tolower({n}))"),
            TextOp::StartsWithCs => format!("starts_with({t}, {n})"),
            TextOp::EndsWith => format!("ends_with(kql_tolower({t}), kql_tolower({n}))"),
            TextOp::EndsWithCs => format!("ends_with({t}, {n})"),
            TextOp::MatchesRegex => format!("regexp_like({t}, {n})"),
            TextOp::HasAny | TextOp::HasAll => String::new(),
        };
        Ok(Typed::new(if negated { format!("(NOT {sql})") } else { sql }, Type::Bool))
    }

    /// The values of a list written in parentheses or given as a dynamic array constant.
    fn list_values(&mut self, list: &Expr, scope: &Scope) -> Result<Vec<Typed>, Fault> {
        let items: Vec<Expr> = match &list.kind {
            ExprKind::List(items) => items.clone(),
            _ => vec![list.clone()],
        };
        let mut values = Vec::new();
        for item in &items {
            let typed = self.scalar(item, scope)?;
            if typed.ty != Type::Dynamic {
                values.push(typed);
                continue;
            }
            values.extend(constant_array(&typed).ok_or_else(|| {
                Fault::refuse(item.offset, "only a constant dynamic array can be used as a list")
            })?);
        }
        Ok(values)
    }

    fn membership(
        &mut self,
        value: &Expr,
        list: &[Expr],
        negated: bool,
        caseless: bool,
        scope: &Scope,
        filter: bool,
    ) -> Result<Typed, Fault> {
        if let [only] = list
            && let ExprKind::Name(name) = &only.kind
            && scope.column(name).is_none()
            && let Some(Binding::Table(rel)) = self.binding(name).cloned()
        {
            if !filter {
                return Err(Fault::refuse(
                    only.offset,
                    "`in` a table is only supported in a where condition",
                ));
            }
            return self.membership_of_table(value, &rel, only.offset, negated, caseless, scope);
        }
        let list_expr = Expr { kind: ExprKind::List(list.to_vec()), offset: value.offset };
        let mut typed = self.scalar(value, scope)?;
        let items = self.list_values(&list_expr, scope)?;
        if typed.ty == Type::Dynamic {
            typed = self.as_text(typed, value.offset)?;
        }
        for item in &items {
            self.comparable(&typed, item, value.offset)?;
        }
        if items.is_empty() {
            return Ok(Typed::new(if negated { "TRUE" } else { "FALSE" }, Type::Bool));
        }
        let (value_sql, item_sql): (String, Vec<String>) = if caseless {
            let typed = self.as_text(typed, value.offset)?;
            (
                format!("kql_tolower({})", typed.sql),
                items.iter().map(|i| format!("kql_tolower({})", i.sql)).collect(),
            )
        } else {
            (typed.sql, items.into_iter().map(|i| i.sql).collect())
        };
        // A null is in no list, and so `!in` every list.
        let listed = format!("{value_sql} IN ({})", item_sql.join(", "));
        let member = if filter && !negated {
            format!("({listed})")
        } else {
            format!("coalesce({listed}, FALSE)")
        };
        Ok(Typed::new(if negated { format!("(NOT {member})") } else { member }, Type::Bool))
    }
}

impl Translator<'_> {
    /// `x in (T)` for a tabular `let` `T`, in a `where`: whether `x` is among the values of its
    /// first column, as `EXISTS`, which a null `x` (or a null in `T`) leaves false.
    fn membership_of_table(
        &mut self,
        value: &Expr,
        table: &Rel,
        at: usize,
        negated: bool,
        caseless: bool,
        scope: &Scope,
    ) -> Result<Typed, Fault> {
        // Kusto compares with the table's first column.
        let Some(column) = table.columns.first() else {
            return Err(Fault::new(at, "a table with a column"));
        };
        let typed = self.scalar(value, scope)?;
        // The listed column is renamed so that it cannot capture a name of the outer row.
        let item = Typed::new("listed.kql_listed", column.ty);
        self.comparable(&typed, &item, value.offset)?;
        if column.ty == Type::Dynamic || typed.ty == Type::Dynamic {
            return Err(Fault::refuse(at, "`in` a table of dynamic values is not supported"));
        }
        let (value_sql, item_sql) = if caseless {
            let typed = self.as_text(typed, value.offset)?;
            (format!("kql_tolower({})", typed.sql), format!("kql_tolower({})", item.sql))
        } else {
            (typed.sql, item.sql)
        };
        let exists = if negated { "NOT EXISTS" } else { "EXISTS" };
        let member = format!(
            "{exists} (SELECT 1 FROM (SELECT {} AS kql_listed FROM {}) AS listed WHERE {item_sql} = {value_sql})",
            ident(&column.name),
            table.name
        );
        Ok(Typed::new(format!("({member})"), Type::Bool))
    }
}

/// The elements of a constant dynamic array given as an SQL string literal of JSON text, as
/// literals of their own types; None if it is not such a constant.
fn constant_array(typed: &Typed) -> Option<Vec<Typed>> {
    let json = typed.sql.strip_prefix('\'')?.strip_suffix('\'')?.replace("''", "'");
    let value: serde_json::Value = serde_json::from_str(&json).ok()?;
    let serde_json::Value::Array(items) = value else {
        return None;
    };
    items
        .iter()
        .map(|item| match item {
            serde_json::Value::String(s) => Some(Typed::new(string_literal(s), Type::String)),
            serde_json::Value::Number(n) if n.is_i64() => {
                Some(Typed::new(format!("CAST({n} AS BIGINT)"), Type::Long))
            }
            serde_json::Value::Number(n) => {
                Some(Typed::new(format!("CAST({n} AS DOUBLE)"), Type::Real))
            }
            serde_json::Value::Bool(b) => {
                Some(Typed::new(b.to_string().to_uppercase(), Type::Bool))
            }
            _ => None,
        })
        .collect()
}

/// An integer operand as a 64-bit value.
fn widen(value: &Typed) -> String {
    if value.ty == Type::Long {
        value.sql.clone()
    } else {
        format!("CAST({} AS BIGINT)", value.sql)
    }
}
