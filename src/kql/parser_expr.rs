//! The scalar half of the parser: Kusto's precedence from `or` down to literals, member
//! access and calls, and the JSON-like text inside `dynamic(...)`.

use super::Fault;
use super::ast::*;
use super::keywords;
use super::lexer::TokenKind;
use super::parser::Cursor;
use crate::functions::convert::json_real;

/// `a or b`.
pub(crate) fn or(p: &mut impl Cursor) -> Result<Expr, Fault> {
    let mut left = and(p)?;
    while p.is_word("or") {
        p.advance();
        let right = and(p)?;
        left = binary(BinaryOp::Or, left, right);
    }
    Ok(left)
}

fn and(p: &mut impl Cursor) -> Result<Expr, Fault> {
    let mut left = comparison(p)?;
    while p.is_word("and") {
        p.advance();
        let right = comparison(p)?;
        left = binary(BinaryOp::And, left, right);
    }
    Ok(left)
}

fn binary(op: BinaryOp, left: Expr, right: Expr) -> Expr {
    let offset = left.offset;
    Expr { kind: ExprKind::Binary { op, left: Box::new(left), right: Box::new(right) }, offset }
}

/// The string predicates by name.
fn text_op(word: &str) -> Option<TextOp> {
    Some(match word {
        "has" => TextOp::Has,
        "has_cs" => TextOp::HasCs,
        "hasprefix" => TextOp::HasPrefix,
        "hassuffix" => TextOp::HasSuffix,
        "contains" => TextOp::Contains,
        "contains_cs" => TextOp::ContainsCs,
        "startswith" => TextOp::StartsWith,
        "startswith_cs" => TextOp::StartsWithCs,
        "endswith" => TextOp::EndsWith,
        "endswith_cs" => TextOp::EndsWithCs,
        "has_any" => TextOp::HasAny,
        "has_all" => TextOp::HasAll,
        "matches" => TextOp::MatchesRegex,
        _ => return None,
    })
}

fn comparison(p: &mut impl Cursor) -> Result<Expr, Fault> {
    let left = additive(p)?;
    let symbol_op = match p.peek() {
        TokenKind::Symbol("==") => Some(BinaryOp::Eq),
        TokenKind::Symbol("!=") | TokenKind::Symbol("<>") => Some(BinaryOp::NotEq),
        TokenKind::Symbol("=~") => Some(BinaryOp::EqCaseless),
        TokenKind::Symbol("!~") => Some(BinaryOp::NotEqCaseless),
        TokenKind::Symbol("<") => Some(BinaryOp::Less),
        TokenKind::Symbol("<=") => Some(BinaryOp::LessEq),
        TokenKind::Symbol(">") => Some(BinaryOp::Greater),
        TokenKind::Symbol(">=") => Some(BinaryOp::GreaterEq),
        _ => None,
    };
    if let Some(op) = symbol_op {
        p.advance();
        let right = additive(p)?;
        return Ok(binary(op, left, right));
    }

    // `!has`, `!in~`: a `!` glued to the word after it.
    let negated = p.is_symbol("!") && p.next_offset() == p.offset() + 1;
    let save = p.save();
    if negated {
        p.advance();
    }
    let word = match p.peek() {
        TokenKind::Name(w) => w.clone(),
        _ => {
            p.restore(save);
            return Ok(left);
        }
    };
    if let Some(op) = text_op(&word) {
        p.advance();
        if op == TextOp::MatchesRegex {
            if !p.eat_word("regex") {
                return Err(p.expected("`regex` after `matches`"));
            }
            if negated {
                return Err(Fault::new(save, "`matches regex` without `!`"));
            }
        }
        let right = if matches!(op, TextOp::HasAny | TextOp::HasAll) {
            list_or_expr(p)?
        } else {
            additive(p)?
        };
        return Ok(binary(BinaryOp::Text(op, negated), left, right));
    }
    match word.as_str() {
        "in" => {
            p.advance();
            let caseless = p.eat_symbol("~");
            let list = in_list(p)?;
            let offset = left.offset;
            Ok(Expr {
                kind: ExprKind::In { value: Box::new(left), list, negated, caseless },
                offset,
            })
        }
        "between" => {
            p.advance();
            p.expect_symbol("(")?;
            let low = additive(p)?;
            p.expect_symbol("..")?;
            let high = additive(p)?;
            p.expect_symbol(")")?;
            let offset = left.offset;
            Ok(Expr {
                kind: ExprKind::Between {
                    value: Box::new(left),
                    low: Box::new(low),
                    high: Box::new(high),
                    negated,
                },
                offset,
            })
        }
        _ if negated => Err(p.expected("a string operator after `!`")),
        _ => {
            p.restore(save);
            Ok(left)
        }
    }
}

