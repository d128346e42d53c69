//! Every failure as a JSON body `{"error": "..."}` with the status that says whose it is:
//! 400 a photo, instruction or edit file that cannot be used, 408 a body that came too slowly,
//! 413 too large, 415 not a supported type, 422 a field missing or out of range, 503 busy.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use retouch_io::IoError;
use retouch_service::ServiceError;

/// An error response.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    /// Seconds to wait before trying again (503).
    pub retry_after: Option<u32>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            retry_after: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn unprocessable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, message)
    }

    pub fn busy(retry_after: u32) -> Self {
        Self {
            retry_after: Some(retry_after),
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "the server is busy; try again shortly",
            )
        }
    }

    /// Our fault, not the request's.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.message }).to_string();
        let mut r = (
            self.status,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response();
        if let Some(s) = self.retry_after {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        r
    }
}

/// The status an image-reading failure gets.
fn io_status(e: &IoError) -> StatusCode {
    match e {
        IoError::UnknownFormat { .. } | IoError::UnsupportedFormat { .. } => {
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        }
        IoError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        IoError::Read { .. }
        | IoError::Decode { .. }
        | IoError::Damaged { .. }
        | IoError::Layout { .. }
        | IoError::Buffer { .. } => StatusCode::BAD_REQUEST,
        // The photo cannot be written as asked (alpha in a JPEG, too wide for JPEG).
        IoError::JpegAlpha { .. } | IoError::JpegSize { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        let status = match &e {
            ServiceError::Request(_) | ServiceError::EditFile(_) => StatusCode::BAD_REQUEST,
            ServiceError::Value(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ServiceError::Io(io) => io_status(io),
            ServiceError::Engine(retouch_engine::EngineError::LutSize { .. }) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            // A mask that cannot be used with this photo.
            ServiceError::Engine(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ServiceError::NotFound(_) | ServiceError::Model(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        Self::new(status, e.to_string())
    }
}
