//! Serving connections with bounds on what each may cost: a request's headers must
//! arrive within `header_read_timeout` (hyper's timer, which also runs while a
//! kept-alive connection waits for its next request), a connection with nothing in
//! flight and no bytes moving for `idle_timeout` is closed, and at most
//! `max_connections` are served at once (the rest wait in the listen backlog). The
//! body-read timeout is a tower layer in [`crate::app`]. On shutdown, connections
//! finish the requests they are serving and close.
//!
//! `axum::serve` has none of these bounds: a client that sends half its headers, or
//! none, would hold a task, a buffer and a file descriptor for ever.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tokio::time::Instant;
use tokio_util::task::TaskTracker;

/// The bounds, from the `http` section of the configuration.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub header_read_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_connections: usize,
}

impl Limits {
    pub fn of(c: &sigil_service::config::HttpConfig) -> Self {
        Limits {
            header_read_timeout: Duration::from_secs(c.header_read_timeout_secs),
            idle_timeout: Duration::from_secs(c.idle_timeout_secs),
            max_connections: c.max_connections,
        }
    }
}

/// What a connection's watchdog reads: when bytes last moved, and how many requests
/// are being answered.
#[derive(Default)]
struct Activity {
    /// Milliseconds since `origin`.
    last_ms: AtomicU64,
    in_flight: AtomicUsize,
    /// Requests begun on the connection.
    requests: AtomicUsize,
}

impl Activity {
    fn touch(&self, origin: Instant) {
        let ms = origin.elapsed().as_millis() as u64;
        self.last_ms.store(ms, Ordering::Relaxed);
    }
}

/// A stream that notes when bytes move through it.
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
    origin: Instant,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch(self.origin);
        }
        r
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch(self.origin);
        }
        r
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch(self.origin);
        }
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// Counts a request in flight until dropped (the response has been produced).
struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets connections finish
/// what they are answering.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let (closing_tx, closing_rx) = watch::channel(false);
    let tracker = TaskTracker::new();
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = &mut shutdown => break,
        };
        let stream = tokio::select! {
            r = listener.accept() => match r {
                Ok((s, _)) => s,
                Err(e) => {
                    // Out of file descriptors, most likely: wait rather than spin.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let closing = closing_rx.clone();
        tracker.spawn(async move {
            connection(stream, app, limits, closing).await;
            drop(permit);
        });
    }
    let _ = closing_tx.send(true);
    tracker.close();
    tracker.wait().await;
}

async fn connection(
    stream: TcpStream,
    app: Router,
    limits: Limits,
    mut closing: watch::Receiver<bool>,
) {
    let origin = Instant::now();
    let activity = Arc::new(Activity::default());
    let io = TokioIo::new(Watched {
        inner: stream,
        activity: activity.clone(),
        origin,
    });
    let counted = activity.clone();
    let svc = tower::service_fn(move |req: axum::extract::Request<hyper::body::Incoming>| {
        counted.in_flight.fetch_add(1, Ordering::Relaxed);
        counted.requests.fetch_add(1, Ordering::Relaxed);
        let guard = InFlight(counted.clone());
        let mut app = app.clone();
        async move {
            let res = tower::Service::call(&mut app, req.map(axum::body::Body::new)).await;
            drop(guard);
            res
        }
    });
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(Some(limits.idle_timeout));
    let conn = builder.serve_connection_with_upgrades(io, TowerToHyperService::new(svc));
    tokio::pin!(conn);
    let mut shutting_down = false;
    let mut deadline = origin + limits.idle_timeout;
    // hyper's header timer starts once it knows the protocol; a client that sends
    // nothing at all never gets that far, so the first request is watched here.
    let first_request_by = origin + limits.header_read_timeout;
    let mut first_checked = false;
    loop {
        tokio::select! {
            _ = tokio::time::sleep_until(first_request_by), if !first_checked => {
                first_checked = true;
                if activity.requests.load(Ordering::Relaxed) == 0 {
                    tracing::debug!("closing a connection that sent no request in time");
                    return;
                }
            }
            r = conn.as_mut() => {
                if let Err(e) = r {
                    tracing::debug!(error = %e, "a connection ended with an error");
                }
                return;
            }
            _ = tokio::time::sleep_until(deadline), if !shutting_down => {
                let last = origin + Duration::from_millis(activity.last_ms.load(Ordering::Relaxed));
                let busy = activity.in_flight.load(Ordering::Relaxed) > 0;
                if !busy && last.elapsed() >= limits.idle_timeout {
                    tracing::debug!("closing an idle connection");
                    conn.as_mut().graceful_shutdown();
                    shutting_down = true;
                } else {
                    // A request being answered is not idleness: look again later.
                    let soonest = Instant::now() + (limits.idle_timeout / 4).max(Duration::from_millis(100));
                    deadline = (last + limits.idle_timeout).max(soonest);
                }
            }
            _ = closing.changed(), if !shutting_down => {
                conn.as_mut().graceful_shutdown();
                shutting_down = true;
            }
        }
    }
}