/// `(a, b, c)` for `in`: a parenthesised list, which may also be a single tabular name.
fn in_list(p: &mut impl Cursor) -> Result<Vec<Expr>, Fault> {
    let offset = p.offset();
    p.expect_symbol("(")?;
    let mut list = Vec::new();
    while !p.is_symbol(")") {
        list.push(p.expr()?);
        if p.is_symbol("|") {
            return Err(Fault::refuse(offset, "`in` over a subquery is not supported"));
        }
        if !p.eat_symbol(",") {
            break;
        }
    }
    p.expect_symbol(")")?;
    Ok(list)
}

fn list_or_expr(p: &mut impl Cursor) -> Result<Expr, Fault> {
    let offset = p.offset();
    if p.is_symbol("(") {
        let list = in_list(p)?;
        return Ok(Expr { kind: ExprKind::List(list), offset });
    }
    additive(p)
}

fn additive(p: &mut impl Cursor) -> Result<Expr, Fault> {
    let mut left = multiplicative(p)?;
    loop {
        let op = match p.peek() {
            TokenKind::Symbol("+") => BinaryOp::Add,
            TokenKind::Symbol("-") => BinaryOp::Subtract,
            _ => return Ok(left),
        };
        p.advance();
        let right = multiplicative(p)?;
        left = binary(op, left, right);
    }
}

fn multiplicative(p: &mut impl Cursor) -> Result<Expr, Fault> {
    let mut left = unary(p)?;
    loop {
        let op = match p.peek() {
            TokenKind::Symbol("*") => BinaryOp::Multiply,
            TokenKind::Symbol("/") => BinaryOp::Divide,
            TokenKind::Symbol("%") => BinaryOp::Modulo,
            _ => return Ok(left),
        };
        p.advance();
        let right = unary(p)?;
        left = binary(op, left, right);
    }
}

fn unary(p: &mut impl Cursor) -> Result<Expr, Fault> {
    let offset = p.offset();
    if p.eat_symbol("-") {
        p.enter()?;
        let inner = unary(p);
        p.leave();
        let inner = inner?;
        return Ok(match inner.kind {
            ExprKind::Literal(Literal::Long(n)) => literal(Literal::Long(-n), offset),
            ExprKind::Literal(Literal::Real(x)) => literal(Literal::Real(-x), offset),
            ExprKind::Literal(Literal::Timespan(t)) => literal(Literal::Timespan(-t), offset),
            _ => Expr { kind: ExprKind::Negate(Box::new(inner)), offset },
        });
    }
    if p.eat_symbol("+") {
        return unary(p);
    }
    postfix(p)
}

fn literal(value: Literal, offset: usize) -> Expr {
    Expr { kind: ExprKind::Literal(value), offset }
}

fn postfix(p: &mut impl Cursor) -> Result<Expr, Fault> {
    let mut expr = primary(p)?;
    loop {
        let offset = p.offset();
        if p.is_symbol(".") {
            p.advance();
            let key_offset = p.offset();
            let key = match p.advance().kind {
                TokenKind::Name(n) if keywords::is_reserved(&n) => {
                    return Err(keywords::reserved_name(&n, key_offset));
                }
                TokenKind::Name(n) | TokenKind::QuotedName(n) => n,
                _ => return Err(Fault::new(offset + 1, "a member name after `.`")),
            };
            expr = Expr { kind: ExprKind::Member { target: Box::new(expr), key }, offset };
        } else if let TokenKind::QuotedName(key) = p.peek().clone() {
            p.advance();
            expr = Expr { kind: ExprKind::Member { target: Box::new(expr), key }, offset };
        } else if p.is_symbol("[") {
            p.advance();
            let index = p.expr()?;
            p.expect_symbol("]")?;
            expr = Expr {
                kind: ExprKind::Index { target: Box::new(expr), index: Box::new(index) },
                offset,
            };
        } else {
            return Ok(expr);
        }
    }
}

