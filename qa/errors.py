"""Domain errors. Raised inside `qa/`; turned into CLI messages and HTTP statuses at the edges.

Each error carries a message a person can act on. `http_status` is the status the HTTP
layer answers with; the CLI prints the message and exits non-zero.
"""


class QAError(Exception):
    """Base class: a problem the user can fix, reported without a traceback."""

    http_status = 400


class BadQuestion(QAError):
    """Empty, too long or otherwise unusable question or parameter."""

    http_status = 422


class BadArticle(QAError):
    """An article file that cannot be read: empty, binary, undecodable, too large."""

    http_status = 422


class DuplicateArticle(QAError):
    """The same (or nearly the same) article is already in the collection."""

    http_status = 409


class ArticleNotFound(QAError):
    http_status = 404


class AmbiguousArticle(QAError):
    """A prefix that matches several article ids."""

    http_status = 409


class IndexMismatch(QAError):
    """The index on disk was built with another embedder, chunker or format."""

    http_status = 409


class IndexMissing(QAError):
    http_status = 503


class NoArticles(QAError):
    """The collection is empty: nothing to answer from until articles are added."""

    http_status = 503


class IndexBusy(QAError):
    """Another process holds the index lock."""

    http_status = 409


class EmbedderUnavailable(QAError):
    """The configured embedder cannot be loaded (missing extra, bad model path)."""

    http_status = 500


class JobNotFound(QAError):
    http_status = 404


class QueueFull(QAError):
    """Too many write jobs wait; `retry_after` says when to try again (seconds)."""

    http_status = 429

    def __init__(self, message: str, retry_after: int = 1):
        super().__init__(message)
        self.retry_after = retry_after


class StoreUnavailable(QAError):
    """QA_STORE names a store that cannot be used (bad address, missing extra)."""

    http_status = 500
