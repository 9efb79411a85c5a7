//! sqlx or rusqlite for SQLite (issue: the read path, item 2): the members page's two
//! statements (the page of 50 and its total) on the same database file, each row
//! decoded into the same values, through sqlx's pool (every statement handed to its
//! worker thread and back) and through rusqlite on Tokio's blocking pool with cached
//! prepared statements and columns read by index. Sequential latency and the
//! throughput of 16 concurrent callers on the server's two threads.

use crate::*;

const PAGE: &str = "SELECT id, organization_id, email, first_name, last_name, account_type_id, \
     password_hash, is_inactive, is_archived, user_kind, profile_img_url, home_folder_id, \
     invite_requested, created_by, updated_by, created_at, updated_at FROM members \
     WHERE is_archived = FALSE AND is_inactive = FALSE ORDER BY email LIMIT 50 OFFSET 0";
const COUNT: &str =
    "SELECT COUNT(*) FROM members WHERE is_archived = FALSE AND is_inactive = FALSE";

/// One decoded row: what the store's `MemberRow` holds.
#[allow(dead_code)]
struct Row {
    id: uuid::Uuid,
    organization_id: uuid::Uuid,
    email: String,
    first_name: String,
    last_name: String,
    account_type_id: uuid::Uuid,
    password_hash: Option<String>,
    is_inactive: bool,
    is_archived: bool,
    user_kind: String,
    profile_img_url: Option<String>,
    home_folder_id: Option<uuid::Uuid>,
    invite_requested: bool,
    created_by: Option<uuid::Uuid>,
    updated_by: Option<uuid::Uuid>,
    created_at: time::OffsetDateTime,
    updated_at: time::OffsetDateTime,
}

async fn with_sqlx(pool: &sqlx::SqlitePool) -> anyhow::Result<(Vec<Row>, i64)> {
    use sqlx::Row as _;
    let rows = sqlx::query(PAGE).fetch_all(pool).await?;
    let rows = rows
        .iter()
        .map(|r| {
            Ok(Row {
                id: r.try_get(0)?,
                organization_id: r.try_get(1)?,
                email: r.try_get(2)?,
                first_name: r.try_get(3)?,
                last_name: r.try_get(4)?,
                account_type_id: r.try_get(5)?,
                password_hash: r.try_get(6)?,
                is_inactive: r.try_get(7)?,
                is_archived: r.try_get(8)?,
                user_kind: r.try_get(9)?,
                profile_img_url: r.try_get(10)?,
                home_folder_id: r.try_get(11)?,
                invite_requested: r.try_get(12)?,
                created_by: r.try_get(13)?,
                updated_by: r.try_get(14)?,
                created_at: r.try_get(15)?,
                updated_at: r.try_get(16)?,
            })
        })
        .collect::<Result<Vec<Row>, sqlx::Error>>()?;
    let total: i64 = sqlx::query_scalar(COUNT).fetch_one(pool).await?;
    Ok((rows, total))
}

/// Connections for the blocking pool: taken, used on a blocking thread, put back.
struct Rusqlite {
    idle: std::sync::Mutex<Vec<rusqlite::Connection>>,
}

fn uuid_of(v: rusqlite::types::ValueRef<'_>) -> rusqlite::Result<uuid::Uuid> {
    let b = v.as_blob()?;
    uuid::Uuid::from_slice(b).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Blob, Box::new(e))
    })
}

fn uuid_opt(v: rusqlite::types::ValueRef<'_>) -> rusqlite::Result<Option<uuid::Uuid>> {
    match v {
        rusqlite::types::ValueRef::Null => Ok(None),
        other => uuid_of(other).map(Some),
    }
}

fn time_of(v: rusqlite::types::ValueRef<'_>) -> rusqlite::Result<time::OffsetDateTime> {
    let s = v.as_str()?;
    // sqlx writes `2026-12-03 16:53:04.123 +00:00`-like text; read both that and RFC 3339.
    let rfc = time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::parse(s, &rfc)
        .or_else(|_| {
            let f = time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute]:[second].[subsecond] [offset_hour sign:mandatory]:[offset_minute]"
            );
            time::OffsetDateTime::parse(s, &f)
        })
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

