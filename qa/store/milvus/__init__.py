"""Milvus as a store (the `[milvus]` extra): a server, or a milvus-lite file.

`schema` (collections and rows), `view` (one published version read as a `StoreView`),
`store` (writing versions blue/green under one alias, rollback). Imported only when
`QA_STORE` names Milvus.
"""
