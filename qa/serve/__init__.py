"""Serve: the HTTP app over `Engine`, and the chat page.

`app` (`create_app(settings)` with a lifespan; routes parse, call the Engine, render),
`schemas` (request and response models), `middleware` (body limit, Host check, headers),
`metrics` (Prometheus, through prometheus-client), `jobs` (the journalled write queue),
`sessions` (chat sessions), `docs` (offline Swagger UI), `web/` (the page). Holds no
search or answer logic.
"""
