//! A request's multipart form, read whole (under the body limit and a deadline) into typed
//! fields; a field this route does not take is refused by name, so a typo is not ignored.

use crate::error::ApiError;
use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{header, StatusCode};
use http_body_util::BodyExt;
use retouch_finish::Region;
use retouch_io::OutFormat;
use std::time::Duration;

/// The fields the routes take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Image,
    Instruction,
    Strength,
    Mask,
    Format,
    Quality,
    Edit,
    Size,
    Region,
}

impl Field {
    pub const ALL: [Field; 9] = [
        Field::Image,
        Field::Instruction,
        Field::Strength,
        Field::Mask,
        Field::Format,
        Field::Quality,
        Field::Edit,
        Field::Size,
        Field::Region,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Field::Image => "image",
            Field::Instruction => "instruction",
            Field::Strength => "strength",
            Field::Mask => "mask",
            Field::Format => "format",
            Field::Quality => "quality",
            Field::Edit => "edit",
            Field::Size => "size",
            Field::Region => "region",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// A form as the routes use it.
#[derive(Default)]
pub struct Form {
    pub image: Option<Vec<u8>>,
    pub instruction: Option<String>,
    pub strength: Option<f32>,
    pub mask: Option<Vec<u8>>,
    pub format: Option<OutFormat>,
    pub quality: Option<u8>,
    pub edit: Option<Vec<u8>>,
    pub size: Option<usize>,
    pub region: Option<Region>,
}

impl Form {
    pub fn image(&self) -> Result<&[u8], ApiError> {
        self.image
            .as_deref()
            .ok_or_else(|| ApiError::unprocessable("the field \"image\" (a photo file) is missing"))
    }

    pub fn strength(&self) -> f32 {
        self.strength.unwrap_or(1.0)
    }
}

fn text(name: &str, bytes: &[u8]) -> Result<String, ApiError> {
    String::from_utf8(bytes.to_vec())
        .map_err(|_| ApiError::unprocessable(format!("the field \"{name}\" is not UTF-8 text")))
}

fn number<T: std::str::FromStr>(name: &str, bytes: &[u8], what: &str) -> Result<T, ApiError> {
    let s = text(name, bytes)?;
    s.trim()
        .parse()
        .map_err(|_| ApiError::unprocessable(format!("\"{name}\" must be {what}, not \"{s}\"")))
}

fn parse_field(form: &mut Form, field: Field, bytes: Vec<u8>) -> Result<(), ApiError> {
    let name = field.name();
    match field {
        Field::Image => form.image = Some(bytes),
        Field::Mask => form.mask = Some(bytes),
        Field::Edit => form.edit = Some(bytes),
        Field::Instruction => form.instruction = Some(text(name, &bytes)?),
        Field::Strength => {
            let s: f32 = number(name, &bytes, "a number")?;
            if !s.is_finite() {
                return Err(ApiError::unprocessable(
                    "\"strength\" must be a finite number",
                ));
            }
            form.strength = Some(s);
        }
        Field::Format => {
            let s = text(name, &bytes)?;
            form.format = Some(OutFormat::from_name(s.trim()).ok_or_else(|| {
                ApiError::unprocessable(format!(
                    "\"format\" must be jpeg, png or tiff, not \"{s}\""
                ))
            })?);
        }
        Field::Quality => {
            let q: u8 = number(name, &bytes, "a whole number from 1 to 100")?;
            if !(1..=100).contains(&q) {
                return Err(ApiError::unprocessable(format!(
                    "\"quality\" must be from 1 to 100, not {q}"
                )));
            }
            form.quality = Some(q);
        }
        Field::Size => form.size = Some(number(name, &bytes, "a whole number")?),
        Field::Region => {
            let s = text(name, &bytes)?;
            let s = s.trim();
            // Empty or "photo": the whole photo.
            if !(s.is_empty() || s == "photo" || s == "whole") {
                let names: Vec<&str> = Region::ALL.iter().map(|r| r.name()).collect();
                form.region = Some(s.parse().map_err(|_| {
                    ApiError::unprocessable(format!(
                        "\"region\" must be one of {}, not \"{s}\"",
                        names.join(", ")
                    ))
                })?);
            }
        }
    }
    Ok(())
}

async fn read_all(mut mp: Multipart, allowed: &[Field]) -> Result<Form, ApiError> {
    let mut form = Form::default();
    let mut seen = Vec::new();
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                return Err(ApiError::bad_request(format!(
                    "cannot read the form: {}",
                    e.body_text()
                )))
            }
        };
        let name = field.name().unwrap_or_default().to_string();
        let known = Field::from_name(&name).filter(|f| allowed.contains(f));
        let Some(f) = known else {
            let names: Vec<&str> = allowed.iter().map(|f| f.name()).collect();
            let what = if Field::from_name(&name).is_some() {
                format!("the field \"{name}\" does not apply to this route")
            } else {
                format!("unknown field \"{name}\"")
            };
            return Err(ApiError::unprocessable(format!(
                "{what}; this route takes {}",
                names.join(", ")
            )));
        };
        if seen.contains(&f) {
            return Err(ApiError::unprocessable(format!(
                "the field \"{name}\" is given twice"
            )));
        }
        seen.push(f);
        let bytes = field.bytes().await.map_err(|e| {
            ApiError::bad_request(format!("cannot read the form: {}", e.body_text()))
        })?;
        parse_field(&mut form, f, bytes.to_vec())?;
    }
    Ok(form)
}

