//! Accepting connections, with the limits `axum::serve` does not set: a connection with no request in
//! progress — one that has sent nothing, a half-sent request's headers, an idle kept-alive connection — is
//! closed once it has been so for the header timeout, so such connections cannot pile up (slowloris); accept
//! errors (out of file descriptors) slow the loop down instead of ending it; and a shutdown waits a bounded
//! grace for open requests, then closes what is left.
//!
//! The timeout is kept per connection by a watchdog that reads two counters the requests update, rather than
//! by hyper's header-read timer, which re-arms a timer on every request (5% of the throughput here).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// The time limits of a connection.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// How long a connection may go without a request in progress: before its first request's headers are
    /// complete, and between requests.
    pub(crate) header_read: Duration,
    /// How long shutdown waits for open requests before closing their connections.
    pub(crate) shutdown_grace: Duration,
}

/// Serves `app` on `listener` until `stop` resolves; then lets open requests finish for the grace and closes
/// every connection still open.
pub(crate) async fn serve(
    listener: TcpListener,
    app: crate::app::App,
    limits: Limits,
    stop: impl Future<Output = ()>,
) {
    let mut builder = Builder::new(TokioExecutor::new());
    // A request that arrived whole is answered even when its client hangs up right after sending it:
    // hyper would otherwise drop it on the end of the stream, half-done (a reset, a write).
    builder.http1().half_close(true);
    let graceful = GracefulShutdown::new();
    // Turns true when the grace is over: every connection still open ends.
    let (close, closing) = watch::channel(false);
    let mut stop = std::pin::pin!(stop);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut stop => break,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors, or a connection reset before it was accepted: the server
                // must go on; a short pause lets descriptors free up instead of spinning.
                tracing::warn!(error = %e, "could not accept a connection");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let activity = Arc::new(Activity::new());
        let service = Counted {
            inner: TowerToHyperService::new(app.clone()),
            activity: activity.clone(),
        };
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), service)
            .into_owned();
        let connection = graceful.watch(connection);
        let mut closing = closing.clone();
        let timeout = limits.header_read;
        tokio::spawn(async move {
            let mut connection = std::pin::pin!(connection);
            loop {
                // Until the connection has been without a request for the timeout.
                let wait = match activity.idle_for() {
                    Some(idle) if idle >= timeout => break,
                    Some(idle) => timeout - idle,
                    None => timeout,
                };
                tokio::select! {
                    _ = &mut connection => break,
                    () = tokio::time::sleep(wait) => {}
                    _ = closing.wait_for(|closed| *closed) => break,
                }
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(limits.shutdown_grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            grace = ?limits.shutdown_grace,
            "closing the connections still open after the shutdown grace"
        );
    }
    let _ = close.send(true);
}

/// A connection's requests in progress, and since when it has had none.
struct Activity {
    opened: Instant,
    in_progress: AtomicUsize,
    /// Milliseconds after `opened`.
    idle_since: AtomicU64,
}

impl Activity {
    fn new() -> Activity {
        Activity {
            opened: Instant::now(),
            in_progress: AtomicUsize::new(0),
            idle_since: AtomicU64::new(0),
        }
    }

    /// How long it has been without a request in progress; none while one is.
    fn idle_for(&self) -> Option<Duration> {
        if self.in_progress.load(Ordering::Acquire) > 0 {
            return None;
        }
        let since = Duration::from_millis(self.idle_since.load(Ordering::Acquire));
        Some(self.opened.elapsed().saturating_sub(since))
    }
}

/// A request in progress; its end starts the connection's idle time.
struct InProgress(Arc<Activity>);

impl Drop for InProgress {
    fn drop(&mut self) {
        let now = u64::try_from(self.0.opened.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.0.idle_since.store(now, Ordering::Release);
        self.0.in_progress.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The app, counting the requests in progress on its connection.
#[derive(Clone)]
struct Counted<S> {
    inner: S,
    activity: Arc<Activity>,
}

impl<S> hyper::service::Service<hyper::Request<Incoming>> for Counted<S>
where
    S: hyper::service::Service<hyper::Request<Incoming>>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn call(&self, request: hyper::Request<Incoming>) -> Self::Future {
        self.activity.in_progress.fetch_add(1, Ordering::AcqRel);
        let in_progress = InProgress(self.activity.clone());
        let response = self.inner.call(request);
        Box::pin(async move {
            let response = response.await;
            drop(in_progress);
            response
        })
    }
}

/// Raises the soft limit of open files to the hard limit, so a crowd of idle clients does not lock everyone
/// out at 1,024 descriptors. Best effort; the limit in force is logged.
#[cfg(feature = "cli")]
pub fn raise_open_files_limit() {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => tracing::debug!(limit, "open files limit"),
        Err(e) => tracing::warn!(error = %e, "could not raise the open files limit"),
    }
}
