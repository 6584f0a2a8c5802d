//! KQL's abstract syntax to SQL text. Each tabular step becomes a common table expression
//! named after it (`where_2`, `join_5`) and preceded by the KQL it came from; each relation
//! carries its columns with their Kusto types, so that the SQL can keep Kusto's semantics:
//! strings are never null, dynamic values are JSON text, and joins, `mv-expand` and
//! aggregates behave as Kusto's do.

mod aggregates;
mod calendar;
mod conversions;
mod functions;
mod join;
mod make_series;
mod mv_apply;
mod naming;
mod numbers;
mod operators;
mod parse;
mod rows;
mod scalar;
mod search;
mod select;
mod sources;
mod strings;
mod top_nested;

use super::Fault;
use super::ast::{FunctionBody, Let, LetValue, Pipeline, Query};
use super::types::Type;

pub(crate) use select::Select;

/// A KQL query as SQL, with what the SQL returns and reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Translation {
    /// The SQL text: a `WITH` query, one common table expression per KQL step.
    pub sql: String,
    /// The result's columns with their Kusto types, in order.
    pub columns: Vec<(String, Type)>,
    /// The catalogued tables the query reads.
    pub tables: Vec<String>,
}

/// The columns, with their Kusto types, of each table a query may read; None for a table
/// that does not exist.
pub type Catalogue<'c> = &'c dyn Fn(&str) -> Option<Vec<(String, Type)>>;

/// The columns of a table in lakehunt's catalogue of Defender tables.
pub fn catalogued_columns(table: &str) -> Option<Vec<(String, Type)>> {
    crate::schema::table(table).map(|def| {
        def.columns.iter().map(|c| (c.name.to_string(), Type::of_catalogue(c.kind))).collect()
    })
}

/// Translates a KQL query against lakehunt's catalogue of Defender tables.
pub fn translate(text: &str) -> Result<Translation, Fault> {
    translate_with(text, &catalogued_columns)
}

/// Translates a KQL query whose tables have the columns `catalogue` gives, such as the
/// columns a lake really holds.
pub fn translate_with(text: &str, catalogue: Catalogue<'_>) -> Result<Translation, Fault> {
    let query = super::parser::parse(text)?;
    let mut translator = Translator::new(text, catalogue);
    translator.query(&query)
}

/// A column of a relation and its Kusto type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Column {
    pub name: String,
    pub ty: Type,
}

/// An SQL expression and the Kusto type of its value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Typed {
    pub sql: String,
    pub ty: Type,
}

impl Typed {
    pub fn new(sql: impl Into<String>, ty: Type) -> Typed {
        Typed { sql: sql.into(), ty }
    }
}

/// A relation built so far: the common table expression holding it, and its columns.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Rel {
    pub name: String,
    pub columns: Vec<Column>,
    /// The `ORDER BY` a `sort` or `top` gave the rows, kept while later steps keep the order.
    pub order: Option<String>,
    /// True when `serialize` (or `range`) made the rows a serialized set without an order
    /// lakehunt can name: row functions then number the rows as they come.
    pub serialized: bool,
    /// True when the relation's SQL holds the hidden [`ORDINAL`] column beside `columns`, and
    /// `order` is by it.
    pub ordinal: bool,
    /// The name `as` gave the rows, until the next step: what `union withsource=` and
    /// `search` say of them.
    pub alias: Option<String>,
}

/// `name`, or the first of `name1`, `name2`... that no column of `taken` has: Kusto's way
/// of making a name it gives a column unique.
pub(crate) fn free_name(name: &str, taken: &[Column]) -> String {
    std::iter::once(name.to_string())
        .chain((1..).map(|i| format!("{name}{i}")))
        .find(|n| !taken.iter().any(|c| &c.name == n))
        .unwrap_or_else(|| name.to_string())
}

/// The hidden column numbering the rows in their order, made when a step that keeps the
/// order drops or recomputes a column the order was written in (`sort by x | project y`).
pub(crate) const ORDINAL: &str = "kql_order";

impl Rel {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// True when the rows are a serialized set (sorted, or serialized), as Kusto's row
    /// functions (`row_number`, `prev`, ...) need.
    pub fn is_serialized(&self) -> bool {
        self.order.is_some() || self.serialized
    }

    /// Carries `from`'s serialization over to a step that keeps its rows in order.
    pub fn keeping_order_of(mut self, from: &Rel) -> Rel {
        self.order = from.order.clone();
        self.serialized = from.serialized;
        self.ordinal = from.ordinal;
        self
    }

