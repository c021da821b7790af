//! Serving the application over TCP with the limits a hostile client meets:
//!
//! - a **header-read timeout**: a request's headers must arrive whole within it (a client that
//!   sends one header line a second is closed); it also ends a kept-alive connection that
//!   sends no next request;
//! - an **idle timeout**: a connection on which nothing is read or written for that long is
//!   closed (a client that stops reading its answer, or stops sending its body);
//! - a **connection cap**: beyond it, new connections wait in the listen queue of the kernel
//!   (they take no file descriptor of the service) until one ends;
//! - a **lingering close**: after the last answer the sending side is shut and what the client
//!   still sends is drained (bounded), so that a 413 answered before the body was read reaches
//!   a client that is still sending, instead of a reset; such an answer says `Connection:
//!   close` ([`request_body`]), so that no client sends its next request on it.
//!
//! On shutdown it stops accepting, lets every connection finish its request, and returns when
//! all have ended.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::time::{Instant, Sleep};
use tower::ServiceExt;

use crate::config::HttpConfig;

mod request_body;

use request_body::WatchedBody;

/// The limits of connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionLimits {
    pub header_read_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_connections: usize,
}

impl From<&HttpConfig> for ConnectionLimits {
    fn from(http: &HttpConfig) -> Self {
        ConnectionLimits {
            header_read_timeout: Duration::from_secs(http.header_read_timeout_secs),
            idle_timeout: Duration::from_secs(http.idle_timeout_secs),
            max_connections: http.max_connections,
        }
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then until every connection has
/// finished. Each request carries the client's address (`ConnectInfo<SocketAddr>`).
pub async fn serve_connections(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send,
) {
    let max = limits.max_connections.clamp(1, Semaphore::MAX_PERMITS);
    let permits = Arc::new(Semaphore::new(max));
    let (stop, stopping) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        // The cap: no accept without a free place.
        let permit = tokio::select! {
            () = &mut shutdown => break,
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
        };
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, remote)) => {
                tokio::spawn(serve_one(
                    stream,
                    remote,
                    app.clone(),
                    limits,
                    permit,
                    stopping.clone(),
                ));
            }
            Err(e) => {
                // Out of file descriptors, for instance: wait a little rather than spin.
                tracing::warn!(error = %e, "a connection could not be accepted");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    drop(listener);
    let _ = stop.send(true);
    // Each connection holds its permit until it ends.
    let _all = permits.acquire_many(max as u32).await;
}

/// Serves one connection; `_permit` is its place under the cap.
async fn serve_one(
    stream: TcpStream,
    remote: SocketAddr,
    app: Router,
    limits: ConnectionLimits,
    _permit: OwnedSemaphorePermit,
    mut stopping: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let io = TokioIo::new(IdleTimeout::new(stream, limits.idle_timeout));
    let service = tower::service_fn(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(remote));
        let (parts, body) = request.into_parts();
        let (body, read_to_end) = WatchedBody::new(body);
        let answer = app
            .clone()
            .oneshot(Request::from_parts(parts, Body::new(body)));
        // Boxed: `poll_without_shutdown` needs a future that can move.
        Box::pin(async move {
            let mut response = answer.await?;
            read_to_end.close_unless_read(&mut response);
            Ok::<_, std::convert::Infallible>(response)
        })
    });
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let mut connection = builder.serve_connection(io, TowerToHyperService::new(service));
    let mut shutting_down = false;
    let ended = loop {
        tokio::select! {
            result = std::future::poll_fn(|cx| connection.poll_without_shutdown(cx)) => break result,
            changed = stopping.changed(), if !shutting_down => {
                shutting_down = true;
                if changed.is_ok() {
                    Pin::new(&mut connection).graceful_shutdown();
                }
            }
        }
    };
    match ended {
        Ok(()) => linger(connection.into_parts().io.into_inner()).await,
        Err(e) => tracing::debug!(error = %e, "connection closed"),
    }
}

/// How long a connection is drained after its last answer.
const LINGER: Duration = Duration::from_secs(2);
/// How much of a request's rest is read and thrown away after its answer, at most.
const LINGER_BYTES: u64 = 64 * 1024 * 1024;

/// Closes a connection whose exchange has ended the way a lingering close does: the answer is
/// already written; the sending side is shut (the client reads the end after the answer), then
/// what the client still sends (the rest of a body refused with 413 before it was read) is read
/// and thrown away, for at most [`LINGER`] and [`LINGER_BYTES`]. Closing with unread bytes
/// instead makes the kernel answer with a reset, which destroys the answer the client has not
/// read yet.
async fn linger(mut stream: IdleTimeout) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    if stream.shutdown().await.is_err() {
        return;
    }
    let mut rest = stream.take(LINGER_BYTES);
    let mut sink = tokio::io::sink();
    let _ = tokio::time::timeout(LINGER, tokio::io::copy(&mut rest, &mut sink)).await;
}

/// A stream that fails with `TimedOut` when nothing was read or written on it for `idle`.
struct IdleTimeout {
    inner: TcpStream,
    idle: Duration,
    deadline: Pin<Box<Sleep>>,
}

impl IdleTimeout {
    fn new(inner: TcpStream, idle: Duration) -> Self {
        IdleTimeout {
            inner,
            idle,
            deadline: Box::pin(tokio::time::sleep(idle)),
        }
    }

    /// Something moved: the idle time starts again.
    fn moved(&mut self) {
        let next = Instant::now() + self.idle;
        self.deadline.as_mut().reset(next);
    }

    /// Nothing moved: an error once the idle time is up, else pending (woken at the deadline).
    fn waiting<T>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<T>> {
        match self.deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the connection was idle too long",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn progress<T>(
        &mut self,
        cx: &mut Context<'_>,
        poll: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        match poll {
            Poll::Ready(result) => {
                self.moved();
                Poll::Ready(result)
            }
            Poll::Pending => self.waiting(cx),
        }
    }
}

impl AsyncRead for IdleTimeout {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_read(cx, buf);
        this.progress(cx, poll)
    }
}

impl AsyncWrite for IdleTimeout {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.progress(cx, poll)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_flush(cx);
        this.progress(cx, poll)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.progress(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}
