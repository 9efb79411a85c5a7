//! PostgreSQL's write notifications (migration 0012). Several nodes share one
//! database, so a node may remember a read only while it hears of every write: a task
//! per node listens on `sigil_writes` and moves the store's generation on for each
//! write it hears of. While it is not listening (before the first `LISTEN`, after the
//! connection drops, until it is back) the store answers no generation and nothing
//! is remembered; coming back moves the generation on, since writes may have been
//! missed meanwhile. A write to `revocations` also wakes whoever waits for
//! revocations, so that a revoked token stops working on every node at once.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgListener, PgPool};
use tokio::sync::Notify;

const CHANNEL: &str = "sigil_writes";

/// What the listening task shares with the store.
#[derive(Debug, Default)]
pub(super) struct Listening {
    /// Whether every write from now on will be heard of.
    pub(super) up: AtomicBool,
    /// Woken by each write to `revocations`.
    pub(super) revoked: Arc<Notify>,
}

/// Starts the listening task; it ends when the pool is closed.
pub(super) fn spawn(pool: PgPool, generation: Arc<AtomicU64>, state: Arc<Listening>) {
    tokio::spawn(async move {
        let mut pause = Duration::from_millis(50);
        while !pool.is_closed() {
            let e = listen(&pool, &generation, &state).await;
            state.up.store(false, Ordering::Release);
            generation.fetch_add(1, Ordering::Release);
            if pool.is_closed() {
                break;
            }
            tracing::warn!(error = %e, "lost PostgreSQL's write notifications: nothing is cached until they are back");
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(2));
        }
    });
}

/// Listens until the connection fails; answers why.
async fn listen(pool: &PgPool, generation: &AtomicU64, state: &Listening) -> sqlx::Error {
    let mut listener = match PgListener::connect_with(pool).await {
        Ok(l) => l,
        Err(e) => return e,
    };
    if let Err(e) = listener.listen(CHANNEL).await {
        return e;
    }
    // Whatever was remembered before may have missed writes.
    generation.fetch_add(1, Ordering::Release);
    state.up.store(true, Ordering::Release);
    tracing::info!("listening to PostgreSQL's write notifications: reads are cached");
    loop {
        match listener.try_recv().await {
            Ok(Some(n)) => {
                generation.fetch_add(1, Ordering::Release);
                if n.payload() == "revocations" {
                    state.revoked.notify_one();
                }
            }
            // The connection was lost; `try_recv` would reconnect unseen, missing
            // what was written meanwhile, so the caller starts over instead.
            Ok(None) => return sqlx::Error::Protocol("the listening connection was lost".into()),
            Err(e) => return e,
        }
    }
}