fn primary(p: &mut impl Cursor) -> Result<Expr, Fault> {
    let offset = p.offset();
    let token = p.peek().clone();
    match token {
        TokenKind::Str(s) => {
            p.advance();
            // Adjacent string literals are one string in Kusto.
            let mut text = s;
            while let TokenKind::Str(more) = p.peek().clone() {
                p.advance();
                text.push_str(&more);
            }
            Ok(literal(Literal::Str(text), offset))
        }
        TokenKind::Long(n) => {
            p.advance();
            Ok(literal(Literal::Long(n), offset))
        }
        TokenKind::Real(x) => {
            p.advance();
            Ok(literal(Literal::Real(x), offset))
        }
        TokenKind::Timespan(t) => {
            p.advance();
            Ok(literal(Literal::Timespan(t), offset))
        }
        TokenKind::Symbol("(") => {
            p.advance();
            let inner = p.expr()?;
            if p.is_symbol("|") {
                return Err(Fault::refuse(
                    offset,
                    "a tabular subquery inside a scalar expression is not supported",
                ));
            }
            p.expect_symbol(")")?;
            Ok(inner)
        }
        TokenKind::QuotedName(n) => {
            p.advance();
            Ok(Expr { kind: ExprKind::Name(n), offset })
        }
        // `* has "x"`: every column (only a string predicate takes it).
        TokenKind::Symbol("*") => {
            p.advance();
            Ok(Expr { kind: ExprKind::Star, offset })
        }
        TokenKind::Name(n) => {
            p.advance();
            name_or_call(p, n, offset)
        }
        _ => Err(p.expected("an expression")),
    }
}

fn name_or_call(p: &mut impl Cursor, name: String, offset: usize) -> Result<Expr, Fault> {
    match name.as_str() {
        "true" | "True" | "TRUE" => return Ok(literal(Literal::Bool(true), offset)),
        "false" | "False" | "FALSE" => return Ok(literal(Literal::Bool(false), offset)),
        _ => {}
    }
    if !p.is_symbol("(") {
        if keywords::is_reserved(&name) {
            return Err(keywords::reserved_name(&name, offset));
        }
        return Ok(Expr { kind: ExprKind::Name(name), offset });
    }
    if keywords::is_reserved(&name) && !keywords::can_be_called(&name) {
        // `hasprefix(s, "a")`: an operator's keyword is not a function.
        return Err(keywords::reserved_name(&name, offset));
    }
    p.advance();
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        "toscalar" => {
            let inner = p.pipeline()?;
            p.expect_symbol(")")?;
            Ok(Expr { kind: ExprKind::ToScalar(Box::new(inner)), offset })
        }
        "datetime" | "timespan" | "time" | "guid" => {
            let raw = match p.advance().kind {
                TokenKind::Raw(raw) => raw,
                _ => return Err(Fault::new(offset, "a literal inside the parentheses")),
            };
            p.expect_symbol(")")?;
            typed_raw(&lower, raw, offset)
        }
        "dynamic" => {
            let json = if p.is_symbol(")") { "null".to_string() } else { dynamic_value(p)? };
            p.expect_symbol(")")?;
            Ok(literal(Literal::Dynamic(json), offset))
        }
        // Kusto's typed literals; `string(...)` and `boolean(...)` are not among them.
        "long" | "int" | "real" | "double" | "bool" | "decimal"
            if matches!(p.peek_at(1), TokenKind::Symbol(")")) =>
        {
            typed_literal(p, &lower, offset)
        }
        // `typeof(long)`: a type's name, reserved word or not.
        "typeof" if matches!(p.peek(), TokenKind::Name(_)) => {
            let type_offset = p.offset();
            let TokenKind::Name(type_name) = p.advance().kind else {
                return Err(p.expected("a type"));
            };
            p.expect_symbol(")")?;
            let arg = Expr { kind: ExprKind::Name(type_name), offset: type_offset };
            Ok(Expr { kind: ExprKind::Call { name, args: vec![arg] }, offset })
        }
        // `real(+inf)`, `real(-inf)`.
        "real" | "double"
            if matches!(p.peek(), TokenKind::Symbol("+" | "-"))
                && matches!(p.peek_at(1), TokenKind::Name(n) if n.eq_ignore_ascii_case("inf"))
                && matches!(p.peek_at(2), TokenKind::Symbol(")")) =>
        {
            let negative = matches!(p.advance().kind, TokenKind::Symbol("-"));
            p.advance();
            p.expect_symbol(")")?;
            let infinity = if negative { f64::NEG_INFINITY } else { f64::INFINITY };
            Ok(literal(Literal::Real(infinity), offset))
        }
        _ => {
            let args = p.arguments()?;
            Ok(Expr { kind: ExprKind::Call { name, args }, offset })
        }
    }
}