/// Longest a refused request's body is read and thrown away, so that its client, still
/// sending, gets the answer instead of a broken connection.
const DRAIN_TIME: Duration = Duration::from_secs(5);
const DRAIN_BYTES: usize = 1 << 30;

/// Read and discard what is left of a body, for a little while.
pub async fn drain(body: Body) {
    let mut body = body;
    let mut n = 0usize;
    let _ = tokio::time::timeout(DRAIN_TIME, async {
        while let Some(Ok(frame)) = body.frame().await {
            n += frame.data_ref().map_or(0, |d| d.len());
            if n > DRAIN_BYTES {
                break;
            }
        }
    })
    .await;
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "the request body is over the server's limit",
    )
}

/// The whole body, at most `limit` bytes, within `deadline`.
async fn collect(body: Body, limit: usize, deadline: Duration) -> Result<Vec<u8>, ApiError> {
    let mut body = body;
    let mut out = Vec::new();
    let read = async {
        while let Some(frame) = body.frame().await {
            let frame =
                frame.map_err(|e| ApiError::bad_request(format!("cannot read the body: {e}")))?;
            if let Some(d) = frame.data_ref() {
                if out.len() + d.len() > limit {
                    return Err(too_large());
                }
                out.extend_from_slice(d);
            }
        }
        Ok(())
    };
    match tokio::time::timeout(deadline, read).await {
        Err(_) => Err(ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "the request body did not arrive within {} s",
                deadline.as_secs_f32()
            ),
        )),
        Ok(Err(e)) => {
            if e.status == StatusCode::PAYLOAD_TOO_LARGE {
                drain(body).await;
            }
            Err(e)
        }
        Ok(Ok(())) => Ok(out),
    }
}

/// Read the form of a request: refuses what is not `multipart/form-data` (415), a body over
/// `limit` bytes (413), one that takes longer than `deadline` to arrive (408) and fields the
/// route does not take (422). An empty body is an empty form.
pub async fn read(
    req: Request,
    allowed: &[Field],
    limit: usize,
    deadline: Duration,
) -> Result<Form, ApiError> {
    let (parts, body) = req.into_parts();
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        });
    if !is_form {
        drain(body).await;
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send a multipart/form-data body (fields: image, instruction, ...)",
        ));
    }
    let announced = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > limit as u64) {
        drain(body).await;
        return Err(too_large());
    }
    let bytes = collect(body, limit, deadline).await?;
    if bytes.is_empty() {
        return Ok(Form::default());
    }
    let req = Request::from_parts(parts, Body::from(bytes));
    let mp = Multipart::from_request(req, &())
        .await
        .map_err(|r| ApiError::bad_request(format!("cannot read the form: {}", r.body_text())))?;
    read_all(mp, allowed).await
}
