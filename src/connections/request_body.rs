//! A request body that tells whether it was read to its end. When the answer is ready and the
//! body was not (a 413 answered from the `Content-Length`, a refusal before the body was
//! looked at), the rest of the body is still on the connection: it cannot carry a next request,
//! so the answer says `Connection: close` and the connection ends after it. Without the
//! header, hyper decides to close only once the unread body is dropped — sometimes after the
//! answer's head is written — and a client that kept the connection for its next request got
//! it closed under that request.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use axum::body::{Bytes, HttpBody};
use axum::http::header::CONNECTION;
use axum::http::{HeaderValue, Response};
use hyper::body::{Frame, Incoming, SizeHint};

/// A request's body, watched.
pub struct WatchedBody {
    inner: Incoming,
    read_whole: Arc<AtomicBool>,
}

/// Whether the body of one request was read to its end.
pub struct ReadToEnd(Arc<AtomicBool>);

impl WatchedBody {
    pub fn new(inner: Incoming) -> (Self, ReadToEnd) {
        let read_whole = Arc::new(AtomicBool::new(inner.is_end_stream()));
        let watched = WatchedBody {
            inner,
            read_whole: read_whole.clone(),
        };
        (watched, ReadToEnd(read_whole))
    }
}

impl ReadToEnd {
    /// Marks `response` as the connection's last when the request's body was not read whole.
    pub fn close_unless_read<B>(&self, response: &mut Response<B>) {
        if !self.0.load(Ordering::Acquire) {
            response
                .headers_mut()
                .insert(CONNECTION, HeaderValue::from_static("close"));
        }
    }
}

impl HttpBody for WatchedBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        let ended = match &polled {
            Poll::Ready(None) => true,
            Poll::Ready(Some(Ok(_))) => self.inner.is_end_stream(),
            _ => false,
        };
        if ended {
            self.read_whole.store(true, Ordering::Release);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
