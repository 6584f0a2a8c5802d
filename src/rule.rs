//! Where a rule comes from and what it says about itself. Built-in rules are the SQL files
//! under `sql/`, compiled into the binary; a user's rule is a `.sql` file, a KQL file
//! (`.kql`, `.txt`, or `-` for standard input) or a Sentinel rule in YAML, whose KQL
//! [`crate::kql`] translates. A SQL file may open with a header of `-- key: value` lines (id,
//! name, description, source, tables); a YAML rule says the same in its own fields.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The rule a bare `lakehunt run` hunts with.
pub const DEFAULT_RULE: &str = "device-logons-from-unknown-ips";

/// Built-in rules: (file stem, SQL text).
const BUILT_IN: &[(&str, &str)] = &[
    ("device_logons_from_unknown_ips", include_str!("../sql/device_logons_from_unknown_ips.sql")),
    (
        "device_logons_from_unknown_ips_as_commented",
        include_str!("../sql/device_logons_from_unknown_ips_as_commented.sql"),
    ),
];

/// A hunting rule as SQL, with what its header says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The short name users type: `device-logons-from-unknown-ips`, or the file's path.
    pub slug: String,
    /// The rule's id (Sentinel's GUID for Sentinel rules), if the header gives one.
    pub id: Option<String>,
    /// The rule's display name.
    pub name: String,
    /// What the rule finds.
    pub description: String,
    /// The tables the header says the rule reads; the engine finds the real list in the SQL.
    pub tables: Vec<String>,
    /// The SQL the rule runs.
    pub sql: String,
    /// The file the rule came from, for rules that are not built in.
    pub path: Option<PathBuf>,
    /// The KQL the SQL was translated from, for KQL and YAML rules.
    pub kql: Option<String>,
    /// The result's columns with their Kusto types, for KQL and YAML rules.
    pub columns: Vec<(String, crate::kql::Type)>,
    /// The MITRE ATT&CK tactics a Sentinel rule names.
    pub tactics: Vec<String>,
    /// The data connectors a Sentinel rule requires.
    pub connectors: Vec<String>,
}

impl Rule {
    /// Reads a rule from SQL text and its header.
    pub fn from_sql(slug: &str, sql: &str, path: Option<PathBuf>) -> Rule {
        let header = Header::parse(sql);
        Rule {
            slug: slug.to_string(),
            id: header.get("id"),
            name: header.get("name").unwrap_or_else(|| slug.to_string()),
            description: header.get("description").unwrap_or_default(),
            tables: header
                .get("tables")
                .map(|t| {
                    t.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
                })
                .unwrap_or_default(),
            sql: sql.to_string(),
            path,
            kql: None,
            columns: vec![],
            tactics: vec![],
            connectors: vec![],
        }
    }

    /// Translates a KQL query into a rule; `origin` names it in errors (a path or `-`).
    pub fn from_kql(slug: &str, kql: &str, path: Option<PathBuf>, origin: &str) -> Result<Rule> {
        let translation = crate::kql::to_sql(kql, origin)?;
        Ok(Rule {
            slug: slug.to_string(),
            id: None,
            name: slug.to_string(),
            description: String::new(),
            tables: translation.tables,
            sql: translation.sql,
            path,
            kql: Some(kql.to_string()),
            columns: translation.columns,
            tactics: vec![],
            connectors: vec![],
        })
    }

    /// Reads a Sentinel rule in YAML: its `query` in KQL, and its id, name, description,
    /// tactics and required data connectors.
    pub fn from_yaml(slug: &str, text: &str, path: &Path) -> Result<Rule> {
        let shown = path.display().to_string();
        let invalid = |reason: String| Error::RuleYaml { path: shown.clone(), reason };
        let document: serde_norway::Value =
            serde_norway::from_str(text).map_err(|e| invalid(format!("not valid YAML: {e}")))?;
        let Some(query) = document.get("query").and_then(|q| q.as_str()) else {
            return Err(invalid("no `query` field holding the rule's KQL".into()));
        };
        let mut rule =
            Rule::from_kql(slug, query, Some(path.to_path_buf()), &format!("{shown} (query)"))?;
        let text_of =
            |key: &str| document.get(key).and_then(|v| v.as_str()).map(|s| s.trim().to_string());
        rule.id = text_of("id");
        rule.name = text_of("name").unwrap_or_else(|| slug.to_string());
        rule.description = text_of("description").unwrap_or_default();
        let items = |key: &str| document.get(key).and_then(|v| v.as_sequence()).cloned();
        rule.tactics = items("tactics")
            .unwrap_or_default()
            .iter()
            .filter_map(|t| t.as_str().map(str::to_string))
            .collect();
        rule.connectors = items("requiredDataConnectors")
            .unwrap_or_default()
            .iter()
            .filter_map(|c| c.get("connectorId").and_then(|id| id.as_str()).map(str::to_string))
            .collect();
        Ok(rule)
    }

