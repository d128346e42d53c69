//! The API's handlers: each reads its form, waits for a worker, runs the service's operation
//! off the async threads and answers with the result or a JSON error.

use crate::error::ApiError;
use crate::form::{self, Field, Form};
use crate::openapi::{APPLY_FIELDS, EDIT_FIELDS, GRID_FIELDS, LUT_FIELDS, PREVIEW_FIELDS};
use crate::AppState;
use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine as _;
use retouch_engine::Mask;
use retouch_io::{OutFormat, Photo, WriteOptions};
use retouch_model::edit_file::EditFile;
use retouch_service::{apply, lut, Service};
use serde::Deserialize;
use serde_json::{json, Value};
use std::path::Path;
use std::sync::Arc;

/// The response header that carries the report (JSON, non-ASCII escaped).
pub const REPORT_HEADER: &str = "x-retouch-report";

#[derive(Deserialize, Default)]
pub struct ReportQuery {
    /// `1`: answer with JSON (the report, and the image in base64) instead of the image.
    #[serde(default)]
    report: Option<String>,
}

impl ReportQuery {
    fn wanted(&self) -> bool {
        matches!(self.report.as_deref(), Some("1" | "true" | "yes"))
    }
}

/// JSON as a header value: characters outside ASCII written as `\uXXXX` escapes (still the
/// same JSON).
fn ascii_json(v: &Value) -> String {
    let s = v.to_string();
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0u16; 2];
            for u in c.encode_utf16(&mut buf) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        }
    }
    out
}

/// Let a request in and read its form; a full server drains the body and answers 503.
async fn admit<'a>(
    st: &'a AppState,
    req: Request,
    fields: &[Field],
) -> Result<(crate::gate::Ticket<'a>, Form), ApiError> {
    let ticket = match st.gate.enter() {
        Ok(t) => t,
        Err(e) => {
            form::drain(req.into_body()).await;
            return Err(e);
        }
    };
    let form = form::read(req, fields, st.config.max_body, st.config.body_timeout).await?;
    Ok((ticket, form))
}

/// Run `job` on the blocking pool once a worker is free; a panic is a 500, not a crash.
async fn on_worker<T: Send + 'static>(
    st: &Arc<AppState>,
    job: impl FnOnce(&AppState) -> Result<T, ApiError> + Send + 'static,
    ticket: &crate::gate::Ticket<'_>,
) -> Result<T, ApiError> {
    let _permit = ticket.work().await?;
    let st = st.clone();
    tokio::task::spawn_blocking(move || job(&st))
        .await
        .map_err(|e| ApiError::internal(format!("the edit failed: {e}")))?
}

fn decode(st: &AppState, bytes: &[u8], name: &str) -> Result<Photo, ApiError> {
    Ok(retouch_io::decode(bytes, Path::new(name), &st.config.read)
        .map_err(retouch_service::ServiceError::from)?)
}

fn decode_mask(st: &AppState, form: &Form) -> Result<Option<Mask>, ApiError> {
    form.mask
        .as_deref()
        .map(|b| Ok(retouch_service::mask_from_photo(&decode(st, b, "mask")?)?))
        .transpose()
}

/// An encoded image and its format.
struct Encoded {
    bytes: Vec<u8>,
    format: OutFormat,
}

fn encode(
    st: &AppState,
    photo: &Photo,
    form: &Form,
    warnings: &mut Vec<String>,
) -> Result<Encoded, ApiError> {
    let format = form
        .format
        .unwrap_or_else(|| OutFormat::like_input(photo.format));
    let opts = WriteOptions {
        jpeg_quality: form.quality.unwrap_or(st.config.write.jpeg_quality),
        ..st.config.write.clone()
    };
    let name = format!("edited.{}", format.extension());
    let (bytes, w) = retouch_io::encode(photo, format, &opts, Path::new(&name))
        .map_err(retouch_service::ServiceError::from)?;
    warnings.extend(w);
    Ok(Encoded { bytes, format })
}

