//! Queries assembled at run time: bound values ([`Arg`]), conditions numbered as
//! placeholders ([`Conditions`]), keyset positions, and the page reader every list
//! goes through ([`SqlStore::fetch_page`]).

use super::*;

pub(super) fn split_list<T>(
    s: &str,
    parse: impl Fn(&str) -> Option<T>,
    what: &str,
) -> StoreResult<Vec<T>> {
    s.split(',')
        .filter(|p| !p.is_empty())
        .map(|p| parse(p).ok_or_else(|| StoreError::Corrupt(format!("unknown {what} `{p}`"))))
        .collect()
}

pub(super) fn join_list<T>(items: &[T], name: impl Fn(&T) -> &'static str) -> String {
    items.iter().map(name).collect::<Vec<_>>().join(",")
}

/// A value bound to a query assembled at run time.
pub(super) enum Arg {
    Text(String),
    Int(i64),
    Uuid(Uuid),
}

/// Binds `$args` in order to `$q` (a query of either dialect).
macro_rules! bind_args {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                Arg::Text(v) => q.bind(v.clone()),
                Arg::Int(v) => q.bind(*v),
                Arg::Uuid(v) => q.bind(*v),
            };
        }
        q
    }};
}

/// Collects conditions and their arguments, numbering placeholders `$1`, `$2`, …
#[derive(Default)]
pub(super) struct Conditions {
    pub(super) clauses: Vec<String>,
    pub(super) args: Vec<Arg>,
}

impl Conditions {
    /// Adds a clause; each `?` in it becomes the next placeholder, taking `args` in order.
    pub(super) fn push(&mut self, clause: &str, args: Vec<Arg>) {
        let mut out = String::new();
        let mut next = args.into_iter();
        for ch in clause.chars() {
            if ch == '?' {
                self.args
                    .push(next.next().expect("one argument per placeholder"));
                out.push_str(&format!("${}", self.args.len()));
            } else {
                out.push(ch);
            }
        }
        self.clauses.push(out);
    }

    pub(super) fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }

    pub(super) fn placeholder(&mut self, a: Arg) -> String {
        self.args.push(a);
        format!("${}", self.args.len())
    }
}

/// `%needle%` for LIKE, lower-cased, with LIKE's own characters escaped by `\`.
pub(super) fn like_pattern(needle: &str) -> String {
    let mut p = String::from("%");
    for c in needle.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// Splits a page position into the keyset clause (built by `keyset` from the cursor)
/// and the number of rows to skip.
pub(super) fn split_position<C>(
    position: &Position<C>,
    keyset: impl FnOnce(&C) -> (&'static str, Vec<Arg>),
) -> (Option<(&'static str, Vec<Arg>)>, u64) {
    let (after, offset) = position.as_ref().into_parts();
    (after.map(keyset), offset)
}

/// The keyset clause of lists ordered by name, then id.
pub(super) fn after_name_and_id(name: &str, id: Uuid) -> (&'static str, Vec<Arg>) {
    (
        "(name > ? OR (name = ? AND id > ?))",
        vec![
            Arg::Text(name.to_owned()),
            Arg::Text(name.to_owned()),
            Arg::Uuid(id),
        ],
    )
}

/// What a page-style list reads: from which table, which columns, in which order.
pub(super) struct ListQuery {
    pub(super) table: &'static str,
    pub(super) columns: &'static str,
    pub(super) order: &'static str,
}

impl SqlStore {
    /// Which of `ids` have no row in `table`, each once, in the order given; one query.
    pub(super) async fn missing_ids(
        &self,
        table: &'static str,
        ids: &[Uuid],
    ) -> StoreResult<Vec<Uuid>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut c = Conditions::default();
        let marks = vec!["?"; ids.len()].join(", ");
        c.push(
            &format!("id IN ({marks})"),
            ids.iter().map(|i| Arg::Uuid(*i)).collect(),
        );
        let sql = format!("SELECT id FROM {table}{}", c.sql());
        let found: Vec<Uuid> = on_pool!(self, pool, {
            bind_args!(sqlx::query_scalar(&sql), &c.args)
                .fetch_all(pool)
                .await?
        });
        let mut seen: std::collections::HashSet<Uuid> = found.into_iter().collect();
        // `insert` is false for ids found, and for ids already reported missing.
        Ok(ids.iter().copied().filter(|id| seen.insert(*id)).collect())
    }

    /// Reads one page of a list filtered by `filter`: after the keyset clause when
    /// given, else skipping `offset` rows; and, when `with_total`, how many rows the
    /// filter matches (without the keyset clause).
    pub(super) async fn fetch_page<R>(
        &self,
        q: ListQuery,
        mut filter: Conditions,
        keyset: Option<(&str, Vec<Arg>)>,
        offset: u64,
        limit: u32,
        with_total: bool,
    ) -> StoreResult<(Vec<R>, Option<u64>)>
    where
        R: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
            + Send
            + Unpin,
    {
        let count_sql = format!("SELECT COUNT(*) FROM {}{}", q.table, filter.sql());
        let count_args = filter.args.len();
        if let Some((clause, args)) = keyset {
            filter.push(clause, args);
        }
        let lim = filter.placeholder(Arg::Int(i64::from(limit)));
        let off = filter.placeholder(Arg::Int(offset as i64));
        let sql = format!(
            "SELECT {} FROM {}{} ORDER BY {} LIMIT {lim} OFFSET {off}",
            q.columns,
            q.table,
            filter.sql(),
            q.order
        );
        let args = &filter.args;
        let (rows, total): (Vec<R>, Option<i64>) = on_pool!(self, pool, {
            let rows = bind_args!(sqlx::query_as(&sql), args)
                .fetch_all(pool)
                .await?;
            let total = if with_total {
                Some(
                    bind_args!(sqlx::query_scalar(&count_sql), &args[..count_args])
                        .fetch_one(pool)
                        .await?,
                )
            } else {
                None
            };
            (rows, total)
        });
        Ok((rows, total.map(|t| t as u64)))
    }
}
