//! Kusto's mathematical functions over numbers: the tests for NaN and infinities, roots,
//! exponentials and logarithms, powers, rounding up, the trigonometric functions and angles,
//! and the bitwise functions over longs. Each gives a real, as Kusto's do, except `ceiling`
//! of an integer, which is that integer, and the bitwise ones, which give longs.

use super::super::Fault;
use super::super::types::Type;
use super::Typed;

/// Names of the functions translated here.
pub const FUNCTIONS: &[&str] = &[
    "isnan",
    "isinf",
    "isfinite",
    "sqrt",
    "exp",
    "exp2",
    "exp10",
    "log",
    "log2",
    "log10",
    "pow",
    "ceiling",
    "pi",
    "cos",
    "sin",
    "tan",
    "cot",
    "acos",
    "asin",
    "atan",
    "atan2",
    "degrees",
    "radians",
    "binary_and",
    "binary_or",
    "binary_xor",
    "binary_not",
    "binary_shift_left",
    "binary_shift_right",
];

/// Translates the mathematical function `name` of already translated `args`.
pub(crate) fn call(name: &str, args: Vec<Typed>, offset: usize) -> Result<Typed, Fault> {
    if name.starts_with("binary_") {
        return bitwise(name, args, offset);
    }
    let want = if matches!(name, "pow" | "atan2") {
        2
    } else if name == "pi" {
        0
    } else {
        1
    };
    if args.len() != want {
        return Err(Fault::new(
            offset,
            &format!("{want} argument(s) for {name}, found {}", args.len()),
        ));
    }
    let mut reals = Vec::new();
    for arg in &args {
        if !arg.ty.is_numeric() {
            return Err(Fault::new(offset, &format!("{name} takes numbers, found a {}", arg.ty)));
        }
        reals.push(format!("CAST({} AS DOUBLE)", arg.sql));
    }
    let infinity = "CAST('Infinity' AS DOUBLE)";
    let real = |sql: String| Ok(Typed::new(sql, Type::Real));
    let bool = |sql: String| Ok(Typed::new(sql, Type::Bool));
    match name {
        "isnan" => bool(format!("isnan({})", reals[0])),
        "isinf" => bool(format!("(abs({}) = {infinity})", reals[0])),
        "isfinite" => bool(format!("(NOT isnan({x}) AND abs({x}) <> {infinity})", x = reals[0])),
        // Kusto's root of a negative is NaN and its logarithm of one is null.
        "sqrt" => real(format!(
            "CASE WHEN {x} < 0 THEN CAST('NaN' AS DOUBLE) ELSE sqrt({x}) END",
            x = reals[0]
        )),
        "exp" => real(format!("exp({})", reals[0])),
        "exp2" => real(format!("power(2.0, {})", reals[0])),
        "exp10" => real(format!("power(10.0, {})", reals[0])),
        "log" => real(format!("CASE WHEN {x} < 0 THEN NULL ELSE ln({x}) END", x = reals[0])),
        "log2" => real(format!("CASE WHEN {x} < 0 THEN NULL ELSE log2({x}) END", x = reals[0])),
        "log10" => real(format!("CASE WHEN {x} < 0 THEN NULL ELSE log10({x}) END", x = reals[0])),
        "pow" => real(format!("power({}, {})", reals[0], reals[1])),
        "pi" => real("pi()".into()),
        "cos" | "sin" | "tan" | "atan" | "degrees" | "radians" => {
            real(format!("{name}({})", reals[0]))
        }
        "cot" => real(format!("(1.0 / tan({}))", reals[0])),
        // Outside [-1, 1] Kusto's arc cosine and arc sine are null, not NaN.
        "acos" | "asin" => {
            real(format!("CASE WHEN abs({x}) > 1.0 THEN NULL ELSE {name}({x}) END", x = reals[0]))
        }
        "atan2" => real(format!("atan2({}, {})", reals[0], reals[1])),
        "ceiling" if args[0].ty.is_integer() => Ok(args[0].clone()),
        "ceiling" => real(format!("ceil({})", reals[0])),
        _ => Err(Fault::refuse(offset, &format!("the function `{name}` is not supported"))),
    }
}

/// `binary_and(a, b)` and the other bitwise functions, over longs.
fn bitwise(name: &str, args: Vec<Typed>, offset: usize) -> Result<Typed, Fault> {
    let want = if name == "binary_not" { 1 } else { 2 };
    if args.len() != want {
        return Err(Fault::new(
            offset,
            &format!("{want} argument(s) for {name}, found {}", args.len()),
        ));
    }
    let mut longs = Vec::new();
    for arg in &args {
        if !arg.ty.is_integer() {
            return Err(Fault::new(offset, &format!("{name} takes longs, found a {}", arg.ty)));
        }
        longs.push(format!("CAST({} AS BIGINT)", arg.sql));
    }
    let sql = match name {
        "binary_and" => format!("({} & {})", longs[0], longs[1]),
        "binary_or" => format!("({} | {})", longs[0], longs[1]),
        "binary_xor" => format!("({} ^ {})", longs[0], longs[1]),
        // Two's complement: the bits of x flipped are -x - 1.
        "binary_not" => format!("(-1 - {})", longs[0]),
        "binary_shift_left" => format!("({} << {})", longs[0], longs[1]),
        "binary_shift_right" => format!("({} >> {})", longs[0], longs[1]),
        _ => return Err(Fault::refuse(offset, &format!("the function `{name}` is not supported"))),
    };
    Ok(Typed::new(sql, Type::Long))
}
