//! The shape of a KQL query after parsing: `let` statements, then a tabular expression made of
//! a source and piped operators. Every node keeps the byte offset it was written at, so that a
//! refusal or an unknown name can point at it.

/// A whole query: its `let` statements, then the tabular expression it returns.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub lets: Vec<Let>,
    pub body: Pipeline,
}

/// `let name = value;`
#[derive(Debug, Clone, PartialEq)]
pub struct Let {
    pub name: String,
    pub offset: usize,
    pub value: LetValue,
}

/// What a `let` binds.
#[derive(Debug, Clone, PartialEq)]
pub enum LetValue {
    /// A tabular expression, used later as a table.
    Tabular(Pipeline),
    /// A scalar expression, substituted where its name is used.
    Scalar(Expr),
    /// A function `(a:string, b:long) { body }`: its parameters and body.
    Function { params: Vec<(String, String)>, body: FunctionBody },
}

/// The body of a `let` function.
#[derive(Debug, Clone, PartialEq)]
pub enum FunctionBody {
    Scalar(Expr),
    Tabular(Pipeline),
}

/// A source and the operators piped after it.
#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    pub source: Source,
    pub operators: Vec<Operator>,
}

/// Where rows come from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A table, or a tabular `let`, by name.
    Table { name: String, offset: usize },
    /// `datatable(a:long, b:string) [1, "x", ...]`.
    Datatable { columns: Vec<(String, String)>, values: Vec<Expr>, offset: usize },
    /// `union a, (b | where ...)` as the first step; `withsource=c` names the column that
    /// tells each row's input.
    Union { kind_outer: bool, inputs: Vec<Pipeline>, source_column: Option<String>, offset: usize },
    /// `range x from 1 to 10 step 1`.
    Range { column: String, from: Expr, to: Expr, step: Expr, offset: usize },
    /// `print a = 1, b = "x"`.
    Print { columns: Vec<Assignment>, offset: usize },
    /// `materialize(...)` or a parenthesised pipeline.
    Nested(Box<Pipeline>),
    /// A call of a tabular `let` function, `f(x)`.
    Call { name: String, args: Vec<Expr>, offset: usize },
}

/// One `| operator ...` step.
#[derive(Debug, Clone, PartialEq)]
pub struct Operator {
    pub kind: OperatorKind,
    /// Where the operator's name is written.
    pub offset: usize,
    /// Where the step's text ends, so `translate` can quote it.
    pub end: usize,
}

/// The operators lakehunt translates.
#[derive(Debug, Clone, PartialEq)]
pub enum OperatorKind {
    Where(Expr),
    Project(Vec<Assignment>),
    ProjectAway(Vec<NamePattern>),
    ProjectKeep(Vec<NamePattern>),
    ProjectRename(Vec<(String, String, usize)>),
    ProjectReorder(Vec<NamePattern>),
    Extend(Vec<Assignment>),
    Summarize {
        aggregates: Vec<Assignment>,
        by: Vec<Assignment>,
    },
    Distinct(Vec<Expr>),
    Join {
        kind: JoinKind,
        right: Pipeline,
        on: Vec<JoinKey>,
    },
    Lookup {
        outer: bool,
        right: Pipeline,
        on: Vec<JoinKey>,
    },
    Union {
        inputs: Vec<Pipeline>,
        kind_outer: bool,
    },
    /// `mv-expand`: the columns to expand, each with the type its `to typeof(T)` gives (and
    /// where that is written), expanded side by side.
    MvExpand {
        columns: Vec<Assignment>,
        types: Vec<Option<(String, usize)>>,
        limit: Option<i64>,
        /// `with_itemindex=name`: the column that numbers each row's values from 0, and
        /// where that name is written.
        item_index: Option<(String, usize)>,
    },
    Sort(Vec<SortKey>),
    Top {
        count: Expr,
        by: SortKey,
    },
    Take(Expr),
    /// `top-nested N of key by aggregate, top-nested ...`: the top groups of each level within
    /// the groups kept above it.
    TopNested(Vec<TopNestedLevel>),
    /// `parse` and `parse-where` (`filter`): columns cut out of a string by a pattern.
    Parse {
        regex: bool,
        filter: bool,
        source: Expr,
        pattern: Vec<ParsePart>,
    },
    /// `parse-kv text as (key:type, ...) with (pair_delimiter=..., kv_delimiter=..., quote=...)`:
    /// each key's value in the text, as a column of its name.
    ParseKv {
        source: Expr,
        keys: Vec<KvKey>,
        pair_delimiter: String,
        kv_delimiter: String,
        quote: String,
    },
    /// `search`: rows where the predicate holds, a bare string in it matching any column.
    Search {
        case_sensitive: bool,
        predicate: Expr,
    },
    /// `mv-apply`: the operators of `on (...)` applied to each row's expanded values.
    MvApply {
        columns: Vec<Assignment>,
        types: Vec<Option<(String, usize)>>,
        limit: Option<i64>,
        operators: Vec<Operator>,
    },
    /// `make-series`: per group, arrays of aggregates over the bins of an axis.
    MakeSeries(Box<MakeSeries>),
    /// `serialize`, with the columns it computes from the serialized rows.
    Serialize(Vec<Assignment>),
    Count,
    As(String),
}

