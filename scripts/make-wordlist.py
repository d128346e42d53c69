#!/usr/bin/env python3
"""Write crates/instruct/data/english-words.txt: the whole, lower-case, alphabetic ASCII words of
all-MiniLM-L6-v2's WordPiece vocabulary (models/text-encoder/tokenizer.json). The spelling
corrector (crates/instruct/src/spelling.rs) never "corrects" a word in this list.

    python3 scripts/make-wordlist.py
"""
import json, pathlib
root = pathlib.Path(__file__).resolve().parent.parent
vocab = json.loads((root / "models/text-encoder/tokenizer.json").read_text())["model"]["vocab"]
words = sorted(w for w in vocab if w.isascii() and w.isalpha() and w.islower() and len(w) >= 2)
(root / "crates/instruct/data/english-words.txt").write_text("\n".join(words) + "\n")
print(len(words), "words")
