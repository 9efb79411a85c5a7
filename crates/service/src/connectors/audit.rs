//! [`AuditLog`]: the connector call log's writer. Calls are queued and written in
//! batches by one task, so that logging never adds a database write to a call's
//! latency. The log records who, which connector, when, status or error, duration
//! and bytes; never a secret, and no body unless configured.

use std::sync::Arc;

use sigil_store::{ApiCall, Store};
use tokio::sync::mpsc;

/// Connector calls on their way to the store. Calls are queued and written in
/// batches by one task, so that logging never adds a database write to a call's
/// latency; a full queue drops the record with a warning rather than slow calls down.
pub struct AuditLog {
    tx: mpsc::Sender<ApiCall>,
    /// Recorded and not yet written (or failed).
    pending: Arc<std::sync::atomic::AtomicUsize>,
}

impl AuditLog {
    const QUEUE: usize = 65_536;
    const BATCH: usize = 512;
    const GATHER: std::time::Duration = std::time::Duration::from_millis(20);

    pub fn spawn(store: Arc<dyn Store>) -> Self {
        let (tx, mut rx) = mpsc::channel::<ApiCall>(Self::QUEUE);
        let pending = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let done = pending.clone();
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(Self::BATCH);
            while rx.recv_many(&mut batch, Self::BATCH).await > 0 {
                // Under load, gather for a moment: one transaction for many calls costs
                // the writer far less than one for each handful.
                let until = tokio::time::Instant::now() + Self::GATHER;
                while batch.len() < Self::BATCH {
                    let room = Self::BATCH - batch.len();
                    match tokio::time::timeout_at(until, rx.recv_many(&mut batch, room)).await {
                        Ok(n) if n > 0 => continue,
                        _ => break,
                    }
                }
                if let Err(e) = store.insert_api_calls(&batch).await {
                    tracing::error!(error = %e, calls = batch.len(), "cannot write the call log");
                }
                done.fetch_sub(batch.len(), std::sync::atomic::Ordering::AcqRel);
                batch.clear();
            }
        });
        AuditLog { tx, pending }
    }

    pub fn record(&self, call: ApiCall) {
        self.pending
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        if let Err(e) = self.tx.try_send(call) {
            self.pending
                .fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
            tracing::warn!(error = %e, "the call log queue is full; a call went unrecorded");
        }
    }

    /// Waits until everything recorded so far is written (tests, shutdown).
    pub async fn flush(&self) {
        while self.pending.load(std::sync::atomic::Ordering::Acquire) > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
    }
}
