"""Language: Vietnamese text as data, no I/O beyond the packaged word lists.

NFC with Vietnamese tone placement (`text`), diacritic folding and restoring (`accents`),
which language a question is in (`language`, `phonotactics`), numbers in figures and in words
(`numbers`, `numwords`), the English -> Vietnamese glossary (`glossary`) and the one loader
of `qa/data/` (`wordlists`). Imports nothing of `qa` outside this package but `errors`.

    >>> from qa.lang.text import fold
    >>> fold("Quỳnh Nhai")
    'quynh nhai'
"""