fn with_report(mut r: Response, report: &Value) -> Response {
    if let Ok(v) = HeaderValue::from_str(&ascii_json(report)) {
        r.headers_mut()
            .insert(HeaderName::from_static(REPORT_HEADER), v);
    }
    r
}

/// The image, with the report in its header, or both as JSON.
fn image_response(img: Encoded, report: Value, as_json: bool) -> Response {
    if as_json {
        let b64 = base64::engine::general_purpose::STANDARD.encode(&img.bytes);
        return Json(json!({
            "report": report,
            "content_type": img.format.mime(),
            "image_base64": b64,
        }))
        .into_response();
    }
    let r = (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, img.format.mime().to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"edited.{}\"", img.format.extension()),
            ),
        ],
        img.bytes,
    )
        .into_response();
    with_report(r, &report)
}

fn instruction(form: &Form) -> Result<&str, ApiError> {
    form.instruction
        .as_deref()
        .ok_or_else(|| ApiError::unprocessable("the field \"instruction\" is missing"))
}

/// Decode the photo while the instruction is read; then the model's edit of it.
fn understood_photo(
    svc: &Service,
    st: &AppState,
    form: &Form,
) -> Result<(Photo, retouch_service::Understood), ApiError> {
    let instruction = instruction(form)?;
    let image = form.image()?;
    let (photo, understood) = rayon::join(
        || decode(st, image, "image"),
        || svc.understand_in(instruction, form.region),
    );
    Ok((photo?, understood?))
}

pub async fn edit(
    State(st): State<Arc<AppState>>,
    Query(q): Query<ReportQuery>,
    req: Request,
) -> Result<Response, ApiError> {
    let (ticket, form) = admit(&st, req, EDIT_FIELDS).await?;
    let (img, report) = on_worker(
        &st,
        move |st| {
            let svc = &st.service;
            let (photo, understood) = understood_photo(svc, st, &form)?;
            let mask = decode_mask(st, &form)?;
            let mut edited =
                svc.edit(photo, &understood, form.strength(), mask.as_ref(), "image")?;
            let img = encode(st, &edited.photo, &form, &mut edited.report.warnings)?;
            Ok((
                img,
                serde_json::to_value(&edited.report).unwrap_or_default(),
            ))
        },
        &ticket,
    )
    .await?;
    Ok(image_response(img, report, q.wanted()))
}

fn edit_file_response(bytes: Vec<u8>, report: Value) -> Response {
    let r = (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/octet-stream"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"edit.retouch\"",
            ),
        ],
        bytes,
    )
        .into_response();
    with_report(r, &report)
}

/// The edit file of the model's edit of the form's photo and instruction.
fn predict_file(st: &AppState, form: &Form) -> Result<(EditFile, Value), ApiError> {
    let svc = &st.service;
    let (photo, understood) = understood_photo(svc, st, form)?;
    let p = svc.predict(&photo, &understood, "image")?;
    let ef = svc.edit_file(&p.edits, &p.report, []);
    Ok((ef, serde_json::to_value(&p.report).unwrap_or_default()))
}

pub async fn grid(State(st): State<Arc<AppState>>, req: Request) -> Result<Response, ApiError> {
    let (ticket, form) = admit(&st, req, GRID_FIELDS).await?;
    let (bytes, report) = on_worker(
        &st,
        move |st| {
            let (ef, report) = predict_file(st, &form)?;
            let bytes = ef
                .to_bytes()
                .map_err(|e| ApiError::internal(e.to_string()))?;
            Ok((bytes, report))
        },
        &ticket,
    )
    .await?;
    Ok(edit_file_response(bytes, report))
}