/// `long(5)`, `real(null)`, `bool(true)`: a literal of a named type.
fn typed_literal(p: &mut impl Cursor, kind: &str, offset: usize) -> Result<Expr, Fault> {
    let token = p.advance();
    p.expect_symbol(")")?;
    let kind = match kind {
        "double" => "real",
        "boolean" => "bool",
        other => other,
    };
    let value = match (kind, token.kind) {
        (_, TokenKind::Name(n)) if n == "null" => Literal::Null(kind.to_string()),
        ("long", TokenKind::Long(n)) => Literal::Long(n),
        ("int", TokenKind::Long(n)) => Literal::Int(n),
        ("real", TokenKind::Long(n)) => Literal::Real(n as f64),
        ("real", TokenKind::Real(x)) => Literal::Real(x),
        ("real", TokenKind::Name(n)) if n.eq_ignore_ascii_case("nan") => Literal::Real(f64::NAN),
        ("real", TokenKind::Name(n)) if n.eq_ignore_ascii_case("inf") => {
            Literal::Real(f64::INFINITY)
        }
        ("bool", TokenKind::Name(n)) if n == "true" => Literal::Bool(true),
        ("bool", TokenKind::Name(n)) if n == "false" => Literal::Bool(false),
        ("string", TokenKind::Str(s)) => Literal::Str(s),
        _ => return Err(Fault::new(token.offset, &format!("a {kind} literal or null"))),
    };
    Ok(literal(value, offset))
}

fn typed_raw(kind: &str, raw: String, offset: usize) -> Result<Expr, Fault> {
    if raw == "null" {
        let kind = if kind == "time" { "timespan" } else { kind };
        return Ok(literal(Literal::Null(kind.to_string()), offset));
    }
    match kind {
        "datetime" => Ok(literal(Literal::DateTime(raw), offset)),
        "guid" => {
            // Eight, four, four, four and twelve hexadecimal digits.
            let groups: Vec<&str> = raw.trim().split('-').collect();
            let lengths = groups.iter().map(|g| g.len()).collect::<Vec<_>>();
            let hex = groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()));
            if lengths != [8, 4, 4, 4, 12] || !hex {
                return Err(Fault::new(
                    offset,
                    "a guid such as 12e8b78d-55b4-46ae-b068-26d7a0080254",
                ));
            }
            Ok(literal(Literal::Guid(raw.trim().to_ascii_lowercase()), offset))
        }
        _ if clock_ticks(&raw).is_some() => {
            Ok(literal(Literal::Timespan(clock_ticks(&raw).unwrap_or_default()), offset))
        }
        _ => {
            let tokens =
                super::lexer::tokenize(&raw).map_err(|f| Fault::new(offset, &f.message))?;
            match tokens.first().map(|t| &t.kind) {
                Some(TokenKind::Timespan(t)) if tokens.len() == 2 => {
                    Ok(literal(Literal::Timespan(*t), offset))
                }
                _ => Err(Fault::refuse(
                    offset,
                    &format!("the timespan literal `{raw}` is not supported"),
                )),
            }
        }
    }
}

