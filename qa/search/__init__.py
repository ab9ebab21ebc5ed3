"""Search: ranked passages for a question, from a store view.

`retrieve` fuses dense (sentence, sentence in context) and BM25 (accented, folded) signals.
Does not answer: it hands passages (and dense similarities) to `qa.answer`.
"""
