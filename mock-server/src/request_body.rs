//! Reading a request body within its limits: the size (past it: too large) and the time (past it: late).
//! A body past the size limit is read on and discarded up to a bound before the 413 is sent, as nginx's
//! lingering close does: a client that writes its whole body before reading (Python's urllib, many SDKs)
//! then reads the 413 instead of a broken pipe, and the connection stays usable.

use std::time::Duration;

use axum::body::Body;
use axum::body::HttpBody as _;
use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;
use tokio::time::{Instant, timeout_at};

/// How much of a too large body is read and discarded before answering.
const DRAIN_BYTES: usize = 32 * 1024 * 1024;
/// For how long at most.
const DRAIN_TIME: Duration = Duration::from_secs(5);

/// Why a body could not be read.
pub(crate) enum BodyError {
    /// Past the size limit.
    TooLarge,
    /// It broke HTTP's framing (a malformed chunk) or the client went away.
    Broken(axum::Error),
    /// It did not arrive within the time limit.
    Late,
}

/// The body, if it arrives whole within `limit` bytes and `time`.
pub(crate) async fn read(body: Body, limit: usize, time: Duration) -> Result<Bytes, BodyError> {
    // A request without a body (most reads): nothing to wait for, so no timer to set.
    if body.is_end_stream() {
        return Ok(Bytes::new());
    }
    let deadline = Instant::now() + time;
    let mut body = body;
    // Most bodies are one frame: kept as it came, copied only when a second one arrives.
    let mut first: Option<Bytes> = None;
    let mut rest = BytesMut::new();
    let mut length = 0usize;
    loop {
        let frame = match timeout_at(deadline, body.frame()).await {
            Err(_) => return Err(BodyError::Late),
            Ok(None) => break,
            Ok(Some(Err(e))) => return Err(BodyError::Broken(e)),
            Ok(Some(Ok(frame))) => frame,
        };
        let Ok(data) = frame.into_data() else {
            continue; // trailers
        };
        length += data.len();
        if length > limit {
            drain(body).await;
            return Err(BodyError::TooLarge);
        }
        match &first {
            None => first = Some(data),
            Some(kept) => {
                if rest.is_empty() {
                    rest.extend_from_slice(kept);
                }
                rest.extend_from_slice(&data);
            }
        }
    }
    Ok(if rest.is_empty() {
        first.unwrap_or_default()
    } else {
        rest.freeze()
    })
}

/// Reads and discards what is left of a body, up to the drain bounds.
async fn drain(mut body: Body) {
    let deadline = Instant::now() + DRAIN_TIME;
    let mut drained = 0usize;
    while drained < DRAIN_BYTES {
        match timeout_at(deadline, body.frame()).await {
            Ok(Some(Ok(frame))) => drained += frame.data_ref().map_or(0, Bytes::len),
            _ => return,
        }
    }
}
