//! The names Kusto gives columns a query does not name: `x` for `tostring(x)`, `d_a` for
//! `d.a`, `strlen_s` for `strlen(s)`, `sum_x` for `sum(x)`, `Column1` for `tolower(s)`. Kusto
//! derives them from the expression by rules fixed per function, which follow its own
//! parser's table of functions; a later step that names a column by the wrong name would
//! fail, or worse find another column, so the rules are kept exactly and an expression whose
//! name is not known is refused rather than guessed.

use super::super::Fault;
use super::super::ast::{Expr, ExprKind, Literal};

/// What Kusto names an unnamed expression's column.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Inferred {
    /// This name.
    Name(String),
    /// A name Kusto makes up: `Column1`, `Column2`... (`print_0`... in `print`).
    Unnamed,
    /// A name lakehunt does not know how Kusto makes.
    Unknown,
}

/// Scalar functions named after their first argument: `tostring(x)` is `x`.
const FIRST_ARGUMENT: &[&str] = &[
    "abs",
    "acos",
    "asin",
    "atan",
    "atan2",
    "bin",
    "bin_at",
    "bin_auto",
    "binary_and",
    "binary_not",
    "binary_or",
    "binary_shift_left",
    "binary_shift_right",
    "binary_xor",
    "bitset_count_ones",
    "ceiling",
    "cos",
    "erf",
    "erfc",
    "exp",
    "exp10",
    "exp2",
    "floor",
    "format_bytes",
    "format_datetime",
    "format_timespan",
    "gamma",
    "log",
    "log10",
    "log2",
    "loggamma",
    "parse_csv",
    "parse_json",
    "parse_xml",
    "parsejson",
    "pow",
    "rand",
    "round",
    "series_fill_backward",
    "series_fill_const",
    "series_fill_forward",
    "series_fill_linear",
    "series_fir",
    "series_iir",
    "series_outliers",
    "sin",
    "split",
    "sqrt",
    "startofday",
    "tan",
    "tobool",
    "toboolean",
    "todatetime",
    "todecimal",
    "todouble",
    "todynamic",
    "toguid",
    "tohex",
    "toint",
    "tolong",
    "toobject",
    "toreal",
    "tostring",
    "totime",
    "totimespan",
];

/// Scalar functions named after their only argument, when they have exactly one.
const ONLY_ARGUMENT: &[&str] = &["make_datetime", "make_timespan"];

/// Scalar functions named `<prefix>_<first argument>`: `strlen(s)` is `strlen_s`.
const PREFIXED_SCALARS: &[(&str, &str)] = &[
    ("dcount_hll", "dcount_hll"),
    ("gettype", "type"),
    ("percentile_tdigest", "percentile_tdigest"),
    ("percentiles_array_tdigest", "percentile_tdigest"),
    ("repeat", "repeat"),
    ("string_size", "string_size"),
    ("strlen", "strlen"),
    ("treepath", "tree"),
];

/// Aggregates named `<prefix>_<first argument>`: `sum(x)` is `sum_x`, `count()` is `count_`.
const PREFIXED_AGGREGATES: &[(&str, &str)] = &[
    ("any", "any"),
    ("anyif", "anyif"),
    ("avg", "avg"),
    ("avgif", "avgif"),
    ("buildschema", "schema"),
    ("cnt", "cnt"),
    ("count", "count"),
    ("count_distinct", "count_distinct"),
    ("count_distinctif", "count_distinctif"),
    ("countif", "countif"),
    ("covariance", "covariance"),
    ("covarianceif", "covarianceif"),
    ("covariancep", "covariancep"),
    ("covariancepif", "covariancepif"),
    ("dcount", "dcount"),
    ("dcountif", "dcountif"),
    ("hll", "hll"),
    ("hll_if", "hll_if"),
    ("hll_merge", "hll_merge"),
    ("make_bag", "bag"),
    ("make_bag_if", "bag"),
    ("make_dictionary", "dictionary"),
    ("make_list", "list"),
    ("make_list_if", "list"),
    ("make_list_with_nulls", "list"),
    ("make_set", "set"),
    ("make_set_if", "set"),
    ("makelist", "list"),
    ("makeset", "set"),
    ("max", "max"),
    ("maxif", "maxif"),
    ("merge_tdigest", "merge_tdigests"),
    ("min", "min"),
    ("minif", "minif"),
    ("stdev", "stdev"),
    ("stdevif", "stdevif"),
    ("stdevp", "stdevp"),
    ("sum", "sum"),
    ("sumif", "sumif"),
    ("tdigest", "tdigest"),
    ("tdigest_merge", "merge_tdigests"),
    ("variance", "variance"),
    ("varianceif", "varianceif"),
    ("variancep", "variancep"),
    ("variancepif", "variancepif"),
];

/// The name Kusto infers for `expr` in `project`, `extend` and `summarize ... by`.
pub(crate) fn inferred(expr: &Expr) -> Inferred {
    match &expr.kind {
        ExprKind::Name(name) => Inferred::Name(name.clone()),
        ExprKind::Member { target, key } => path(target, key),
        ExprKind::Index { target, index } => match &index.kind {
            ExprKind::Literal(Literal::Str(key)) => path(target, key),
            ExprKind::Literal(Literal::Long(i) | Literal::Int(i)) => path(target, &i.to_string()),
            _ => Inferred::Unknown,
        },
        ExprKind::Call { name, args } => call(name, args),
        _ => Inferred::Unnamed,
    }
}

