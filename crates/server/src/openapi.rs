//! The OpenAPI 3 description of the API, made from [`OPERATIONS`] (the same table the tests
//! check against the router).

use crate::form::Field;
use serde_json::{json, Map, Value};

/// What an operation answers with when it succeeds.
#[derive(Clone, Copy, Debug)]
pub enum Answer {
    Json,
    Image,
    EditFile,
    Cube,
    Html,
}

/// One route of the API.
#[derive(Clone, Copy, Debug)]
pub struct Operation {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    /// The form fields (multipart/form-data) it takes; empty for a GET.
    pub fields: &'static [Field],
    /// The fields it cannot do without.
    pub required: &'static [Field],
    pub answer: Answer,
}

use Field::*;

/// What `/v1/edit` takes (the routes read exactly these).
pub const EDIT_FIELDS: &[Field] = &[Image, Instruction, Region, Strength, Mask, Format, Quality];
/// What `/v1/grid` takes: an edit file holds the edit itself, at full strength and for the
/// whole photo; strength, mask and output format are given when it is applied (`/v1/apply`).
pub const GRID_FIELDS: &[Field] = &[Image, Instruction, Region];
/// What `/v1/apply` takes.
pub const APPLY_FIELDS: &[Field] = &[Image, Edit, Strength, Mask, Format, Quality];
/// What `/v1/preview` takes.
pub const PREVIEW_FIELDS: &[Field] = &[Image];
/// What `/v1/lut` takes.
pub const LUT_FIELDS: &[Field] = &[Image, Instruction, Region, Edit, Strength, Size];

pub const OPERATIONS: &[Operation] = &[
    Operation {
        method: "get",
        path: "/",
        summary: "The web editor.",
        fields: &[],
        required: &[],
        answer: Answer::Html,
    },
    Operation {
        method: "get",
        path: "/healthz",
        summary: "Whether the server is up, its model and how busy it is.",
        fields: &[],
        required: &[],
        answer: Answer::Json,
    },
    Operation {
        method: "get",
        path: "/openapi.json",
        summary: "This description.",
        fields: &[],
        required: &[],
        answer: Answer::Json,
    },
    Operation {
        method: "post",
        path: "/v1/edit",
        summary: "Retouch a photo as an instruction says, at full resolution; the report (reading, warnings, timings) is in the x-retouch-report header, or the answer is JSON with ?report=1.",
        fields: EDIT_FIELDS,
        required: &[Image, Instruction],
        answer: Answer::Image,
    },
    Operation {
        method: "post",
        path: "/v1/grid",
        summary: "The model's edit of a photo as an edit file (.retouch), to apply again with /v1/apply at any strength, with a mask and in any format, without the network.",
        fields: GRID_FIELDS,
        required: &[Image, Instruction],
        answer: Answer::EditFile,
    },
    Operation {
        method: "post",
        path: "/v1/apply",
        summary: "Apply an edit file to a photo (its regions are found again in this photo).",
        fields: APPLY_FIELDS,
        required: &[Image, Edit],
        answer: Answer::Image,
    },
    Operation {
        method: "post",
        path: "/v1/preview",
        summary: "The photo as an 8-bit PNG at most 1280 pixels on its long side, for showing a format the browser cannot (TIFF) in the web editor.",
        fields: PREVIEW_FIELDS,
        required: &[Image],
        answer: Answer::Image,
    },
    Operation {
        method: "post",
        path: "/v1/lut",
        summary: "The whole-photo part of an edit as a .cube 3D LUT: from an edit file, or from a photo and an instruction.",
        fields: LUT_FIELDS,
        required: &[],
        answer: Answer::Cube,
    },
];

