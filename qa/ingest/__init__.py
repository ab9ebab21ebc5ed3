"""Ingest: article files to clean article text, chunks and a collection folder.

Reads .txt/.md/.html safely (`articles`, `htmlpages`), splits text into sentence chunks
(`chunking`), keeps the articles folder (`collection`). Does not embed or index anything.
Depends on `qa.lang` only.
"""