/// The clauses of `make-series aggregates on axis from a to b step s by groups`.
#[derive(Debug, Clone, PartialEq)]
pub struct MakeSeries {
    /// Each aggregate with its `default=` value.
    pub aggregates: Vec<(Assignment, Option<Expr>)>,
    pub axis: Expr,
    pub from: Option<Expr>,
    pub to: Option<Expr>,
    pub step: Expr,
    pub by: Vec<Assignment>,
}

/// One level of `top-nested`: how many groups it keeps (all without a count), the key it
/// groups by, the aggregate it ranks them by, and in which direction.
#[derive(Debug, Clone, PartialEq)]
pub struct TopNestedLevel {
    pub count: Option<Expr>,
    pub key: Assignment,
    pub aggregate: Assignment,
    pub ascending: bool,
}

/// A key `parse-kv` looks for, with the type of its column.
#[derive(Debug, Clone, PartialEq)]
pub struct KvKey {
    pub name: String,
    pub kind: Option<String>,
    pub offset: usize,
}

/// One part of a `parse` pattern.
#[derive(Debug, Clone, PartialEq)]
pub enum ParsePart {
    /// `*`: text to skip.
    Skip,
    /// A string constant (a regular expression with `kind=regex`).
    Text(String),
    /// A column to extract, with its type as written (none for string).
    Column { name: String, kind: Option<String>, offset: usize },
}

/// A column name or a `prefix*` pattern, as `project-away` takes them.
#[derive(Debug, Clone, PartialEq)]
pub struct NamePattern {
    pub pattern: String,
    pub offset: usize,
}

/// The join kinds Kusto has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinKind {
    InnerUnique,
    Inner,
    LeftOuter,
    RightOuter,
    FullOuter,
    LeftAnti,
    RightAnti,
    LeftSemi,
    RightSemi,
}

/// One equality of a join's `on` clause: `a`, or `$left.a == $right.b`.
#[derive(Debug, Clone, PartialEq)]
pub struct JoinKey {
    pub left: String,
    pub right: String,
    pub offset: usize,
}

/// `expr [asc|desc] [nulls first|last]`.
#[derive(Debug, Clone, PartialEq)]
pub struct SortKey {
    pub expr: Expr,
    pub descending: bool,
    pub nulls_first: Option<bool>,
}

/// `name = expr`, or a bare `expr` whose name Kusto derives.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    pub name: Option<String>,
    pub expr: Expr,
}

/// A scalar expression and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub offset: usize,
}

/// The scalar expressions.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Literal(Literal),
    /// A column, a scalar `let`, or `*` (in `count(*)`-like places and `arg_max(x, *)`).
    Name(String),
    Star,
    Binary {
        op: BinaryOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    Negate(Box<Expr>),
    Call {
        name: String,
        args: Vec<Expr>,
    },
    /// `d.key` or `d['key']`.
    Member {
        target: Box<Expr>,
        key: String,
    },
    /// `d[0]` or `d[i]`.
    Index {
        target: Box<Expr>,
        index: Box<Expr>,
    },
    /// `x in (a, b)`, `x !in~ (...)`.
    In {
        value: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
        caseless: bool,
    },
    /// A parenthesised list, as `has_any` takes on its right.
    List(Vec<Expr>),
    /// `toscalar(T | ...)`: the first column of the first row of a tabular expression.
    ToScalar(Box<Pipeline>),
    /// `x between (lo .. hi)`.
    Between {
        value: Box<Expr>,
        low: Box<Expr>,
        high: Box<Expr>,
        negated: bool,
    },
}

/// Literal values.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Str(String),
    Long(i64),
    Int(i64),
    Real(f64),
    Bool(bool),
    /// Ticks of 100 ns.
    Timespan(i64),
    /// `datetime(...)` text as written.
    DateTime(String),
    /// `dynamic(...)` as JSON text.
    Dynamic(String),
    /// `guid(...)`, in lower case.
    Guid(String),
    /// A typed null such as `long(null)`, by Kusto type name.
    Null(String),
}

/// Binary operators, including Kusto's string predicates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    NotEq,
    EqCaseless,
    NotEqCaseless,
    Less,
    LessEq,
    Greater,
    GreaterEq,
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
    /// A string predicate such as `has`, `!contains_cs`, `matches regex`.
    Text(TextOp, bool),
}

/// The string predicates; the bool in [`BinaryOp::Text`] negates them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextOp {
    Has,
    HasCs,
    HasPrefix,
    HasSuffix,
    Contains,
    ContainsCs,
    StartsWith,
    StartsWithCs,
    EndsWith,
    EndsWithCs,
    MatchesRegex,
    HasAny,
    HasAll,
}

/// How `search` matches a term: `x` as a whole term, `x*` as the start of one, `*x` as the end
/// of one, `*x*` anywhere; None for wildcards elsewhere, and for a case-sensitive start or end.
pub fn search_term(term: &str, case_sensitive: bool) -> Option<(TextOp, String)> {
    let (starts, ends) = (term.starts_with('*'), term.ends_with('*') && term.len() > 1);
    let core = term.trim_start_matches('*').trim_end_matches('*');
    if core.is_empty() || core.contains('*') || term.len() - core.len() > 2 {
        return None;
    }
    let op = match (starts, ends, case_sensitive) {
        (false, false, false) => TextOp::Has,
        (false, false, true) => TextOp::HasCs,
        (false, true, false) => TextOp::HasPrefix,
        (true, false, false) => TextOp::HasSuffix,
        (true, true, false) => TextOp::Contains,
        (true, true, true) => TextOp::ContainsCs,
        _ => return None,
    };
    Some((op, core.to_string()))
}
