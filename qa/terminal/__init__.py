"""Terminal: what `cli.py` shows: rich rendering (`render`) and the chat prompt (`console`).

Holds no search or answer logic; everything goes through `Engine`.
"""
