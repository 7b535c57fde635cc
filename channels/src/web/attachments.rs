//! `GET /api/attachments/{id}`: the bytes of a file a tool call produced,
//! for the identity the call ran for or an admin. Anyone else gets the same
//! 404 as for an unknown id, so ids cannot be probed.

use std::sync::Arc;

use axum::Extension;
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tools::{Identity, Role};

use agent::store::{AttachmentId, AttachmentRecord};

use super::error::ApiError;
use super::state::WebState;

/// Served when the stored media type is not a valid header value.
const FALLBACK_MEDIA_TYPE: &str = "application/octet-stream";

/// Answers the file with `Content-Type`, `Content-Disposition: attachment`
/// and `Content-Length`. The caller is the [`Identity`] the authentication
/// layer put in the request's extensions, else the local operator (the
/// single API key acts as the operator).
pub(crate) async fn download(
    State(state): State<Arc<WebState>>,
    caller: Option<Extension<Identity>>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let Path(raw) = path?;
    let id: AttachmentId = raw
        .parse()
        .map_err(|_| ApiError::InvalidAttachmentId(raw))?;
    let caller = caller.map_or_else(Identity::local_operator, |Extension(identity)| identity);
    let file = state
        .runtime
        .store()
        .attachments()
        .attachment(id)
        .await?
        .filter(|file| may_download(&caller, &file.record))
        .ok_or(ApiError::AttachmentNotFound(id.to_string()))?;
    let media_type = HeaderValue::from_str(&file.record.media_type)
        .unwrap_or(HeaderValue::from_static(FALLBACK_MEDIA_TYPE));
    let disposition = HeaderValue::from_str(&content_disposition(&file.record.file_name))
        .unwrap_or(HeaderValue::from_static("attachment"));
    let length = file.bytes.len();
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, media_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CONTENT_LENGTH, HeaderValue::from(length)),
            // The declared type is the one to use; a browser must not guess
            // (a CSV sniffed as HTML would run in the API's origin).
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("private")),
        ],
        Body::from(file.bytes),
    )
        .into_response())
}

/// The identity a file was made for, and admins, may download it.
pub(crate) fn may_download(caller: &Identity, file: &AttachmentRecord) -> bool {
    caller.id.0 == file.owner || caller.roles.contains(&Role::Admin)
}

/// `attachment` with the file name as RFC 6266 wants it: a quoted ASCII
/// `filename` for old clients (characters it cannot carry become `_`) and a
/// `filename*` in UTF-8, percent-encoded per RFC 8187, which current clients
/// prefer.
pub(crate) fn content_disposition(file_name: &str) -> String {
    let fallback: String = file_name
        .chars()
        .map(|c| match c {
            // Quote and backslash would need escaping inside the quoted
            // string, and slashes would read as folders when saved.
            '"' | '\\' | '/' => '_',
            ' '..='~' => c,
            _ => '_',
        })
        .collect();
    let mut encoded = String::with_capacity(file_name.len());
    for byte in file_name.bytes() {
        if is_attr_char(byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// RFC 8187 `attr-char`: what a `filename*` value may carry unencoded.
fn is_attr_char(byte: u8) -> bool {
    byte.is_ascii_alphanumeric()
        || matches!(
            byte,
            b'!' | b'#' | b'$' | b'&' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~'
        )
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use pretty_assertions::assert_eq;
    use tools::IdentityId;

    use agent::store::{ThreadId, TurnId};

    use super::*;

    #[test]
    fn a_plain_name_is_the_same_in_both_parameters() {
        assert_eq!(
            content_disposition("aged-receivables_2026-11.csv"),
            "attachment; filename=\"aged-receivables_2026-11.csv\"; \
             filename*=UTF-8''aged-receivables_2026-11.csv"
        );
    }

    #[test]
    fn spaces_quotes_and_non_ascii_are_replaced_in_the_fallback_and_encoded_in_utf8() {
        assert_eq!(
            content_disposition("Créances \"Q4\" a/b.xlsx"),
            "attachment; filename=\"Cr_ances _Q4_ a_b.xlsx\"; \
             filename*=UTF-8''Cr%C3%A9ances%20%22Q4%22%20a%2Fb.xlsx"
        );
    }

    #[test]
    fn control_characters_cannot_break_the_header() {
        let value = content_disposition("a\r\nSet-Cookie: x=1.csv");
        assert!(HeaderValue::from_str(&value).is_ok(), "{value}");
        assert_eq!(
            value,
            "attachment; filename=\"a__Set-Cookie: x=1.csv\"; \
             filename*=UTF-8''a%0D%0ASet-Cookie%3A%20x%3D1.csv"
        );
    }

    fn file_of(owner: &str) -> AttachmentRecord {
        AttachmentRecord {
            id: AttachmentId::new(),
            owner: owner.to_owned(),
            thread_id: ThreadId::new(),
            turn_id: TurnId::new(),
            call_id: "call_1".to_owned(),
            ordinal: 0,
            file_name: "report.csv".to_owned(),
            media_type: "text/csv; charset=utf-8".to_owned(),
            size: 3,
            sha256: String::new(),
            created_at: Utc::now(),
        }
    }

    fn person(id: &str, roles: Vec<Role>) -> Identity {
        Identity {
            id: IdentityId(id.to_owned()),
            display_name: id.to_owned(),
            roles,
        }
    }

    #[test]
    fn only_the_owner_and_admins_may_download() {
        let file = file_of("slack:U1");
        assert!(may_download(&person("slack:U1", vec![Role::Sales]), &file));
        assert!(may_download(&person("slack:U9", vec![Role::Admin]), &file));
        assert!(!may_download(
            &person("slack:U2", vec![Role::Finance, Role::Sales]),
            &file
        ));
    }
}
