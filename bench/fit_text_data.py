"""Derive the text layer's word lists in qa/data from general sources shipped in packages.

    python bench/fit_text_data.py [--wheels DIR]

Reads (never at run time, only here) two wheels fetched with `pip download --no-deps`:
underthesea 9.5.0 (Apache-2.0: its Viet74K dictionary, the VLSP 2013 word-segmented news
test text its POS tagger ships, its Punkt sentence-splitter parameters) and wordfreq 3.1.1
(Apache-2.0 code, CC BY-SA 4.0 data: Vietnamese and English word frequencies); plus pyvi's
words.txt and scikit-learn's English stop words (both installed). Writes:

- vi_onsets.txt, vi_rhymes.txt   Vietnamese orthographic onsets and rhymes (phonotactics)
- vi_syllables.txt               the syllable inventory, accented, lower case
- vi_syllable_freq.json          syllable unigram and bigram counts of general text
- en_function_words.txt          English function words
- abbreviations.txt              abbreviations a sentence does not end after
None of these sources is the seed articles or the eval data.
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import subprocess
import sys
import unicodedata
import zipfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from qa.lang.phonotactics import split_onset, split_tone

DATA = Path(__file__).resolve().parent.parent / "qa" / "data"
WHEELS = {"underthesea": "underthesea==9.5.0", "wordfreq": "wordfreq==3.1.1"}
VOWELS = "aăâeêioôơuưy"
STRUCTURE = re.compile(rf"^[{VOWELS}]{{1,3}}(?:c|ch|m|n|ng|nh|p|t)?$")  # vowels + one coda


def wheel(directory: Path, name: str) -> zipfile.ZipFile:
    found = sorted(directory.glob(f"{name}-*.whl"))
    if not found:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", WHEELS[name], "-d", str(directory)], check=True)
        found = sorted(directory.glob(f"{name}-*.whl"))
    return zipfile.ZipFile(found[-1])


def untoned(s: str) -> str:
    return split_tone(s)[0]


def write(name: str, header: str, lines) -> None:
    body = "\n".join(lines)
    (DATA / name).write_text("".join(f"# {h}\n" for h in header.strip().splitlines()) + body + "\n", encoding="utf-8")
    print(f"{name}: {len(body.splitlines())} entries")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--wheels", type=Path, default=Path("/tmp/qa-wheels"))
    args = ap.parse_args()
    args.wheels.mkdir(parents=True, exist_ok=True)
    ut, wf = wheel(args.wheels, "underthesea"), wheel(args.wheels, "wordfreq")

    from importlib.resources import files

    import msgpack  # a dependency of nothing we ship; present in the dev venv

    # -- dictionary syllables -> onsets, rhymes, inventory ----------------------------------
    dictionary = ut.read("underthesea/corpus/data/Viet74K.txt").decode("utf-8")
    dictionary += files("pyvi").joinpath("models/words.txt").read_text(encoding="utf-8")
    sylls: Counter = Counter()
    for line in dictionary.splitlines():
        for w in unicodedata.normalize("NFC", line).lower().split():
            if w.isalpha():
                sylls[w] += 1
    onsets, rhymes = Counter(), Counter()
    for s in sylls:
        onset, rhyme = split_onset(untoned(s))
        if STRUCTURE.match(rhyme):
            onsets[onset] += 1
            rhymes[rhyme] += 1
    kept_onsets = sorted(o for o, n in onsets.items() if n >= 20)
    kept_rhymes = sorted(r for r, n in rhymes.items() if n >= 3)
    src = "underthesea 9.5.0 corpus/data/Viet74K.txt + pyvi 0.1.1 models/words.txt (dictionaries), by bench/fit_text_data.py"
    write("vi_onsets.txt", f"Vietnamese written onsets ('' = none is implied), seen before >= 20 dictionary syllables.\nSource: {src}", kept_onsets)
    write("vi_rhymes.txt", f"Vietnamese written rhymes without tone (vowels + optional coda), seen in >= 3 dictionary syllables.\nSource: {src}", kept_rhymes)

    def legal(s: str) -> bool:
        onset, rhyme = split_onset(untoned(s))
        return onset in kept_onsets and rhyme in kept_rhymes

    # -- general text: VLSP 2013 news (word-segmented) and wordfreq ------------------------
    vlsp = ut.read("underthesea/pipeline/pos_tag/models/pos_crf_vlsp2013_20230303/test_output.txt").decode("utf-8")
    unigrams, bigrams = Counter(), Counter()
    sentence: list[str] = []
    for line in vlsp.splitlines() + [""]:
        if not line.strip():
            for a, b in zip(sentence, sentence[1:]):
                if a and b:
                    bigrams[f"{a} {b}"] += 1
            sentence = []
            continue
        for w in unicodedata.normalize("NFC", line.split("\t")[0]).lower().split():
            ok = w.isalpha() and legal(w)
            sentence.append(w if ok else "")
            if ok:
                unigrams[w] += 1
    freq = msgpack.unpackb(gzip.decompress(wf.read("wordfreq/data/small_vi.msgpack.gz")), raw=False)
    wordfreq_vi = {}
    for bucket, words in enumerate(freq[1:], start=1):
        for w in words:
            w = unicodedata.normalize("NFC", w)
            if w.isalpha() and legal(w):
                wordfreq_vi[w] = 10 ** (-bucket / 100)  # wordfreq's centibel buckets -> frequency
    inventory = sorted({s for s in sylls if legal(s)} | set(unigrams) | set(wordfreq_vi))
    write("vi_syllables.txt", "Vietnamese syllables (lower case, accented) of two dictionaries, VLSP 2013 news text and wordfreq's\n"
          "Vietnamese list, kept if phonotactically legal. By bench/fit_text_data.py from underthesea 9.5.0,\n"
          "pyvi 0.1.1 and wordfreq 3.1.1 (data CC BY-SA 4.0).", inventory)
    # Per million syllables: VLSP counts and wordfreq frequencies mixed half and half.
    n_vlsp = sum(unigrams.values())
    uni = {w: round(0.5e6 * unigrams.get(w, 0) / n_vlsp + 0.5e6 * wordfreq_vi.get(w, 0.0), 3) for w in inventory}
    doc = {"_source": "Syllable frequencies of general Vietnamese: unigrams per million, half VLSP 2013 news test text "
                      "(shipped in underthesea 9.5.0, pos_crf_vlsp2013 test_output.txt) and half wordfreq 3.1.1 small_vi "
                      "(CC BY-SA 4.0); bigram counts from the VLSP text. By bench/fit_text_data.py.",
           "unigrams": {w: f for w, f in sorted(uni.items()) if f > 0},
           "bigrams": dict(sorted(bigrams.items()))}
    (DATA / "vi_syllable_freq.json").write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"vi_syllable_freq.json: {len(doc['unigrams'])} unigrams, {len(doc['bigrams'])} bigrams")

    # -- English function words --------------------------------------------------------------
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    write("en_function_words.txt", "English function words: scikit-learn's ENGLISH_STOP_WORDS (the Glasgow IR group's list).\n"
          "By bench/fit_text_data.py.", sorted(ENGLISH_STOP_WORDS))

    # -- abbreviations -------------------------------------------------------------------------
    punkt = json.loads(ut.read("underthesea/pipeline/sent_tokenize/punkt_params.json"))["abbrev_types"]
    def latin(a: str) -> bool:
        return all(c == "đ" or unicodedata.normalize("NFD", c)[0] in "abcdefghijklmnopqrstuvwxyz" for c in a.replace(".", ""))

    abbrevs = sorted(a for a in punkt if latin(a) and re.fullmatch(r"\w+(?:\.\w+)*", a) and len(a.replace(".", "")) <= 4
                     and not legal(a) and a not in ENGLISH_STOP_WORDS)
    write("abbreviations.txt", "Abbreviations (lower case, inner dots kept, final dot dropped) after which a '.' does not end a\n"
          "sentence: underthesea 9.5.0's Punkt abbrev_types (learnt from Vietnamese text), letters and dots only,\n"
          "at most 4 Latin letters, minus legal Vietnamese syllables and English stop words. By bench/fit_text_data.py.", abbrevs)


if __name__ == "__main__":
    main()
