//! Files going up ([`Upload`], a multipart file part) and coming down ([`Download`], and
//! [`JsonOrBinary`] for endpoints that answer either way). A leaf module.

use bytes::Bytes;

/// A file to upload as a multipart part.
#[derive(Clone, PartialEq, Eq)]
pub struct Upload {
    /// The file name sent to WeChat (WeChat checks the extension).
    pub filename: String,
    /// The content type; guessed from the extension when `None`.
    pub content_type: Option<String>,
    /// The bytes.
    pub bytes: Bytes,
}

impl Upload {
    /// A file from its name and bytes.
    pub fn new(filename: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        Upload { filename: filename.into(), content_type: None, bytes: bytes.into() }
    }

    /// Sets the content type.
    #[must_use]
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// The content type to send.
    pub fn mime(&self) -> &str {
        if let Some(c) = &self.content_type {
            return c;
        }
        let ext = self.filename.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
        match ext.as_str() {
            "jpg" | "jpeg" => "image/jpeg",
            "png" => "image/png",
            "gif" => "image/gif",
            "bmp" => "image/bmp",
            "mp3" => "audio/mpeg",
            "amr" => "audio/amr",
            "wma" => "audio/x-ms-wma",
            "wav" => "audio/wav",
            "speex" => "audio/speex",
            "mp4" => "video/mp4",
            _ => "application/octet-stream",
        }
    }
}

impl std::fmt::Debug for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upload")
            .field("filename", &self.filename)
            .field("content_type", &self.mime())
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// A file WeChat sent back.
#[derive(Clone, PartialEq, Eq)]
pub struct Download {
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The file name from `Content-Disposition`, if any.
    pub filename: Option<String>,
    /// The bytes.
    pub bytes: Bytes,
}

impl std::fmt::Debug for Download {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Download")
            .field("content_type", &self.content_type)
            .field("filename", &self.filename)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// An answer that is either a JSON document or a file (e.g. temporary media: videos come
/// back as JSON with a URL, images as bytes).
#[derive(Debug, Clone, PartialEq)]
pub enum JsonOrBinary<T> {
    /// A JSON document.
    Json(T),
    /// File bytes.
    Binary(Download),
}
