//! The tabular operators after the first `|`: each becomes one common table expression whose
//! columns and types follow Kusto's rules (`extend` replaces a column in place, `summarize`
//! puts its `by` columns first, `sort` defaults to descending with nulls last, ...).

use super::super::Fault;
use super::super::ast::{Assignment, Expr, ExprKind, NamePattern, Operator, OperatorKind, SortKey};
use super::super::types::Type;
use super::scalar::Scope;
use super::{
    Binding, Column, ORDINAL, Rel, Select, Translator, Typed, aggregates, free_name, ident, naming,
};

impl Translator<'_> {
    pub(crate) fn operator(&mut self, operator: &Operator, rel: Rel) -> Result<Rel, Fault> {
        let (at, end) = (operator.offset, operator.end);
        match &operator.kind {
            OperatorKind::Where(condition) => {
                // A filter drops a null condition as it drops a false one.
                self.filter = true;
                let typed = self.scalar(condition, &Scope::of(&rel))?;
                if typed.ty != Type::Bool {
                    return Err(Fault::new(
                        condition.offset,
                        &format!("a bool condition, found a {}", typed.ty),
                    ));
                }
                let select = Select { filter: Some(typed.sql), ..Select::star(&rel.name) };
                let out = self.emit("where", at, end, select, rel.columns.clone());
                Ok(out.keeping_order_of(&rel))
            }
            OperatorKind::Project(assignments) => self.project(assignments, rel, at, end),
            OperatorKind::Extend(assignments) => self.extend("extend", assignments, rel, at, end),
            OperatorKind::Parse { regex, filter, source, pattern } => {
                self.parse((*regex, *filter), source, pattern, rel, (at, end))
            }
            OperatorKind::ParseKv { source, keys, pair_delimiter, kv_delimiter, quote } => {
                let delimiters = [pair_delimiter.as_str(), kv_delimiter.as_str(), quote.as_str()];
                self.parse_kv(source, keys, delimiters, rel, (at, end))
            }
            OperatorKind::Search { case_sensitive, predicate } => {
                let table = rel.alias.clone().unwrap_or_else(|| "search_arg0".into());
                self.search(*case_sensitive, predicate, rel, &table, (at, end))
            }
            OperatorKind::MakeSeries(series) => self.make_series(series, rel, (at, end)),
            OperatorKind::MvApply { columns, types, limit, operators } => {
                self.mv_apply(columns, types, *limit, operators, rel, (at, end))
            }
            OperatorKind::Serialize(assignments) => {
                let mut rel = rel;
                rel.serialized = true;
                if assignments.is_empty() {
                    return Ok(rel);
                }
                self.extend("serialize", assignments, rel, at, end)
            }
            OperatorKind::ProjectAway(patterns) => {
                let away = matching(patterns, &rel)?;
                let kept: Vec<Column> =
                    rel.columns.iter().filter(|c| !away.contains(&c.name)).cloned().collect();
                if kept.is_empty() {
                    return Err(Fault::refuse(at, "project-away of every column"));
                }
                Ok(self.reselect("project-away", at, end, &rel, kept, None))
            }
            OperatorKind::ProjectKeep(patterns) => {
                let keep = matching(patterns, &rel)?;
                let kept: Vec<Column> =
                    rel.columns.iter().filter(|c| keep.contains(&c.name)).cloned().collect();
                Ok(self.reselect("project-keep", at, end, &rel, kept, None))
            }
            OperatorKind::ProjectReorder(patterns) => {
                let first = matching(patterns, &rel)?;
                let mut columns: Vec<Column> =
                    first.iter().filter_map(|n| rel.column(n).cloned()).collect();
                columns.extend(rel.columns.iter().filter(|c| !first.contains(&c.name)).cloned());
                Ok(self.reselect("project-reorder", at, end, &rel, columns, None))
            }
            OperatorKind::ProjectRename(renames) => {
                let mut columns = rel.columns.clone();
                let mut sources: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
                for (new, old, offset) in renames {
                    let Some(i) = columns.iter().position(|c| &c.name == old) else {
                        return Err(unknown_column(old, *offset));
                    };
                    if new != old && rel.column(new).is_some() {
                        // Renaming onto a column the input has (`b = a, a = b`) is refused.
                        return Err(Fault::refuse(
                            *offset,
                            &format!(
                                "`{new}` is already a column; renaming onto it is not supported"
                            ),
                        ));
                    }
                    columns[i].name = new.clone();
                    sources[i] = old.clone();
                }
                Ok(self.reselect("project-rename", at, end, &rel, columns, Some(sources)))
            }
            OperatorKind::Summarize { aggregates, by } => {
                self.summarize(aggregates, by, rel, at, end)
            }
            OperatorKind::Distinct(exprs) => {
                let columns = if exprs.is_empty() {
                    rel.columns.clone()
                } else {
                    let mut columns = Vec::new();
                    for expr in exprs {
                        let ExprKind::Name(name) = &expr.kind else {
                            return Err(Fault::refuse(expr.offset, "distinct takes column names"));
                        };
                        columns.push(
                            rel.column(name)
                                .cloned()
                                .ok_or_else(|| unknown_column(name, expr.offset))?,
                        );
                    }
                    columns
                };
                let items = columns.iter().map(|c| ident(&c.name)).collect();
                let select = Select { distinct: true, ..Select::of(items, &rel.name) };
                Ok(self.emit("distinct", at, end, select, columns))
            }
            OperatorKind::Join { kind, right, on } => {
                let right = self.sub_pipeline(right)?;
                self.join(*kind, rel, right, on, at, end)
            }
            OperatorKind::Lookup { outer, right, on } => {
                let right = self.sub_pipeline(right)?;
                self.lookup(*outer, rel, right, on, at, end)
            }
            OperatorKind::Union { inputs, kind_outer } => {
                let mut rels = vec![rel];
                for input in inputs {
                    rels.push(self.sub_pipeline(input)?);
                }
                self.union(rels, *kind_outer, None, at, end)
            }
            OperatorKind::MvExpand { columns, types, limit, item_index } => {
                let expanded =
                    self.mv_expand(columns, *limit, item_index.as_ref(), rel, at, end)?;
                self.expanded_types(columns, types, expanded, at, end)
            }
            OperatorKind::Sort(keys) => {
                let order = self.order_by(keys, &rel)?;
                // The columns alone: a hidden ordinal of an earlier order ends here.
                let select = Select {
                    order_by: Some(order.clone()),
                    ..Select::of(rel.column_items(), &rel.name)
                };
                let mut out = self.emit("sort", at, end, select, rel.columns.clone());
                out.order = Some(order);
                Ok(out)
            }
            OperatorKind::Top { count, by } => {
                let limit = self.row_count(count, &rel)?;
                let order = self.order_by(std::slice::from_ref(by), &rel)?;
                let select = Select {
                    order_by: Some(order.clone()),
                    limit: Some(limit),
                    ..Select::of(rel.column_items(), &rel.name)
                };
                let mut out = self.emit("top", at, end, select, rel.columns.clone());
                out.order = Some(order);
                Ok(out)
            }
            OperatorKind::TopNested(levels) => self.top_nested(levels, rel, (at, end)),
            OperatorKind::Take(count) => {
                let limit = self.row_count(count, &rel)?;
                let select = Select {
                    order_by: rel.order.clone(),
                    limit: Some(limit),
                    ..Select::star(&rel.name)
                };
                let out = self.emit("take", at, end, select, rel.columns.clone());
                Ok(out.keeping_order_of(&rel))
            }
            OperatorKind::Count => {
                let select = Select::of(vec![format!("count(*) AS {}", ident("Count"))], &rel.name);
                Ok(self.emit(
                    "count",
                    at,
                    end,
                    select,
                    vec![Column { name: "Count".into(), ty: Type::Long }],
                ))
            }
            OperatorKind::As(name) => {
                self.bindings.push((name.clone(), Binding::Table(rel.clone())));
                Ok(Rel { alias: Some(name.clone()), ..rel })
            }
        }
    }

    /// A step that only selects, renames or reorders columns of `rel`; `sources` gives the
    /// input column of each output column when they differ.
    fn reselect(
        &mut self,
        label: &str,
        at: usize,
        end: usize,
        rel: &Rel,
        columns: Vec<Column>,
        sources: Option<Vec<String>>,
    ) -> Rel {
        let mut items: Vec<String> = columns
            .iter()
            .enumerate()
            .map(|(i, c)| match sources.as_ref().map(|s| &s[i]) {
                Some(source) if source != &c.name => {
                    format!("{} AS {}", ident(source), ident(&c.name))
                }
                _ => ident(&c.name),
            })
            .collect();
        let (order, ordinal) = kept_order(rel, &columns, sources.is_some());
        items.extend(ordinal.clone());
        let mut out = self.emit(label, at, end, Select::of(items, &rel.name), columns);
        out.order = order;
        out.ordinal = ordinal.is_some();
        out
    }

    fn project(
        &mut self,
        assignments: &[Assignment],
        rel: Rel,
        at: usize,
        end: usize,
    ) -> Result<Rel, Fault> {
        let mut items = Vec::new();
        let mut columns: Vec<Column> = Vec::new();
        let mut unnamed = 0;
        let mut recomputed = false;
        for assignment in assignments {
            let typed = self.scalar(&assignment.expr, &Scope::rows(&rel))?;
            let name = output_name(assignment, &columns, &mut unnamed, Clash::Number)?;
            recomputed |= typed.sql != ident(&name);
            if columns.iter().any(|c| c.name == name) {
                return Err(Fault::refuse(
                    assignment.expr.offset,
                    &format!("the column `{name}` is projected twice"),
                ));
            }
            items.push(item(&typed, &name));
            columns.push(Column { name, ty: typed.ty });
        }
        let (order, ordinal) = kept_order(&rel, &columns, recomputed);
        items.extend(ordinal.clone());
        let mut out = self.emit("project", at, end, Select::of(items, &rel.name), columns);
        out.order = order;
        out.ordinal = ordinal.is_some();
        Ok(out)
    }

    /// `extend`, and `serialize` with its assignments (`label` names the step).
    fn extend(
        &mut self,
        label: &str,
        assignments: &[Assignment],
        rel: Rel,
        at: usize,
        end: usize,
    ) -> Result<Rel, Fault> {
        let mut columns = rel.columns.clone();
        let mut items = rel.column_items();
        let mut scope = Scope::rows(&rel);
        let mut unnamed = 0;
        let mut replaced = false;
        for (i, assignment) in assignments.iter().enumerate() {
            let typed = self.scalar(&assignment.expr, &scope)?;
            let name = output_name(assignment, &columns, &mut unnamed, Clash::Replace)?;
            // A column the order is written in, given a new value, loses the order.
            replaced |= rel.column(&name).is_some()
                && rel.order.as_deref().is_some_and(|order| order.contains(&ident(&name)));
            if assignment.name.is_some()
                && assignments[..i].iter().any(|a| a.name.as_ref() == Some(&name))
            {
                // Kusto rejects one name declared twice in one step.
                return Err(Fault::refuse(
                    assignment.expr.offset,
                    &format!("`{name}` is assigned twice in one {label}"),
                ));
            }
            match columns.iter().position(|c| c.name == name) {
                Some(i) => {
                    columns[i].ty = typed.ty;
                    items[i] = item(&typed, &name);
                }
                None => {
                    columns.push(Column { name: name.clone(), ty: typed.ty });
                    items.push(item(&typed, &name));
                }
            }
            // Later assignments of the same extend see a new column; a column the input
            // has keeps its input value for them, as in Kusto (`extend a = c, c = a` swaps).
            if rel.column(&name).is_none() {
                scope.extra.push((name, Typed::new(format!("({})", typed.sql), typed.ty)));
            }
        }
        let (order, ordinal) = kept_order(&rel, &columns, replaced);
        items.extend(ordinal.clone());
        let mut out = self.emit(label, at, end, Select::of(items, &rel.name), columns);
        out.order = order;
        out.serialized = rel.serialized;
        out.ordinal = ordinal.is_some();
        Ok(out)
    }

    pub(crate) fn order_by(&mut self, keys: &[SortKey], rel: &Rel) -> Result<String, Fault> {
        let mut parts = Vec::new();
        for key in keys {
            let typed = self.scalar(&key.expr, &Scope::of(rel))?;
            if typed.ty == Type::Dynamic {
                return Err(Fault::refuse(
                    key.expr.offset,
                    "sorting by a dynamic value is not supported",
                ));
            }
            // Kusto puts nulls first when ascending and last when descending.
            let nulls_first = key.nulls_first.unwrap_or(!key.descending);
            let nulls = if nulls_first { "FIRST" } else { "LAST" };
            let direction = if key.descending { "DESC" } else { "ASC" };
            if typed.ty == Type::Real {
                // NaN goes with the nulls, after them when they come first, before them when
                // they come last (`null, NaN, -inf, ..., +inf` ascending), where SQL would put
                // it above every number.
                let v = &typed.sql;
                let null_side = if nulls_first { "DESC" } else { "ASC" };
                parts.push(format!(
                    "CASE WHEN isnan({v}) THEN NULL ELSE {v} END {direction} NULLS {nulls}, \
                     ({v} IS NULL) {null_side}"
                ));
                continue;
            }
            parts.push(format!("{} {direction} NULLS {nulls}", typed.sql));
        }
        Ok(parts.join(", "))
    }

    pub(crate) fn row_count(&mut self, count: &Expr, rel: &Rel) -> Result<String, Fault> {
        let typed = self.scalar(count, &Scope::of(rel))?;
        if !typed.ty.is_integer() {
            return Err(Fault::new(count.offset, &format!("a row count, found a {}", typed.ty)));
        }
        match &self.constant(count).kind {
            ExprKind::Literal(
                super::super::ast::Literal::Long(n) | super::super::ast::Literal::Int(n),
            ) if *n >= 0 => Ok(n.to_string()),
            _ => Err(Fault::refuse(count.offset, "the row count must be a constant")),
        }
    }

    pub(crate) fn mv_expand(
        &mut self,
        assignments: &[Assignment],
        limit: Option<i64>,
        item_index: Option<&(String, usize)>,
        rel: Rel,
        at: usize,
        end: usize,
    ) -> Result<Rel, Fault> {
        let limit = limit.unwrap_or(i64::from(i32::MAX));
        let mut columns = rel.columns.clone();
        let mut items: Vec<String> = columns.iter().map(|c| ident(&c.name)).collect();
        let mut expanded_values = Vec::new();
        for assignment in assignments {
            let typed = self.scalar(&assignment.expr, &Scope::of(&rel))?;
            if typed.ty != Type::Dynamic {
                return Err(Fault::refuse(
                    assignment.expr.offset,
                    &format!("mv-expand needs a dynamic value, not a {}", typed.ty),
                ));
            }
            expanded_values.push(typed.sql.clone());
            let name = match (&assignment.name, &assignment.expr.kind) {
                (Some(name), _) => name.clone(),
                (None, ExprKind::Name(name)) => name.clone(),
                (None, _) => {
                    return Err(Fault::refuse(
                        assignment.expr.offset,
                        "name the expanded value: mv-expand x = ...",
                    ));
                }
            };
            let expanded =
                format!("unnest(kql_mv_expand({}, {limit})) AS {}", typed.sql, ident(&name));
            match columns.iter().position(|c| c.name == name) {
                Some(i) => {
                    columns[i].ty = Type::Dynamic;
                    items[i] = expanded;
                }
                None => {
                    columns.push(Column { name, ty: Type::Dynamic });
                    items.push(expanded);
                }
            }
        }
        // The index numbers the values of each row, as many as its longest expansion makes,
        // and comes after the columns.
        if let Some((name, offset)) = item_index {
            if columns.iter().any(|c| &c.name == name) {
                return Err(Fault::refuse(
                    *offset,
                    &format!("with_itemindex names `{name}`, which is already a column"),
                ));
            }
            let values = expanded_values.join(", ");
            items.push(format!(
                "unnest(kql_mv_expand_positions({values}, {limit})) AS {}",
                ident(name)
            ));
            columns.push(Column { name: name.clone(), ty: Type::Long });
        }
        Ok(self.emit("mv_expand", at, end, Select::of(items, &rel.name), columns))
    }

    /// The `to typeof(T)` of an `mv-expand`: each expanded value converted to `T` as `T`'s
    /// conversion function would (a value that does not convert is null), text excepted.
    pub(crate) fn expanded_types(
        &mut self,
        columns: &[Assignment],
        types: &[Option<(String, usize)>],
        rel: Rel,
        at: usize,
        end: usize,
    ) -> Result<Rel, Fault> {
        if types.iter().all(Option::is_none) {
            return Ok(rel);
        }
        let mut converted = rel.columns.clone();
        let mut items = rel.column_items();
        for (assignment, kind) in columns.iter().zip(types) {
            let Some((kind, offset)) = kind else { continue };
            let ty = Type::parse(kind)
                .ok_or_else(|| Fault::new(*offset, &format!("a type, found `{kind}`")))?;
            let name = match (&assignment.name, &assignment.expr.kind) {
                (Some(name), _) | (None, ExprKind::Name(name)) => name.clone(),
                _ => continue,
            };
            let Some(i) = converted.iter().position(|c| c.name == name) else { continue };
            if ty != Type::Dynamic {
                let value = super::Typed::new(ident(&name), Type::Dynamic);
                let typed = if ty == Type::String {
                    super::conversions::to_string(value, *offset)?
                } else {
                    super::conversions::convert(value, ty, *offset)?
                };
                // The cast takes values as they are and parses no text: a JSON string
                // expanded to a number or a bool is null (`"1"` to typeof(long)).
                let typed = if matches!(ty, Type::Long | Type::Int | Type::Real | Type::Bool) {
                    let sql = format!(
                        "CASE WHEN kql_gettype({}) = 'string' THEN NULL ELSE {} END",
                        ident(&name),
                        typed.sql
                    );
                    super::Typed::new(sql, typed.ty)
                } else {
                    typed
                };
                items[i] = item(&typed, &name);
                converted[i].ty = ty;
            }
        }
        items.extend(rel.ordinal.then(|| ORDINAL.to_string()));
        let out = self.emit("mv_expand_typeof", at, end, Select::of(items, &rel.name), converted);
        Ok(out.keeping_order_of(&rel))
    }

    fn summarize(
        &mut self,
        aggregates: &[Assignment],
        by: &[Assignment],
        rel: Rel,
        at: usize,
        end: usize,
    ) -> Result<Rel, Fault> {
        // An unnamed arg_max alone ranks whole rows; named, its first column takes the name.
        if let [only] = aggregates
            && only.name.is_none()
            && let ExprKind::Call { name, args } = &only.expr.kind
            && (name == "arg_max" || name == "arg_min")
        {
            return self.arg_extreme(name == "arg_max", args, by, rel, only.expr.offset, at, end);
        }
        let mut items = Vec::new();
        let mut group_by = Vec::new();
        let mut columns: Vec<Column> = Vec::new();
        let mut unnamed = 0;
        for key in by {
            let typed = self.scalar(&key.expr, &Scope::of(&rel))?;
            let name = output_name(key, &columns, &mut unnamed, Clash::Number)?;
            if typed.ty == Type::Dynamic {
                return Err(Fault::refuse(
                    key.expr.offset,
                    "grouping by a dynamic value is not supported",
                ));
            }
            items.push(item(&typed, &name));
            group_by.push(typed.sql);
            columns.push(Column { name, ty: typed.ty });
        }
        // Sums of reals over the whole input add in row order (`kql_sum_in_order`).
        let grouped_outside = std::mem::replace(&mut self.ungrouped, by.is_empty());
        for aggregate in aggregates {
            if let ExprKind::Call { name, args } = &aggregate.expr.kind
                && (name == "arg_max" || name == "arg_min")
            {
                let expanded =
                    self.arg_extreme_columns(name == "arg_max", aggregate, args, &rel, &columns)?;
                for (sql, column) in expanded {
                    items.push(format!("{sql} AS {}", ident(&column.name)));
                    columns.push(column);
                }
                continue;
            }
            // `percentiles(x, 5, 50, 95)` makes a column for each percentile.
            if let ExprKind::Call { name, args } = &aggregate.expr.kind
                && name == "percentiles"
                && args.len() > 2
            {
                if aggregate.name.is_some() {
                    return Err(Fault::refuse(
                        aggregate.expr.offset,
                        "naming the columns of several percentiles is not supported",
                    ));
                }
                for percent in &args[1..] {
                    let pair = [args[0].clone(), percent.clone()];
                    let offset = aggregate.expr.offset;
                    let typed =
                        self.aggregate("percentile", &pair, offset, &Scope::aggregating(&rel))?;
                    let name = aggregates::default_name("percentile", &pair, offset)?;
                    items.push(item(&typed, &name));
                    columns.push(Column { name, ty: typed.ty });
                }
                continue;
            }
            let typed = self.scalar(&aggregate.expr, &Scope::aggregating(&rel))?;
            let name = match (&aggregate.name, &aggregate.expr.kind) {
                (Some(name), _) => name.clone(),
                // A name Kusto makes up that is taken gets a number, as `count_1`.
                (None, ExprKind::Call { name, args }) if aggregates::is_aggregate(name) => {
                    free_name(
                        &aggregates::default_name(name, args, aggregate.expr.offset)?,
                        &columns,
                    )
                }
                (None, _) => output_name(aggregate, &columns, &mut unnamed, Clash::Number)?,
            };
            if !contains_aggregate(&aggregate.expr) {
                return Err(Fault::new(
                    aggregate.expr.offset,
                    "an aggregate such as count() or max(x)",
                ));
            }
            items.push(item(&typed, &name));
            columns.push(Column { name, ty: typed.ty });
        }
        self.ungrouped = grouped_outside;
        if let Some(duplicate) =
            columns.iter().enumerate().find(|(i, c)| columns[..*i].iter().any(|d| d.name == c.name))
        {
            return Err(Fault::refuse(
                at,
                &format!("summarize makes the column `{}` twice", duplicate.1.name),
            ));
        }
        let select = Select { group_by, ..Select::of(items, &rel.name) };
        Ok(self.emit("summarize", at, end, select, columns))
    }

    /// `arg_max(x, a, b)` (or `arg_min`) beside other aggregates: the largest `x` and, for
    /// each of `a` and `b`, its value in a row where `x` is largest, each a column named as
    /// Kusto names it (`a1` when `a` is taken). Real `x` are refused, since Kusto's choice
    /// among NaNs depends on the order it reads rows in.
    fn arg_extreme_columns(
        &mut self,
        largest: bool,
        aggregate: &Assignment,
        args: &[Expr],
        rel: &Rel,
        taken: &[Column],
    ) -> Result<Vec<(String, Column)>, Fault> {
        let offset = aggregate.expr.offset;
        let Some((by, rest)) = args.split_first() else {
            return Err(Fault::new(offset, "arg_max(x, columns...)"));
        };
        let x = self.scalar(by, &Scope::of(rel))?;
        if matches!(x.ty, Type::Real | Type::Dynamic | Type::Decimal) {
            return Err(Fault::refuse(
                by.offset,
                &format!(
                    "arg_max and arg_min of a {} beside other aggregates are not supported",
                    x.ty
                ),
            ));
        }
        let mut names: Vec<String> = taken.iter().map(|c| c.name.clone()).collect();
        let mut free = |name: &str| {
            let free = std::iter::once(name.to_string())
                .chain((1..).map(|i| format!("{name}{i}")))
                .find(|n| !names.contains(n))
                .unwrap_or_else(|| name.to_string());
            names.push(free.clone());
            free
        };
        let first = match (&aggregate.name, &by.kind) {
            (Some(name), _) => name.clone(),
            (None, ExprKind::Name(name)) => free(name),
            (None, _) => {
                return Err(Fault::refuse(by.offset, "name the arg_max: m = arg_max(...)"));
            }
        };
        let (extreme, direction) = if largest { ("max", "DESC") } else { ("min", "ASC") };
        let mut out = vec![(format!("{extreme}({})", x.sql), Column { name: first, ty: x.ty })];
        for arg in rest {
            let ExprKind::Name(column) = &arg.kind else {
                return Err(Fault::refuse(
                    arg.offset,
                    "arg_max and arg_min beside other aggregates take column names",
                ));
            };
            let value = self.scalar(arg, &Scope::of(rel))?;
            let sql =
                format!("first_value({} ORDER BY {} {direction} NULLS LAST)", value.sql, x.sql);
            out.push((sql, Column { name: free(column), ty: value.ty }));
        }
        Ok(out)
    }

    /// `summarize arg_max(x, cols) by keys`: for each group, the row with the largest `x`.
    #[allow(clippy::too_many_arguments)]
    fn arg_extreme(
        &mut self,
        largest: bool,
        args: &[Expr],
        by: &[Assignment],
        rel: Rel,
        offset: usize,
        at: usize,
        end: usize,
    ) -> Result<Rel, Fault> {
        let Some((target, rest)) = args.split_first() else {
            return Err(Fault::new(offset, "the expression to maximise"));
        };
        let ExprKind::Name(target_name) = &target.kind else {
            return Err(Fault::refuse(
                target.offset,
                "arg_max and arg_min of an expression are not supported; extend a column first",
            ));
        };
        let target_column = rel
            .column(target_name)
            .cloned()
            .ok_or_else(|| unknown_column(target_name, target.offset))?;
        let mut keys = Vec::new();
        for key in by {
            match (&key.name, &key.expr.kind) {
                (None, ExprKind::Name(name)) => keys.push(
                    rel.column(name)
                        .cloned()
                        .ok_or_else(|| unknown_column(name, key.expr.offset))?,
                ),
                _ => {
                    return Err(Fault::refuse(
                        key.expr.offset,
                        "arg_max and arg_min by an expression are not supported",
                    ));
                }
            }
        }
        let mut columns = keys.clone();
        if !columns.iter().any(|c| c.name == target_column.name) {
            columns.push(target_column.clone());
        }
        for arg in rest {
            match &arg.kind {
                ExprKind::Star => {
                    for column in &rel.columns {
                        if !columns.iter().any(|c| c.name == column.name) {
                            columns.push(column.clone());
                        }
                    }
                }
                ExprKind::Name(name) => {
                    let column = rel
                        .column(name)
                        .cloned()
                        .ok_or_else(|| unknown_column(name, arg.offset))?;
                    if !columns.iter().any(|c| c.name == column.name) {
                        columns.push(column);
                    }
                }
                _ => {
                    return Err(Fault::refuse(
                        arg.offset,
                        "arg_max and arg_min return columns by name or *",
                    ));
                }
            }
        }
        let partition = if keys.is_empty() {
            String::new()
        } else {
            format!(
                "PARTITION BY {} ",
                keys.iter().map(|k| ident(&k.name)).collect::<Vec<_>>().join(", ")
            )
        };
        let direction = if largest { "DESC" } else { "ASC" };
        let ranked = format!(
            "(\n    SELECT *, row_number() OVER ({partition}ORDER BY {} {direction} NULLS LAST) AS kql_rank\n    FROM {}\n) AS ranked",
            ident(&target_column.name),
            rel.name
        );
        let items = columns.iter().map(|c| ident(&c.name)).collect();
        let select = Select { filter: Some("kql_rank = 1".into()), ..Select::of(items, &ranked) };
        Ok(self.emit("summarize", at, end, select, columns))
    }
}

