"""Conversation, and the answer paths around the answer stage.

A turn's follow-up resolved on the question's entities (`entities`, `name_words`, `followup`,
`conversation`); "is this answer about the asked entity?" (`about`); the figures each
article states (`facts`) and what is computed from them (`compare`); questions about the
articles themselves (`meta`); multi-part questions (`multipart`); the fixed answer pool and
`k` trimming (`answering`); what is derived from a whole build when it loads (`tables`).
Does not retrieve and does not serve.
"""