/// `a.b` and `a['b']` are `a_b`, or just `b` when `a` has no name of its own.
fn path(target: &Expr, key: &str) -> Inferred {
    match inferred(target) {
        Inferred::Name(left) => Inferred::Name(format!("{left}_{key}")),
        Inferred::Unnamed => Inferred::Name(key.to_string()),
        Inferred::Unknown => Inferred::Unknown,
    }
}

fn call(name: &str, args: &[Expr]) -> Inferred {
    if FIRST_ARGUMENT.contains(&name) {
        return args.first().map_or(Inferred::Unnamed, inferred);
    }
    if ONLY_ARGUMENT.contains(&name) {
        return match args {
            [only] => inferred(only),
            _ => Inferred::Unnamed,
        };
    }
    if let Some((_, prefix)) = PREFIXED_SCALARS.iter().find(|(f, _)| *f == name) {
        return prefixed(prefix, args);
    }
    if let Some(named) = aggregate(name, args) {
        // An aggregate inside an expression of `summarize`: `tostring(make_set(x))`.
        return named;
    }
    if matches!(name, "column_ifexists" | "columnifexists") {
        // Named after the column when the table has it: lakehunt asks for a name instead.
        return Inferred::Unknown;
    }
    Inferred::Unnamed
}

/// `<prefix>_<first argument's name>`; `<prefix>_` when it has none.
fn prefixed(prefix: &str, args: &[Expr]) -> Inferred {
    match args.first().map(inferred) {
        Some(Inferred::Name(arg)) => Inferred::Name(format!("{prefix}_{arg}")),
        Some(Inferred::Unknown) => Inferred::Unknown,
        Some(Inferred::Unnamed) | None => Inferred::Name(format!("{prefix}_")),
    }
}

/// The name Kusto gives an unnamed aggregate call `name(args)`, if it is named by prefix.
pub(crate) fn aggregate(name: &str, args: &[Expr]) -> Option<Inferred> {
    let (_, prefix) = PREFIXED_AGGREGATES.iter().find(|(f, _)| *f == name)?;
    Some(prefixed(prefix, args))
}

/// The inferred name of `expr`, or the fault that asks the query to name it.
pub(crate) fn known(inferred: Inferred, offset: usize) -> Result<Option<String>, Fault> {
    match inferred {
        Inferred::Name(name) => Ok(Some(name)),
        Inferred::Unnamed => Ok(None),
        Inferred::Unknown => Err(Fault::refuse(
            offset,
            "name this column (`name = ...`): the name Kusto would give it is not known",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kql::parser::parse_expression;

    fn name_of(text: &str) -> Inferred {
        let expr = parse_expression(text).expect("an expression");
        inferred(&expr)
    }

    fn named(text: &str) -> Inferred {
        Inferred::Name(text.to_string())
    }

    #[test]
    fn conversions_and_bins_take_their_first_arguments_name() {
        assert_eq!(name_of("tostring(d.a)"), named("d_a"));
        assert_eq!(name_of("bin(Timestamp, 1h)"), named("Timestamp"));
        assert_eq!(name_of("tolong(tostring(x))"), named("x"));
    }

    #[test]
    fn string_functions_other_than_strlen_are_unnamed() {
        assert_eq!(name_of("tolower(s)"), Inferred::Unnamed);
        assert_eq!(name_of("tostring(tolower(s))"), Inferred::Unnamed);
        assert_eq!(name_of("strlen(s)"), named("strlen_s"));
        assert_eq!(name_of("gettype(x)"), named("type_x"));
    }

    #[test]
    fn paths_join_their_parts_with_underscores() {
        assert_eq!(name_of("d.a.b"), named("d_a_b"));
        assert_eq!(name_of("d['a']"), named("d_a"));
        assert_eq!(name_of("d[0]"), named("d_0"));
        assert_eq!(name_of("parse_json(s).a"), named("s_a"));
        assert_eq!(name_of("d[i]"), Inferred::Unknown);
    }

    #[test]
    fn expressions_that_are_not_calls_or_paths_are_unnamed() {
        assert_eq!(name_of("x + 1"), Inferred::Unnamed);
        assert_eq!(name_of("iff(x > 1, 1, 2)"), Inferred::Unnamed);
        assert_eq!(name_of("'text'"), Inferred::Unnamed);
    }

    #[test]
    fn aggregates_are_prefixed_with_their_argument() {
        let args = |text: &str| match parse_expression(text).expect("a call").kind {
            ExprKind::Call { args, .. } => args,
            _ => Vec::new(),
        };
        assert_eq!(aggregate("count", &[]), Some(named("count_")));
        assert_eq!(aggregate("sum", &args("f(x)")), Some(named("sum_x")));
        assert_eq!(aggregate("dcount", &args("f(tolower(x))")), Some(named("dcount_")));
        assert_eq!(aggregate("sum", &args("f(strlen(s))")), Some(named("sum_strlen_s")));
        assert_eq!(aggregate("make_set", &args("f(d.a)")), Some(named("set_d_a")));
        assert_eq!(aggregate("arg_max", &args("f(x)")), None);
    }
}