    /// The SQL items naming the relation's columns, with the hidden ordinal when it has one:
    /// what a step that keeps the rows in order selects of the columns it keeps as they are.
    pub fn items(&self) -> Vec<String> {
        let mut items = self.column_items();
        items.extend(self.ordinal.then(|| ORDINAL.to_string()));
        items
    }

    /// The SQL items naming the relation's columns alone.
    pub fn column_items(&self) -> Vec<String> {
        self.columns.iter().map(|c| ident(&c.name)).collect()
    }
}

/// What a name bound by `let` stands for.
#[derive(Debug, Clone)]
pub(crate) enum Binding {
    Table(Rel),
    Scalar(Typed),
    /// A scalar `let` of a literal, kept as written for the places that need a constant
    /// (`bin`'s size, `take`'s count).
    Constant(super::ast::Literal, Typed),
    Function {
        params: Vec<(String, Type)>,
        body: FunctionBody,
    },
}

/// How many times function calls may nest while expanding.
const MAX_EXPANSION: usize = 32;

/// The state of one translation.
pub(crate) struct Translator<'t> {
    pub text: &'t str,
    pub catalogue: Catalogue<'t>,
    ctes: Vec<String>,
    steps: usize,
    bindings: Vec<(String, Binding)>,
    tables: Vec<String>,
    expansion: usize,
    /// Set while translating a `where` condition, for its top-level comparisons and those
    /// joined by `and`/`or`: there a null may stay null (it filters as false), which keeps
    /// the comparison plain enough for the Parquet scan's pruning.
    filter: bool,
    /// Set while translating the aggregates of a `summarize` without `by`, whose sums of
    /// reals must add in row order as grouped sums do (`kql_sum_in_order`).
    ungrouped: bool,
}

impl<'t> Translator<'t> {
    fn new(text: &'t str, catalogue: Catalogue<'t>) -> Self {
        Translator {
            text,
            catalogue,
            ctes: vec![],
            steps: 0,
            bindings: vec![],
            tables: vec![],
            expansion: 0,
            filter: false,
            ungrouped: false,
        }
    }

    fn query(&mut self, query: &Query) -> Result<Translation, Fault> {
        for statement in &query.lets {
            self.bind(statement)?;
        }
        let result = self.pipeline(&query.body)?;
        let mut sql = String::from("WITH\n");
        sql.push_str(&self.ctes.join(",\n\n"));
        // The hidden ordinal, if the last step holds one, is not a column of the result.
        let items = if result.ordinal { result.column_items().join(", ") } else { "*".to_string() };
        sql.push_str(&format!("\nSELECT {items} FROM {}", result.name));
        if let Some(order) = &result.order {
            sql.push_str(&format!("\nORDER BY {order}"));
        }
        Ok(Translation {
            sql,
            columns: result.columns.iter().map(|c| (c.name.clone(), c.ty)).collect(),
            tables: self.tables.clone(),
        })
    }

    fn bind(&mut self, statement: &Let) -> Result<(), Fault> {
        let binding = match &statement.value {
            LetValue::Tabular(pipeline) => {
                let rel = self.pipeline(pipeline)?;
                let alias = self.alias(&statement.name, statement.offset, &rel);
                Binding::Table(alias)
            }
            LetValue::Scalar(expr) => {
                // A bare name of a table or tabular let is a tabular let.
                if let super::ast::ExprKind::Name(name) = &expr.kind
                    && self.is_tabular(name)
                {
                    let pipeline = Pipeline {
                        source: super::ast::Source::Table {
                            name: name.clone(),
                            offset: expr.offset,
                        },
                        operators: vec![],
                    };
                    let rel = self.pipeline(&pipeline)?;
                    Binding::Table(self.alias(&statement.name, statement.offset, &rel))
                } else {
                    let empty = Rel::default();
                    let typed = self.scalar(expr, &scalar::Scope::of(&empty))?;
                    match &expr.kind {
                        super::ast::ExprKind::Literal(literal) => {
                            Binding::Constant(literal.clone(), typed)
                        }
                        _ => Binding::Scalar(typed),
                    }
                }
            }
            LetValue::Function { params, body } => {
                let mut typed = Vec::new();
                for (name, kind) in params {
                    let ty = Type::parse(kind).ok_or_else(|| {
                        Fault::new(statement.offset, &format!("a scalar type, found `{kind}`"))
                    })?;
                    typed.push((name.clone(), ty));
                }
                Binding::Function { params: typed, body: body.clone() }
            }
        };
        self.bindings.push((statement.name.clone(), binding));
        Ok(())
    }

