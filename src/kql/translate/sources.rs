//! Where a pipeline's rows come from: catalogued tables (with Kusto's never-null strings and
//! dynamic columns made JSON text as they are read), `let` tables and functions,
//! `datatable`, `print` and `union`.

use super::super::Fault;
use super::super::ast::{Assignment, Expr, ExprKind, FunctionBody, Literal, Pipeline, Source};
use super::super::types::Type;
use super::conversions::convert;
use super::scalar::{Scope, null_of};
use super::{Binding, Column, Rel, Select, Translator, ident, sanitize, string_literal};

impl Translator<'_> {
    pub(crate) fn source(&mut self, source: &Source) -> Result<Rel, Fault> {
        match source {
            Source::Table { name, offset } => self.table(name, *offset),
            Source::Nested(pipeline) => self.pipeline(pipeline),
            Source::Call { name, args, offset } => self.tabular_call(name, args, *offset),
            Source::Datatable { columns, values, offset } => {
                self.datatable(columns, values, *offset)
            }
            Source::Print { columns, offset } => self.print(columns, *offset),
            Source::Range { column, from, to, step, offset } => {
                self.range(column, [from, to, step], *offset)
            }
            Source::Union { kind_outer, inputs, source_column, offset } => {
                let mut rels = Vec::new();
                let mut labels = Vec::new();
                for (i, input) in inputs.iter().enumerate() {
                    let rel = self.pipeline(input)?;
                    // A name `as` gave the input's rows is its label.
                    labels.push(rel.alias.clone().unwrap_or_else(|| self.union_label(input, i)));
                    rels.push(rel);
                }
                let source = source_column.as_deref().map(|column| (column, labels));
                self.union(rels, *kind_outer, source, *offset, *offset + 5)
            }
        }
    }

    fn table(&mut self, name: &str, offset: usize) -> Result<Rel, Fault> {
        match self.binding(name).cloned() {
            Some(Binding::Table(rel)) => return Ok(rel),
            Some(Binding::Function { params, body: FunctionBody::Tabular(body) })
                if params.is_empty() =>
            {
                return self.with_arguments(offset, vec![], |t| t.pipeline(&body));
            }
            Some(_) => {
                return Err(Fault::refuse(offset, &format!("`{name}` is a scalar, not a table")));
            }
            None => {}
        }
        let Some(catalogued) = (self.catalogue)(name) else {
            return Err(Fault::refuse(
                offset,
                &format!(
                    "unknown table `{name}`: it is neither a table in lakehunt's catalogue nor a let"
                ),
            ));
        };
        self.note_table(name);
        let mut items = Vec::new();
        let mut columns = Vec::new();
        for (column, ty) in catalogued {
            let quoted = ident(&column);
            items.push(match ty {
                // A missing Kusto string is "", never null.
                Type::String | Type::Guid => format!("coalesce({quoted}, '') AS {quoted}"),
                // Dynamic columns become JSON text whether the lake keeps text or nested types.
                Type::Dynamic => format!("kql_todynamic({quoted}) AS {quoted}"),
                _ => quoted,
            });
            columns.push(Column { name: column, ty });
        }
        let select = Select::of(items, &ident(name));
        Ok(self.emit(&sanitize(name), offset, offset + name.len(), select, columns))
    }

    fn tabular_call(&mut self, name: &str, args: &[Expr], offset: usize) -> Result<Rel, Fault> {
        let Some(Binding::Function { params, body }) = self.binding(name).cloned() else {
            return Err(Fault::refuse(
                offset,
                &format!("`{name}` is not a tabular function lakehunt knows"),
            ));
        };
        let FunctionBody::Tabular(body) = body else {
            return Err(Fault::refuse(offset, &format!("`{name}` returns a value, not a table")));
        };
        if params.len() != args.len() {
            return Err(Fault::new(offset, &format!("{} argument(s) for {name}", params.len())));
        }
        let empty = Rel::default();
        let mut bound = Vec::new();
        for ((param, ty), arg) in params.iter().zip(args) {
            let value = self.scalar(arg, &Scope::of(&empty))?;
            bound.push((param.clone(), Binding::Scalar(convert(value, *ty, arg.offset)?)));
        }
        self.with_arguments(offset, bound, |t| t.pipeline(&body))
    }

    fn datatable(
        &mut self,
        declared: &[(String, String)],
        values: &[Expr],
        offset: usize,
    ) -> Result<Rel, Fault> {
        let mut columns = Vec::new();
        for (name, kind) in declared {
            let ty = Type::parse(kind)
                .ok_or_else(|| Fault::new(offset, &format!("a column type, found `{kind}`")))?;
            if matches!(ty, Type::Decimal) {
                return Err(Fault::refuse(offset, "decimal columns are not supported"));
            }
            columns.push(Column { name: name.clone(), ty });
        }
        if columns.is_empty() || !values.len().is_multiple_of(columns.len()) {
            return Err(Fault::new(offset, &format!("{} value(s) per row", columns.len())));
        }
        let empty = Rel::default();
        let mut rows = Vec::new();
        for row in values.chunks(columns.len()) {
            let mut items = Vec::new();
            for (value, column) in row.iter().zip(&columns) {
                // Kusto takes constants only: `0.0/0.0` in a datatable is an error.
                let constant = match &value.kind {
                    ExprKind::Literal(_) => true,
                    ExprKind::Negate(inner) => matches!(
                        inner.kind,
                        ExprKind::Literal(
                            Literal::Long(_)
                                | Literal::Int(_)
                                | Literal::Real(_)
                                | Literal::Timespan(_)
                        )
                    ),
                    _ => false,
                };
                if !constant {
                    return Err(Fault::new(value.offset, "a constant value in a datatable"));
                }
                if matches!(value.kind, ExprKind::Literal(Literal::Null(_))) {
                    items.push(null_of(column.ty).sql);
                    continue;
                }
                let typed = self.scalar(value, &Scope::of(&empty))?;
                let typed = match (column.ty, typed.ty) {
                    (Type::Dynamic, Type::Dynamic) => typed,
                    (Type::Dynamic, _) => {
                        let json = super::conversions::json_value(typed, value.offset)?;
                        super::Typed::new(json, Type::Dynamic)
                    }
                    (Type::Timespan, Type::Timespan) | (Type::DateTime, Type::DateTime) => typed,
                    (Type::String, Type::String) | (Type::Guid, Type::String) => typed,
                    (ty, _) => convert(typed, ty, value.offset)?,
                };
                items.push(typed.sql);
            }
            rows.push(format!("({})", items.join(", ")));
        }
        let names: Vec<String> = columns.iter().map(|c| ident(&c.name)).collect();
        // One VALUES list keeps the rows in their written order, as Kusto reads them.
        let verbatim = if rows.is_empty() {
            let items: Vec<String> = columns
                .iter()
                .map(|c| format!("{} AS {}", null_of(c.ty).sql, ident(&c.name)))
                .collect();
            format!("SELECT {} WHERE FALSE", items.join(", "))
        } else {
            format!(
                "SELECT * FROM (VALUES\n    {}\n) AS datatable_values ({})",
                rows.join(",\n    "),
                names.join(", ")
            )
        };
        let select = Select { verbatim: Some(verbatim), ..Select::default() };
        Ok(self.emit("datatable", offset, offset + 9, select, columns))
    }

    /// `range x from a to b step s` over integers: the values from `a` through `b`, a
    /// serialized row set in the order they are made.
    fn range(&mut self, column: &str, bounds: [&Expr; 3], offset: usize) -> Result<Rel, Fault> {
        let empty = Rel::default();
        let mut parts = Vec::new();
        for bound in bounds {
            let typed = self.scalar(bound, &Scope::of(&empty))?;
            if !typed.ty.is_integer() {
                return Err(Fault::refuse(
                    bound.offset,
                    &format!("range over {} values is not supported", typed.ty),
                ));
            }
            parts.push(format!("CAST({} AS BIGINT)", typed.sql));
        }
        let item = format!("unnest(generate_series({})) AS {}", parts.join(", "), ident(column));
        let columns = vec![Column { name: column.to_string(), ty: Type::Long }];
        let mut rel = self.emit("range", offset, offset + 5, Select::of(vec![item], ""), columns);
        let ascending = match &bounds[2].kind {
            ExprKind::Literal(Literal::Long(n) | Literal::Int(n)) => Some(*n > 0),
            ExprKind::Negate(inner) => match inner.kind {
                ExprKind::Literal(Literal::Long(n) | Literal::Int(n)) if n > 0 => Some(false),
                _ => None,
            },
            _ => None,
        };
        match ascending {
            Some(true) => rel.order = Some(format!("{} ASC NULLS FIRST", ident(column))),
            Some(false) => rel.order = Some(format!("{} DESC NULLS LAST", ident(column))),
            None => rel.serialized = true,
        }
        Ok(rel)
    }

    fn print(&mut self, assignments: &[Assignment], offset: usize) -> Result<Rel, Fault> {
        let empty = Rel::default();
        let mut items = Vec::new();
        let mut columns: Vec<Column> = Vec::new();
        for (i, assignment) in assignments.iter().enumerate() {
            let typed = self.scalar(&assignment.expr, &Scope::of(&empty))?;
            let name = assignment.name.clone().unwrap_or_else(|| format!("print_{i}"));
            items.push(format!("{} AS {}", typed.sql, ident(&name)));
            columns.push(Column { name, ty: typed.ty });
        }
        Ok(self.emit("print", offset, offset + 5, Select::of(items, ""), columns))
    }

    /// `union` of relations: columns by name in order of first appearance, a column missing
    /// from an input is null there (`""` for a string). With `kind=inner`, only the columns
    /// every input has.
    /// What `withsource=` says of the rows of a union's input number `index`: a table's
    /// name, or `union_arg<index>` for anything else (a `let`, a parenthesised pipeline), as
    /// Kusto names them.
    fn union_label(&self, input: &Pipeline, index: usize) -> String {
        match &input.source {
            Source::Table { name, .. }
                if input.operators.is_empty() && self.binding(name).is_none() =>
            {
                name.clone()
            }
            _ => format!("union_arg{index}"),
        }
    }

    /// `UNION ALL` of `rels` over the columns of all (`outer`) or of each; with `source`, a
    /// first column of that name holding each row's label.
    pub(crate) fn union(
        &mut self,
        rels: Vec<Rel>,
        outer: bool,
        source: Option<(&str, Vec<String>)>,
        offset: usize,
        end: usize,
    ) -> Result<Rel, Fault> {
        let mut columns: Vec<Column> = Vec::new();
        for rel in &rels {
            for column in &rel.columns {
                match columns.iter().find(|c| c.name == column.name) {
                    Some(existing) if existing.ty != column.ty => {
                        return Err(Fault::refuse(
                            offset,
                            &format!(
                                "union of column `{}` as both {} and {} is not supported",
                                column.name, existing.ty, column.ty
                            ),
                        ));
                    }
                    Some(_) => {}
                    None => columns.push(column.clone()),
                }
            }
        }
        if !outer {
            columns.retain(|c| rels.iter().all(|r| r.column(&c.name).is_some()));
            if columns.is_empty() {
                return Err(Fault::refuse(
                    offset,
                    "union kind=inner of inputs with no column in common",
                ));
            }
        }
        if let Some((column, _)) = &source
            && columns.iter().any(|c| c.name == *column)
        {
            return Err(Fault::refuse(
                offset,
                &format!("withsource={column} names a column an input already has"),
            ));
        }
        let branches: Vec<String> = rels
            .iter()
            .enumerate()
            .map(|(i, rel)| {
                let mut items: Vec<String> = columns
                    .iter()
                    .map(|c| match rel.column(&c.name) {
                        Some(_) => ident(&c.name),
                        None => format!("{} AS {}", null_of(c.ty).sql, ident(&c.name)),
                    })
                    .collect();
                if let Some((column, labels)) = &source {
                    items.insert(0, format!("{} AS {}", string_literal(&labels[i]), ident(column)));
                }
                format!("SELECT {} FROM {}", items.join(", "), rel.name)
            })
            .collect();
        if let Some((column, _)) = &source {
            columns.insert(0, Column { name: (*column).to_string(), ty: Type::String });
        }
        let select = Select { verbatim: Some(branches.join("\nUNION ALL\n")), ..Select::default() };
        Ok(self.emit("union", offset, end, select, columns))
    }

    /// Translates a whole nested pipeline, for operators that take one.
    pub(crate) fn sub_pipeline(&mut self, pipeline: &Pipeline) -> Result<Rel, Fault> {
        self.pipeline(pipeline)
    }
}