pub async fn apply(
    State(st): State<Arc<AppState>>,
    Query(q): Query<ReportQuery>,
    req: Request,
) -> Result<Response, ApiError> {
    let (ticket, form) = admit(&st, req, APPLY_FIELDS).await?;
    let (img, report) = on_worker(
        &st,
        move |st| {
            let edit = form.edit.as_deref().ok_or_else(|| {
                ApiError::unprocessable("the field \"edit\" (an edit file) is missing")
            })?;
            let edit = apply::parse_edit_file(edit)?;
            let photo = decode(st, form.image()?, "image")?;
            let mask = decode_mask(st, &form)?;
            let mut applied = apply::apply_edit_file(
                st.service.kernel(),
                &edit,
                photo,
                form.strength(),
                mask.as_ref(),
                "image",
            )?;
            let img = encode(st, &applied.photo, &form, &mut applied.report.warnings)?;
            Ok((
                img,
                serde_json::to_value(&applied.report).unwrap_or_default(),
            ))
        },
        &ticket,
    )
    .await?;
    Ok(image_response(img, report, q.wanted()))
}

/// Long side of `/v1/preview`'s image (the web editor's preview size).
pub const PREVIEW_SIDE: usize = 1280;

pub async fn preview(State(st): State<Arc<AppState>>, req: Request) -> Result<Response, ApiError> {
    let (ticket, form) = admit(&st, req, PREVIEW_FIELDS).await?;
    let (img, report) = on_worker(
        &st,
        move |st| {
            let photo = decode(st, form.image()?, "image")?;
            let small = photo
                .preview(PREVIEW_SIDE)
                .map_err(retouch_service::ServiceError::from)?;
            let mut warnings = Vec::new();
            let form = Form {
                format: Some(OutFormat::Png),
                ..form
            };
            let img = encode(st, &small, &form, &mut warnings)?;
            let report = json!({
                "width": photo.width,
                "height": photo.height,
                "preview_width": small.width,
                "preview_height": small.height,
                "warnings": warnings,
            });
            Ok((img, report))
        },
        &ticket,
    )
    .await?;
    Ok(image_response(img, report, false))
}

pub async fn lut(State(st): State<Arc<AppState>>, req: Request) -> Result<Response, ApiError> {
    let (ticket, form) = admit(&st, req, LUT_FIELDS).await?;
    let (text, report) = on_worker(
        &st,
        move |st| {
            let (ef, mut report) = match (&form.edit, &form.instruction) {
                (Some(_), Some(_)) => {
                    return Err(ApiError::unprocessable(
                        "give either \"edit\" (an edit file) or \"image\" and \"instruction\", not both",
                    ))
                }
                (Some(e), None) => {
                    let ef = apply::parse_edit_file(e)?;
                    let report = json!({ "instruction": ef.instruction });
                    (ef, report)
                }
                (None, _) => predict_file(st, &form)?,
            };
            let size = form.size.unwrap_or(lut::DEFAULT_SIZE);
            let cube = lut::cube(&ef, size, form.strength())?;
            let mut warnings: Vec<Value> = report["warnings"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            warnings.extend(cube.warnings.into_iter().map(Value::from));
            report["warnings"] = Value::from(warnings);
            report["lut_size"] = json!(size);
            Ok((cube.text, report))
        },
        &ticket,
    )
    .await?;
    let r = (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"look.cube\"",
            ),
        ],
        text,
    )
        .into_response();
    Ok(with_report(r, &report))
}

pub async fn healthz(State(st): State<Arc<AppState>>) -> Json<Value> {
    Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "model": st.service.model_path().display().to_string(),
        "kernel": st.service.kernel().name(),
        "workers": st.config.workers,
        "queue": st.config.queue,
        "in_progress": st.gate.inside(),
    }))
}

pub async fn openapi() -> Json<Value> {
    Json(crate::openapi::document())
}

pub async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!("no such route: {}", uri.path()),
    )
}

pub async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("{method} is not allowed on {}", uri.path()),
    )
}

#[cfg(test)]
mod tests {
    use super::ascii_json;
    use serde_json::json;

    #[test]
    fn report_header_is_ascii_and_the_same_json() {
        let v = json!({"instruction": "rends-la plus chaude, ΔE 😀", "n": [1, 2]});
        let s = ascii_json(&v);
        assert!(s.is_ascii(), "{s}");
        assert!(axum::http::HeaderValue::from_str(&s).is_ok());
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
    }
}
