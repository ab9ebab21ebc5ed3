"""qa: question answering over Vietnamese news articles, cited, offline.

    from qa import Engine, Settings
    engine = Engine(Settings())
    result = engine.ask("How much did Quỳnh Nhai raise?")
    print(result.answer.text, result.passages[0].article.title)
"""

__all__ = ["Engine", "Settings"]


def __getattr__(name):  # lazy, so that `import qa.lang.text` does not load faiss and the embedder
    if name == "Engine":
        from qa.engine import Engine

        return Engine
    if name == "Settings":
        from qa.settings import Settings

        return Settings
    raise AttributeError(name)
