//! `multipart/form-data` bodies (RFC 7578) for the platforms' file uploads
//! (Telegram `sendDocument`, WhatsApp `/media`). Written out by hand: a few
//! fields and one file do not need a streaming encoder.

use uuid::Uuid;

/// A form being written.
pub struct Form {
    boundary: String,
    body: Vec<u8>,
}

impl Default for Form {
    fn default() -> Self {
        Self {
            boundary: format!("odoo-agent-{}", Uuid::new_v4().simple()),
            body: Vec::new(),
        }
    }
}

impl Form {
    /// A text field.
    pub fn text(mut self, name: &str, value: &str) -> Self {
        self.head(name, None, None);
        self.body.extend_from_slice(value.as_bytes());
        self.body.extend_from_slice(b"\r\n");
        self
    }

    /// A file field.
    pub fn file(mut self, name: &str, file_name: &str, media_type: &str, bytes: &[u8]) -> Self {
        self.head(name, Some(file_name), Some(media_type));
        self.body.extend_from_slice(bytes);
        self.body.extend_from_slice(b"\r\n");
        self
    }

    /// The `Content-Type` header and the finished body.
    pub fn finish(mut self) -> (String, Vec<u8>) {
        self.body
            .extend_from_slice(format!("--{}--\r\n", self.boundary).as_bytes());
        (
            format!("multipart/form-data; boundary={}", self.boundary),
            self.body,
        )
    }

    fn head(&mut self, name: &str, file_name: Option<&str>, media_type: Option<&str>) {
        let mut head = format!(
            "--{}\r\nContent-Disposition: form-data; name=\"{}\"",
            self.boundary,
            quoted(name)
        );
        if let Some(file_name) = file_name {
            head.push_str(&format!("; filename=\"{}\"", quoted(file_name)));
        }
        head.push_str("\r\n");
        if let Some(media_type) = media_type {
            head.push_str(&format!("Content-Type: {}\r\n", quoted(media_type)));
        }
        head.push_str("\r\n");
        self.body.extend_from_slice(head.as_bytes());
    }
}

/// A header parameter value with the characters that would end it or the
/// header line replaced (file names come from tools, not from us).
fn quoted(value: &str) -> String {
    value
        .chars()
        .map(|c| match c {
            '"' | '\\' | '\r' | '\n' => '_',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_and_files_are_framed_by_the_boundary() {
        let (content_type, body) = Form::default()
            .text("chat_id", "42")
            .file("document", "a\"b.csv", "text/csv", b"x,y\n")
            .finish();
        let boundary = content_type
            .strip_prefix("multipart/form-data; boundary=")
            .unwrap_or_default()
            .to_owned();
        let body = String::from_utf8(body).unwrap_or_default();
        assert_eq!(
            body,
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"chat_id\"\r\n\r\n42\r\n\
                 --{boundary}\r\nContent-Disposition: form-data; name=\"document\"; \
                 filename=\"a_b.csv\"\r\nContent-Type: text/csv\r\n\r\nx,y\n\r\n--{boundary}--\r\n"
            )
        );
    }
}