    /// Reads a rule file: `.sql`, `.kql` or `.txt` (KQL), `.yaml` or `.yml` (Sentinel).
    pub fn load(path: &Path) -> Result<Rule> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|error| Error::RuleFile { path: path.to_path_buf(), error })?;
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_lowercase();
        match extension.as_str() {
            "sql" => Ok(Rule::from_sql(&shown, &text, Some(path.to_path_buf()))),
            "kql" | "txt" => Rule::from_kql(&shown, &text, Some(path.to_path_buf()), &shown),
            "yaml" | "yml" => Rule::from_yaml(&shown, &text, path),
            _ => Err(Error::UnknownRule { name: shown, known: known_names(&[]) }),
        }
    }

    /// Finds a rule by built-in name or by path, as [`Rule::resolve_with`] without extra rules.
    pub fn resolve(name_or_path: &str) -> Result<Rule> {
        Rule::resolve_with(name_or_path, &[])
    }

    /// Finds a rule: a built-in or `extra` rule by name, `-` for KQL on standard input, or
    /// the path of a `.sql`, `.kql`, `.txt`, `.yaml` or `.yml` file.
    pub fn resolve_with(name_or_path: &str, extra: &[Rule]) -> Result<Rule> {
        if let Some(rule) =
            built_in().into_iter().chain(extra.iter().cloned()).find(|r| r.slug == name_or_path)
        {
            return Ok(rule);
        }
        if name_or_path == "-" {
            let mut kql = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut kql)
                .map_err(|error| Error::RuleFile { path: PathBuf::from("-"), error })?;
            return Rule::from_kql("-", &kql, None, "-");
        }
        let path = Path::new(name_or_path);
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_lowercase();
        if !RULE_EXTENSIONS.contains(&extension.as_str()) {
            return Err(Error::UnknownRule {
                name: name_or_path.into(),
                known: known_names(extra),
            });
        }
        Rule::load(path)
    }
}

/// The extensions of rule files lakehunt reads.
const RULE_EXTENSIONS: &[&str] = &["sql", "kql", "txt", "yaml", "yml"];

fn known_names(extra: &[Rule]) -> String {
    let known: Vec<String> = built_in()
        .into_iter()
        .map(|r| r.slug)
        .chain(extra.iter().map(|r| r.slug.clone()))
        .collect();
    known.join(", ")
}

/// The Sentinel YAML rules in `dir` (not its subfolders), named after their files, in name
/// order; a rule that cannot be read or translated is an error naming its file.
pub fn load_dir(dir: &Path) -> Result<Vec<Rule>> {
    let entries = std::fs::read_dir(dir)
        .map_err(|error| Error::RuleFile { path: dir.to_path_buf(), error })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
        })
        .collect();
    paths.sort();
    let mut rules = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path)
            .map_err(|error| Error::RuleFile { path: path.clone(), error })?;
        let slug = path.file_stem().and_then(|s| s.to_str()).unwrap_or("rule").to_string();
        rules.push(Rule::from_yaml(&slug, &text, &path)?);
    }
    Ok(rules)
}

/// The built-in rules, in a stable order.
pub fn built_in() -> Vec<Rule> {
    BUILT_IN.iter().map(|(stem, sql)| Rule::from_sql(&stem.replace('_', "-"), sql, None)).collect()
}

/// The `-- key: value` lines at the top of a SQL file; an indented `--` line continues the
/// value above it.
struct Header {
    entries: Vec<(String, String)>,
}

impl Header {
    fn parse(sql: &str) -> Header {
        let mut entries: Vec<(String, String)> = Vec::new();
        for line in sql.lines() {
            let Some(comment) = line.trim_start().strip_prefix("--") else {
                break;
            };
            let continues = comment.starts_with("   ") && !comment.trim().is_empty();
            match (continues, entries.last_mut()) {
                (true, Some((_, value))) => {
                    value.push(' ');
                    value.push_str(comment.trim());
                }
                _ => {
                    let Some((key, value)) = comment.trim().split_once(':') else {
                        continue;
                    };
                    if key.contains(' ') {
                        continue;
                    }
                    entries.push((key.trim().to_ascii_lowercase(), value.trim().to_string()));
                }
            }
        }
        Header { entries }
    }

    fn get(&self, key: &str) -> Option<String> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_rule_is_built_in_with_its_sentinel_id_and_tables() {
        let rule = Rule::resolve(DEFAULT_RULE).unwrap();
        assert_eq!(rule.id.as_deref(), Some("a6d76204-efb2-4ccd-a068-d5a9e6876236"));
        assert_eq!(rule.name, "Device Logons from Unknown IPs");
        assert_eq!(rule.tables, ["DeviceLogonEvents", "DeviceNetworkInfo", "IdentityLogonEvents"]);
        assert!(rule.description.contains("summarised per account and IP"));
    }

    #[test]
    fn an_unknown_name_lists_the_built_in_rules() {
        let err = Rule::resolve("no-such-rule").unwrap_err().to_string();
        assert!(err.contains("no-such-rule") && err.contains(DEFAULT_RULE), "{err}");
    }

    #[test]
    fn a_missing_sql_file_names_the_path() {
        let err = Rule::resolve("/nonexistent/hunt.sql").unwrap_err().to_string();
        assert!(err.contains("/nonexistent/hunt.sql"), "{err}");
    }

    #[test]
    fn a_file_without_a_header_is_named_after_itself() {
        let rule = Rule::from_sql("mine.sql", "SELECT 1", None);
        assert_eq!(rule.name, "mine.sql");
        assert!(rule.tables.is_empty());
    }
}
