"""The gate's learned half: a linear classifier per policy code over the folded text, for the
violations the explicit rules have no words for (a life event told without its usual word, an
invitation to write in private, a handle given to pupils on a platform no list names).

The model is a small versioned file (`models/gate.npz`, built by `balise.compliance.training`):
hashed character and word n-grams, their IDF weights, one weight vector per code and the
thresholds chosen on writers the model never saw. Plain arrays, no pickle: loading it runs no code,
and checking needs only numpy.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from io import BytesIO

import numpy as np

CODES = ("PERSONAL_INFO", "INTERVENTION", "CHILD_CONTACT", "OFF_MISSION")
N_FEATURES = 2**20
_WORD = re.compile(r"\w\w+")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")


def grams(folded_text: str) -> list[str]:
    """Character 2- to 5-grams inside each word catch a word's family ("anniv", "opere", "snap")
    whatever its ending; words and word pairs catch who does what ("ecrivez nous", "follow me")."""
    words = _WORD.findall(folded_text)
    out = [f"w {a} {b}" for a, b in zip(words, words[1:], strict=False)] + [f"w {w}" for w in words]
    for word in folded_text.split():
        padded = f" {word} "
        out += [padded[i : i + n] for n in range(2, 6) for i in range(len(padded) - n + 1)]
    return out


def bag(folded_text: str) -> tuple[np.ndarray, np.ndarray]:
    """The text's hashed n-grams (CRC-32: stable across runs and machines) and their counts."""
    found = grams(folded_text)
    hashes = np.fromiter((zlib.crc32(g.encode()) for g in found), dtype=np.int64, count=len(found))
    return np.unique(hashes % N_FEATURES, return_counts=True)


def weights(counts: np.ndarray, idf: np.ndarray) -> np.ndarray:
    """Sublinear term frequency times IDF, of unit length."""
    values = np.log1p(counts) * idf
    norm = float(np.sqrt(values @ values))
    return values / norm if norm else values


@dataclass(frozen=True)
class Model:
    """IDF weights, one weight vector and intercept per code, and the decision thresholds.

    The gate's codes are `CODES`; the comment triage's model is the same file with its own
    categories as rows (`balise.comments.triage`)."""

    version: str
    idf: np.ndarray  # (features,)
    coef: np.ndarray  # (codes, features)
    intercept: np.ndarray  # (codes,)
    flag: np.ndarray  # (codes,): a code at or above its probability here is a finding
    certain: float  # at or above this too, the finding takes the code's own severity (else: a person decides)
    veto: float  # a rule's finding below this probability of its code is taken for an explanation of the rule

    def probabilities(self, folded_texts: list[str]) -> np.ndarray:
        """(texts, codes) probabilities."""
        return self.scores([bag(text) for text in folded_texts])

    def scores(self, bags: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
        """(texts, codes) probabilities from the texts' bags of n-grams (`bag`)."""
        logits = [self.coef[:, index] @ weights(counts, self.idf[index]) + self.intercept for index, counts in bags]
        return np.asarray(1.0 / (1.0 + np.exp(-np.array(logits).reshape(-1, len(self.intercept)))))

    def to_bytes(self) -> bytes:
        used = np.flatnonzero(np.abs(self.coef).sum(axis=0))
        out = BytesIO()
        np.savez_compressed(
            out, version=np.array(self.version), used=used.astype(np.int32), idf=self.idf[used],
            coef=self.coef[:, used].astype(np.float32), intercept=self.intercept,
            flag=self.flag, thresholds=np.array([self.certain, self.veto]),
        )  # fmt: skip
        return out.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Model:
        stored = np.load(BytesIO(data), allow_pickle=False)
        used = stored["used"]
        idf = np.ones(N_FEATURES, dtype=np.float32)  # a word never seen in training weighs nothing anyway
        idf[used] = stored["idf"]
        coef = np.zeros((len(stored["intercept"]), N_FEATURES), dtype=np.float32)
        coef[:, used] = stored["coef"]
        certain, veto = (float(v) for v in stored["thresholds"])
        return cls(str(stored["version"]), idf, coef, stored["intercept"], stored["flag"], certain, veto)


def packaged(package: str, name: str) -> Model:
    """A model file shipped inside one of balise's packages (`models/NAME.npz`)."""
    return Model.from_bytes(resources.files(package).joinpath(f"models/{name}.npz").read_bytes())


@cache
def shipped() -> Model:
    """The gate's model that ships with balise, read once per process."""
    return packaged("balise.compliance", "gate")


def sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences (or lines) of `text`, to quote the one that weighs most."""
    spans, start = [], 0
    for end_mark in _SENTENCE_END.finditer(text):
        if text[start : end_mark.start()].strip():
            spans.append((start, end_mark.start()))
        start = end_mark.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans or [(0, len(text))]