impl Rusqlite {
    fn open(path: &std::path::Path, n: usize) -> anyhow::Result<Self> {
        let mut idle = Vec::new();
        for _ in 0..n {
            let c = rusqlite::Connection::open_with_flags(
                path,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                    | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            c.set_prepared_statement_cache_capacity(64);
            idle.push(c);
        }
        Ok(Rusqlite {
            idle: std::sync::Mutex::new(idle),
        })
    }

    fn page_blocking(&self) -> anyhow::Result<(Vec<Row>, i64)> {
        let c = self
            .idle
            .lock()
            .unwrap()
            .pop()
            .context("no idle connection")?;
        let out = (|| -> rusqlite::Result<(Vec<Row>, i64)> {
            let mut st = c.prepare_cached(PAGE)?;
            let rows = st
                .query_map([], |r| {
                    Ok(Row {
                        id: uuid_of(r.get_ref(0)?)?,
                        organization_id: uuid_of(r.get_ref(1)?)?,
                        email: r.get(2)?,
                        first_name: r.get(3)?,
                        last_name: r.get(4)?,
                        account_type_id: uuid_of(r.get_ref(5)?)?,
                        password_hash: r.get(6)?,
                        is_inactive: r.get(7)?,
                        is_archived: r.get(8)?,
                        user_kind: r.get(9)?,
                        profile_img_url: r.get(10)?,
                        home_folder_id: uuid_opt(r.get_ref(11)?)?,
                        invite_requested: r.get(12)?,
                        created_by: uuid_opt(r.get_ref(13)?)?,
                        updated_by: uuid_opt(r.get_ref(14)?)?,
                        created_at: time_of(r.get_ref(15)?)?,
                        updated_at: time_of(r.get_ref(16)?)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<Row>>>()?;
            let total: i64 = c.prepare_cached(COUNT)?.query_row([], |r| r.get(0))?;
            Ok((rows, total))
        })();
        self.idle.lock().unwrap().push(c);
        Ok(out?)
    }
}

async fn with_rusqlite(db: &Arc<Rusqlite>) -> anyhow::Result<(Vec<Row>, i64)> {
    let db = db.clone();
    tokio::task::spawn_blocking(move || db.page_blocking()).await?
}

fn per_call(d: Duration, n: usize) -> f64 {
    d.as_secs_f64() * 1e6 / n as f64
}

pub(crate) fn drivers_suite(server: &Server) -> anyhow::Result<()> {
    seed_members(server, 60)?;
    let path = server
        .db_url
        .strip_prefix("sqlite://")
        .or_else(|| server.db_url.strip_prefix("sqlite:"))
        .context("the drivers suite needs the SQLite server")?
        .split('?')
        .next()
        .unwrap_or_default()
        .to_owned();
    let rt = &server._runtime;
    let (sqlx_pool, rusq) = rt.block_on(async {
        let opts = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&path)
            .read_only(true);
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(16)
            .connect_with(opts)
            .await?;
        // One connection per concurrent caller, as sqlx's pool may grow to.
        anyhow::Ok((
            pool,
            Arc::new(Rusqlite::open(std::path::Path::new(&path), 16)?),
        ))
    })?;
    let (a, b) = rt.block_on(async {
        let a = with_sqlx(&sqlx_pool).await?;
        let b = with_rusqlite(&rusq).await?;
        anyhow::Ok((a, b))
    })?;
    anyhow::ensure!(
        a.1 == b.1
            && a.0.len() == b.0.len()
            && a.0
                .iter()
                .zip(&b.0)
                .all(|(x, y)| x.id == y.id && x.created_at == y.created_at),
        "the two drivers read different pages"
    );
    let n = 3000;
    let (seq_sqlx, seq_rusq, par_sqlx, par_rusq) = rt.block_on(async {
        // Warm both (statement caches, page cache).
        for _ in 0..200 {
            with_sqlx(&sqlx_pool).await?;
            with_rusqlite(&rusq).await?;
        }
        let t = Instant::now();
        for _ in 0..n {
            with_sqlx(&sqlx_pool).await?;
        }
        let seq_sqlx = t.elapsed();
        let t = Instant::now();
        for _ in 0..n {
            with_rusqlite(&rusq).await?;
        }
        let seq_rusq = t.elapsed();
        let par = |use_sqlx: bool| {
            let (pool, rusq) = (sqlx_pool.clone(), rusq.clone());
            async move {
                let t = Instant::now();
                let mut tasks = Vec::new();
                for _ in 0..16 {
                    let (pool, rusq) = (pool.clone(), rusq.clone());
                    tasks.push(tokio::spawn(async move {
                        for _ in 0..n / 16 {
                            if use_sqlx {
                                with_sqlx(&pool).await?;
                            } else {
                                with_rusqlite(&rusq).await?;
                            }
                        }
                        anyhow::Ok(())
                    }));
                }
                for t in tasks {
                    t.await??;
                }
                anyhow::Ok(t.elapsed())
            }
        };
        let par_sqlx = par(true).await?;
        let par_rusq = par(false).await?;
        anyhow::Ok((seq_sqlx, seq_rusq, par_sqlx, par_rusq))
    })?;
    let m = (n / 16) * 16;
    println!("\n## SQLite drivers: the members page (50 of 61 rows, and its total)\n");
    println!("| driver | one caller, µs a page | 16 callers, pages/s |");
    println!("|---|---:|---:|");
    println!(
        "| sqlx 0.8 (worker thread) | {:.0} | {:.0} |",
        per_call(seq_sqlx, n),
        m as f64 / par_sqlx.as_secs_f64()
    );
    println!(
        "| rusqlite 0.32 (blocking pool, cached statements) | {:.0} | {:.0} |",
        per_call(seq_rusq, n),
        m as f64 / par_rusq.as_secs_f64()
    );
    Ok(())
}