/// A timespan written as .NET writes one, `[-][d.]hh:mm[:ss[.fffffff]]`, in ticks.
pub(crate) fn clock_ticks(raw: &str) -> Option<i64> {
    const TICKS_PER_SECOND: i64 = 10_000_000;
    let raw = raw.trim();
    let (negative, raw) = match raw.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, raw),
    };
    let (clock, fraction) = match raw.split_once(':') {
        None => return None,
        Some(_) => match raw.rsplit_once('.') {
            // A dot after the last colon starts the fraction of a second.
            Some((before, after)) if before.contains(':') && !after.contains(':') => {
                (before, Some(after))
            }
            _ => (raw, None),
        },
    };
    let (days, clock) = match clock.split_once('.') {
        Some((days, clock)) => (days.parse::<i64>().ok()?, clock),
        None => (0, clock),
    };
    let parts: Vec<&str> = clock.split(':').collect();
    if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| p.is_empty() || p.len() > 2) {
        return None;
    }
    let number = |p: &str| p.parse::<i64>().ok().filter(|_| p.bytes().all(|b| b.is_ascii_digit()));
    let (hours, minutes) = (number(parts[0])?, number(parts[1])?);
    let seconds = parts.get(2).map_or(Some(0), |s| number(s))?;
    if hours > 23 || minutes > 59 || seconds > 59 {
        return None;
    }
    let fraction_ticks = match fraction {
        None => 0,
        Some(f) if !f.is_empty() && f.len() <= 7 && f.bytes().all(|b| b.is_ascii_digit()) => {
            format!("{f:0<7}").parse::<i64>().ok()?
        }
        Some(_) => return None,
    };
    let ticks = ((days * 24 + hours) * 60 + minutes) * 60 + seconds;
    let ticks = ticks.checked_mul(TICKS_PER_SECOND)?.checked_add(fraction_ticks)?;
    Some(if negative { -ticks } else { ticks })
}

/// A JSON value written inside `dynamic(...)`, as compact JSON text in written key order.
fn dynamic_value(p: &mut impl Cursor) -> Result<String, Fault> {
    p.enter()?;
    let value = dynamic_inner(p);
    p.leave();
    value
}

fn dynamic_inner(p: &mut impl Cursor) -> Result<String, Fault> {
    let offset = p.offset();
    let token = p.advance();
    Ok(match token.kind {
        TokenKind::Symbol("[") => {
            let mut items = Vec::new();
            while !p.is_symbol("]") {
                items.push(dynamic_value(p)?);
                if !p.eat_symbol(",") {
                    break;
                }
            }
            p.expect_symbol("]")?;
            format!("[{}]", items.join(","))
        }
        TokenKind::Symbol("{") => {
            let mut items = Vec::new();
            while !p.is_symbol("}") {
                let key = match p.advance().kind {
                    TokenKind::Str(k) | TokenKind::Name(k) => k,
                    _ => return Err(Fault::new(p.previous_end(), "a property name")),
                };
                p.expect_symbol(":")?;
                items.push(format!("{}:{}", json_string(&key), dynamic_value(p)?));
                if !p.eat_symbol(",") {
                    break;
                }
            }
            p.expect_symbol("}")?;
            format!("{{{}}}", items.join(","))
        }
        TokenKind::Str(s) => json_string(&s),
        // `["x"]` lexes as a quoted name: an array of one string.
        TokenKind::QuotedName(s) => format!("[{}]", json_string(&s)),
        // Numbers as Kusto writes them in a dynamic value: `10.0`, `1E+20`, `0` for `-0`.
        TokenKind::Long(n) => n.to_string(),
        TokenKind::Real(x) if x.is_finite() => json_real(x),
        TokenKind::Symbol("-") => match p.advance().kind {
            TokenKind::Long(n) => (-n).to_string(),
            TokenKind::Real(x) if x.is_finite() => json_real(-x),
            _ => return Err(Fault::new(offset, "a number after `-`")),
        },
        TokenKind::Name(n) if matches!(n.as_str(), "true" | "false" | "null") => n,
        _ => {
            return Err(Fault::refuse(
                offset,
                "only JSON values (arrays, bags, strings, numbers, true, false, null) are supported in dynamic()",
            ));
        }
    })
}

/// `text` as a JSON string literal.
pub(crate) fn json_string(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}
