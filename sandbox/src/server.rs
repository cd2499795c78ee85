//! The HTTP host: serves a [`Sandbox`] on 127.0.0.1 with hyper on tokio.

use crate::{Delivery, MAX_BODY_BYTES, Request, Sandbox};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, combinators::BoxBody};
use hyper::body::{Body, Frame, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::net::TcpListener;

type Reply = hyper::Response<BoxBody<Bytes, std::io::Error>>;

/// Milliseconds since the Unix epoch, from the system clock.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Binds 127.0.0.1:`port` (0 picks a free port).
pub async fn bind(port: u16) -> std::io::Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let address = listener.local_addr()?;
    Ok((listener, address))
}

/// Serves `sandbox` on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener, sandbox: Arc<Mutex<Sandbox>>) -> std::io::Result<()> {
    loop {
        let (stream, _) = listener.accept().await?;
        let sandbox = Arc::clone(&sandbox);
        tokio::spawn(async move {
            let service = service_fn(move |request| answer(Arc::clone(&sandbox), request));
            // A dropped connection (fault injection) ends here as an error: nothing to report.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// Error returned to hyper to close a connection without answering.
#[derive(Debug)]
struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for DropConnection {}

async fn answer(
    sandbox: Arc<Mutex<Sandbox>>,
    request: hyper::Request<Incoming>,
) -> Result<Reply, DropConnection> {
    let (parts, mut body) = request.into_parts();
    let announced = parts
        .headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    // A body over the limit is read to its end and thrown away as it comes (never kept), so
    // that the client, still sending, gets the 413 instead of a broken pipe.
    let mut over = announced.is_some_and(|length| length > MAX_BODY_BYTES as u64);
    let mut bytes = Vec::new();
    while let Some(Ok(frame)) = body.frame().await {
        if let Ok(data) = frame.into_data() {
            over = over || bytes.len() + data.len() > MAX_BODY_BYTES;
            match over {
                true => bytes = Vec::new(),
                false => bytes.extend_from_slice(&data),
            }
        }
    }
    if over {
        return reply(Sandbox::too_large());
    }
    let core_request = Request {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().unwrap_or_default().to_owned(),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: bytes,
    };
    let response = match sandbox.lock() {
        Ok(mut sandbox) => sandbox.handle(core_request, now_ms()),
        Err(_) => crate::Response::text(500, "the sandbox state is poisoned; restart it"),
    };
    if response.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(response.delay_ms)).await;
    }
    reply(response)
}

/// The hyper response for a core response: whole, dropped or truncated.
fn reply(response: crate::Response) -> Result<Reply, DropConnection> {
    let full_length = response.body.len();
    let body: BoxBody<Bytes, std::io::Error> = match response.delivery {
        Delivery::Drop => return Err(DropConnection),
        Delivery::Whole => Full::new(Bytes::from(response.body))
            .map_err(|never: Infallible| match never {})
            .boxed(),
        Delivery::Truncate => {
            let half = Bytes::from(response.body).slice(..full_length / 2);
            Truncated {
                data: Some(half),
                yielded: false,
            }
            .boxed()
        }
    };
    let mut builder = hyper::Response::builder().status(response.status);
    for (name, value) in &response.headers {
        builder = builder.header(name, value);
    }
    if response.delivery == Delivery::Truncate {
        builder = builder.header("content-length", full_length.to_string());
    }
    builder.body(body).map_err(|_| DropConnection)
}

/// A body that sends its bytes, then fails: the client sees a truncated reply. It yields once
/// between the two so that hyper flushes the head and the bytes before aborting.
struct Truncated {
    data: Option<Bytes>,
    yielded: bool,
}

impl Body for Truncated {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if let Some(bytes) = self.data.take() {
            return Poll::Ready(Some(Ok(Frame::data(bytes))));
        }
        if !self.yielded {
            self.yielded = true;
            context.waker().wake_by_ref();
            return Poll::Pending;
        }
        Poll::Ready(Some(Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "truncated by fault injection",
        ))))
    }
}