/// `sql AS "name"`, or just the column when it already has that name.
fn item(typed: &Typed, name: &str) -> String {
    let quoted = ident(name);
    if typed.sql == quoted { quoted } else { format!("{} AS {quoted}", typed.sql) }
}

/// The name Kusto gives an expression's column: a column's own name, `a_b` for `a.b`.
pub(super) fn expression_name(expr: &Expr) -> Option<String> {
    match &expr.kind {
        ExprKind::Name(name) => Some(name.clone()),
        ExprKind::Member { target, key } => Some(format!("{}_{key}", expression_name(target)?)),
        _ => None,
    }
}

/// What a name Kusto infers does when a column already has it.
#[derive(Clone, Copy, PartialEq)]
enum Clash {
    /// `extend`: the new value replaces the column.
    Replace,
    /// `project`, `summarize`: the new column is numbered (`x1`).
    Number,
}

/// The column an assignment of `project`, `extend` or `summarize` makes: its name, the name
/// Kusto infers from its expression, or the next free `Column<n>`.
fn output_name(
    assignment: &Assignment,
    taken: &[Column],
    unnamed: &mut usize,
    clash: Clash,
) -> Result<String, Fault> {
    if let Some(name) = &assignment.name {
        return Ok(name.clone());
    }
    let offset = assignment.expr.offset;
    if let Some(name) = naming::known(naming::inferred(&assignment.expr), offset)? {
        // A column written as itself declares it again, which is left to the caller.
        if clash == Clash::Replace || matches!(assignment.expr.kind, ExprKind::Name(_)) {
            return Ok(name);
        }
        return Ok(free_name(&name, taken));
    }
    loop {
        *unnamed += 1;
        let name = format!("Column{unnamed}");
        if !taken.iter().any(|c| c.name == name) {
            return Ok(name);
        }
    }
}