fn field_schema(f: Field) -> Value {
    match f {
        Image => {
            json!({"type": "string", "format": "binary", "description": "The photo: JPEG, PNG, TIFF or WebP."})
        }
        Instruction => {
            json!({"type": "string", "description": "What to change, in plain words, e.g. \"warmer, lift the shadows\"."})
        }
        Strength => {
            json!({"type": "number", "default": 1.0, "description": "0 returns the input, 1 the edit, >1 exaggerates, <0 inverts."})
        }
        Mask => {
            json!({"type": "string", "format": "binary", "description": "A soft mask image, any size: white = the full edit, black = none."})
        }
        Format => {
            json!({"type": "string", "enum": ["jpeg", "png", "tiff"], "description": "Output format (default: the input's; PNG for WebP)."})
        }
        Quality => {
            json!({"type": "integer", "minimum": 1, "maximum": 100, "default": 92, "description": "JPEG quality."})
        }
        Edit => {
            json!({"type": "string", "format": "binary", "description": "An edit file (.retouch) from /v1/grid or `retouch edit --save-edit`."})
        }
        Size => {
            json!({"type": "integer", "minimum": 2, "maximum": 256, "default": 33, "description": "LUT entries per axis."})
        }
        Region => json!({
            "type": "string",
            "enum": region_names(),
            "description": "Restrict the instruction's changes to this region (found in the photo); empty or \"photo\": the whole photo."
        }),
    }
}

fn region_names() -> Vec<&'static str> {
    let mut v = vec!["photo"];
    v.extend(retouch_finish::Region::ALL.iter().map(|r| r.name()));
    v
}

fn error_response(what: &str) -> Value {
    json!({
        "description": what,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    })
}

fn operation(op: &Operation) -> Value {
    let ok = match op.answer {
        Answer::Json => json!({"application/json": {"schema": {"type": "object"}}}),
        Answer::Html => json!({"text/html": {"schema": {"type": "string"}}}),
        Answer::Image => json!({
            "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
            "image/png": {"schema": {"type": "string", "format": "binary"}},
            "image/tiff": {"schema": {"type": "string", "format": "binary"}},
            "application/json": {"schema": {"$ref": "#/components/schemas/ImageReport"}}
        }),
        Answer::EditFile => {
            json!({"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}})
        }
        Answer::Cube => json!({"text/plain": {"schema": {"type": "string"}}}),
    };
    let mut o = json!({
        "summary": op.summary,
        "operationId": op.path.trim_start_matches('/').replace(['/', '.'], "_"),
        "responses": {"200": {"description": "Done.", "content": ok}},
    });
    if !op.fields.is_empty() {
        let props: Map<String, Value> = op
            .fields
            .iter()
            .map(|f| (f.name().to_string(), field_schema(*f)))
            .collect();
        let required: Vec<&str> = op.required.iter().map(|f| f.name()).collect();
        o["requestBody"] = json!({
            "required": true,
            "content": {"multipart/form-data": {"schema": {
                "type": "object", "properties": props, "required": required,
            }}}
        });
        let r = &mut o["responses"];
        r["400"] = error_response("A photo, instruction or edit file that cannot be used.");
        r["408"] = error_response("The body did not arrive in time.");
        r["413"] = error_response("The body or the photo is over the server's limit.");
        r["415"] = error_response("Not multipart/form-data, or an image type that is not read.");
        r["422"] = error_response("A field missing, unknown or out of range.");
        r["503"] = error_response("Busy: try again after Retry-After seconds.");
    }
    if matches!(op.answer, Answer::Image) {
        o["parameters"] = json!([{
            "name": "report", "in": "query", "required": false,
            "schema": {"type": "string", "enum": ["1"]},
            "description": "1: answer with JSON (report and image in base64) instead of the image."
        }]);
    }
    o
}

/// The document.
pub fn document() -> Value {
    let mut paths = Map::new();
    for op in OPERATIONS {
        let entry = paths
            .entry(op.path.to_string())
            .or_insert_with(|| json!({}));
        entry[op.method] = operation(op);
    }
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "InstantRetouch",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Instruction-guided photo retouching in bilateral space: `retouch serve`."
        },
        "paths": paths,
        "components": {"schemas": {
            "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
            "ImageReport": {"type": "object", "properties": {
                "report": {"type": "object"},
                "content_type": {"type": "string"},
                "image_base64": {"type": "string"}
            }}
        }}
    })
}