    /// A step named after a `let`, so the SQL reads like the KQL.
    fn alias(&mut self, name: &str, offset: usize, rel: &Rel) -> Rel {
        let label = format!("let_{}", sanitize(name));
        // The rows a `let` names keep the order they were given.
        let select = Select::star(&rel.name);
        let out = self.emit(&label, offset, offset + name.len() + 4, select, rel.columns.clone());
        out.keeping_order_of(rel)
    }

    pub(crate) fn is_tabular(&self, name: &str) -> bool {
        match self.binding(name) {
            Some(Binding::Table(_)) => true,
            Some(_) => false,
            None => (self.catalogue)(name).is_some(),
        }
    }

    pub(crate) fn binding(&self, name: &str) -> Option<&Binding> {
        self.bindings.iter().rev().find(|(n, _)| n == name).map(|(_, b)| b)
    }

    /// `expr`, or the literal a scalar `let` of that name was bound to.
    pub(crate) fn constant(&self, expr: &super::ast::Expr) -> super::ast::Expr {
        if let super::ast::ExprKind::Name(name) = &expr.kind
            && let Some(Binding::Constant(literal, _)) = self.binding(name)
        {
            return super::ast::Expr {
                kind: super::ast::ExprKind::Literal(literal.clone()),
                offset: expr.offset,
            };
        }
        expr.clone()
    }

    /// Runs `f` with `params` bound to `args`, as a function call's body sees them.
    pub(crate) fn with_arguments<T>(
        &mut self,
        offset: usize,
        params: Vec<(String, Binding)>,
        f: impl FnOnce(&mut Self) -> Result<T, Fault>,
    ) -> Result<T, Fault> {
        self.expansion += 1;
        if self.expansion > MAX_EXPANSION {
            return Err(Fault::refuse(offset, "functions call each other too deeply"));
        }
        let mark = self.bindings.len();
        self.bindings.extend(params);
        let result = f(self);
        self.bindings.truncate(mark);
        self.expansion -= 1;
        result
    }

    pub(crate) fn pipeline(&mut self, pipeline: &Pipeline) -> Result<Rel, Fault> {
        let mut rel = self.source(&pipeline.source)?;
        for (i, operator) in pipeline.operators.iter().enumerate() {
            rel = match (&operator.kind, &pipeline.source) {
                // Rows searched straight from a table are marked with its name.
                (
                    super::ast::OperatorKind::Search { case_sensitive, predicate },
                    super::ast::Source::Table { name, .. },
                ) if i == 0 && self.binding(name).is_none() => {
                    let span = (operator.offset, operator.end);
                    self.search(*case_sensitive, predicate, rel, &name.clone(), span)?
                }
                _ => self.operator(operator, rel)?,
            };
        }
        Ok(rel)
    }

    /// Adds a common table expression for one step and returns the relation it holds.
    pub(crate) fn emit(
        &mut self,
        label: &str,
        offset: usize,
        end: usize,
        select: Select,
        columns: Vec<Column>,
    ) -> Rel {
        self.steps += 1;
        let name = format!("{}_{}", label.replace('-', "_"), self.steps);
        let mut cte = self.provenance(offset, end);
        cte.push_str(&format!("{name} AS (\n{}\n)", select.render(1)));
        self.ctes.push(cte);
        Rel { name, columns, ..Rel::default() }
    }

    /// `-- line N: <the KQL>` lines for the step written at `offset..end`.
    fn provenance(&self, offset: usize, end: usize) -> String {
        let offset = offset.min(self.text.len());
        let end = end.clamp(offset, self.text.len());
        let line = self.text[..offset].matches('\n').count() + 1;
        let kql = self.text.get(offset..end).unwrap_or_default();
        let prefix = if self.text[..offset].trim_end().ends_with('|') { "| " } else { "" };
        let mut out = String::new();
        for (i, text) in kql.lines().enumerate() {
            if i == 0 {
                out.push_str(&format!("-- line {line}: {prefix}{}\n", text.trim()));
            } else if !text.trim().is_empty() {
                out.push_str(&format!("--   {}\n", text.trim()));
            }
        }
        if out.is_empty() {
            out = format!("-- line {line}\n");
        }
        out
    }

    pub(crate) fn note_table(&mut self, name: &str) {
        if !self.tables.iter().any(|t| t == name) {
            self.tables.push(name.to_string());
        }
    }
}

/// A name made safe for a common table expression's label.
fn sanitize(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect()
}

/// `name` as a quoted SQL identifier.
pub(crate) fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `text` as an SQL string literal.
pub(crate) fn string_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}