fn contains_aggregate(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Call { name, args } => {
            aggregates::is_aggregate(name) || args.iter().any(contains_aggregate)
        }
        ExprKind::Binary { left, right, .. } => {
            contains_aggregate(left) || contains_aggregate(right)
        }
        ExprKind::Negate(inner) => contains_aggregate(inner),
        _ => false,
    }
}

/// The order of `rel`, kept when no column it sorts by was dropped or renamed.
/// How a step selecting `columns` of `rel` (renaming or recomputing some when `renamed`) keeps
/// `rel`'s order, and the item it adds for it: the hidden ordinal carried on, or, when the
/// columns the order is written in are dropped or recomputed, numbered from the order in the
/// step's own select; while they pass unchanged, nothing.
fn kept_order(rel: &Rel, columns: &[Column], renamed: bool) -> (Option<String>, Option<String>) {
    let Some(order) = rel.order.clone() else {
        return (None, None);
    };
    if rel.ordinal {
        return (Some(order), Some(ORDINAL.to_string()));
    }
    let lost = rel
        .columns
        .iter()
        .any(|c| order.contains(&ident(&c.name)) && !columns.iter().any(|k| k.name == c.name));
    if !(lost || renamed) {
        return (Some(order), None);
    }
    let numbered = format!("row_number() OVER (ORDER BY {order}) AS {ORDINAL}");
    (Some(format!("{ORDINAL} ASC")), Some(numbered))
}

/// The names of `rel`'s columns that `patterns` match, in pattern order; a plain name that
/// matches nothing is an error.
fn matching(patterns: &[NamePattern], rel: &Rel) -> Result<Vec<String>, Fault> {
    let mut names = Vec::new();
    for pattern in patterns {
        let matched: Vec<&Column> =
            rel.columns.iter().filter(|c| glob(&pattern.pattern, &c.name)).collect();
        if matched.is_empty() && !pattern.pattern.contains('*') {
            return Err(unknown_column(&pattern.pattern, pattern.offset));
        }
        for column in matched {
            if !names.contains(&column.name) {
                names.push(column.name.clone());
            }
        }
    }
    Ok(names)
}

/// `*` matches any run of characters.
fn glob(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let mut rest = name;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(after) = rest.strip_prefix(part) else { return false };
            rest = after;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(p) => rest = &rest[p + part.len()..],
                None => return false,
            }
        }
    }
    true
}

pub(crate) fn unknown_column(name: &str, offset: usize) -> Fault {
    Fault::refuse(
        offset,
        &format!("unknown column `{name}`: it is not a column of this step's input"),
    )
}
