"""qa: question answering over Vietnamese news articles, cited, offline.

    from qa import Engine, Settings
    engine = Engine(Settings())
    result = engine.ask("How much did Quỳnh Nhai raise?")
    print(result.answer.text, result.passages[0].article.title)
"""

__all__ = ["Engine", "Settings"]


def __getattr__(name):  # lazy, so that `import qa.text` does not load faiss and the embedder
    if name == "Engine":
        from .engine import Engine

        return Engine
    if name == "Settings":
        from .settings import Settings

        return Settings
    raise AttributeError(name)
