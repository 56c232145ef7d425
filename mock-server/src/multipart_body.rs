//! `multipart/form-data` request bodies as name/value pairs, for validation against the body's schema like
//! a form: a text part is its text, a file part stands for the file (`<file photo.png, 1234 bytes>`), so a
//! `format: binary` property is present without its bytes being kept in the state or the journal's
//! entity copies.

use std::convert::Infallible;

use bytes::Bytes;

/// The parts of a request's body when it is a multipart body the operation takes (read before validation,
/// which is synchronous); none for any other body.
pub(crate) async fn of_request(
    op: &crate::contract::Operation,
    headers: &axum::http::HeaderMap,
    body: &[u8],
) -> Option<Result<Vec<(String, String)>, String>> {
    use crate::contract::BodyMedia;
    let takes = op
        .body
        .as_ref()
        .is_some_and(|b| b.media.contains(&BodyMedia::Multipart));
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)?
        .to_str()
        .ok()?;
    if !takes || BodyMedia::of(content_type) != Some(BodyMedia::Multipart) {
        return None;
    }
    Some(parts(Bytes::copy_from_slice(body), content_type).await)
}

/// The parts of a multipart body, in order; the error says why it cannot be read.
pub(crate) async fn parts(
    body: Bytes,
    content_type: &str,
) -> Result<Vec<(String, String)>, String> {
    let boundary = multer::parse_boundary(content_type)
        .map_err(|e| format!("the multipart body's Content-Type has no boundary: {e}"))?;
    let stream = futures_util::stream::once(async move { Ok::<Bytes, Infallible>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut parts = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return Err(format!("the multipart body is malformed: {e}")),
        };
        let name = field.name().unwrap_or_default().to_owned();
        let file = field.file_name().map(str::to_owned);
        let data = field
            .bytes()
            .await
            .map_err(|e| format!("the multipart body is malformed: {e}"))?;
        let value = match file {
            Some(file) => format!("<file {file}, {} bytes>", data.len()),
            None => String::from_utf8_lossy(&data).into_owned(),
        };
        parts.push((name, value));
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn text_and_file_parts_become_pairs() {
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nRex\r\n\
                    --XyZ\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"rex.png\"\r\n\
                    Content-Type: image/png\r\n\r\n\x01\x02\x03\r\n--XyZ--\r\n";
        let parts = parts(Bytes::from(body), "multipart/form-data; boundary=XyZ")
            .await
            .unwrap();
        assert_eq!(
            parts,
            [
                ("name".to_owned(), "Rex".to_owned()),
                ("photo".to_owned(), "<file rex.png, 3 bytes>".to_owned())
            ]
        );
        assert!(parts_of_garbage().await.is_err());
    }

    async fn parts_of_garbage() -> Result<Vec<(String, String)>, String> {
        parts(Bytes::from("no boundary here"), "multipart/form-data").await
    }
}
