"""HTTP service: a FastAPI app over `Engine`, plus the chat page in `qa/serve/web/`.

Routes parse, call the engine, and render; every answer comes from `Engine` and every
follow-up is resolved by `qa.chat.conversation`. Domain errors (`qa.errors`) become HTTP statuses here
and only here. Does not answer questions, build indexes or hold conversation logic itself.
Run it with `qa serve`, or `uvicorn --factory qa.serve.app:app_from_env`.
"""
import hmac
import logging
from contextlib import asynccontextmanager
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles

from qa.chat.conversation import NOT_FOUND, reply_language
from qa.engine import Engine
from qa.errors import BadArticle, QAError, QueueFull
from qa.serve import schemas as m
from qa.serve.docs import add_docs
from qa.serve.jobs import Job, JobQueue
from qa.serve.metrics import CONTENT_TYPE, Metrics, MetricsMiddleware
from qa.serve.middleware import AllowedHosts, BodyLimit, SecurityHeaders
from qa.serve.sessions import ChatSessions
from qa.settings import Settings

log = logging.getLogger("qa.serve.app")
WEB = Path(__file__).parent / "web"
ArticleId = Annotated[str, PathParam(pattern=m.ID_PATTERN, max_length=200)]
bearer = HTTPBearer(auto_error=False, description="QA_API_TOKEN, as `Authorization: Bearer <token>`")


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory qa.serve.app:app_from_env`: settings from QA_* variables."""
    return create_app(Settings())


def create_app(settings: Settings, engine: Engine | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.engine = engine or Engine(settings)
        log.info("loading the index from %s (the first start builds it)", settings.index_dir)
        try:  # load (or build) the index and the models now, so the first question is not slow
            app.state.engine.health()
            app.state.engine.ask("xin chào")
        except QAError as exc:
            log.warning("index not ready at start-up: %s", exc)
        # From now on new builds load in the background: requests never wait on a load.
        app.state.engine.watch()
        app.state.jobs.start()  # jobs journalled before a restart are done first
        yield
        app.state.jobs.shutdown(settings.jobs_drain_s, cancel=app.state.engine.cancel)
        app.state.engine.close()

    app = FastAPI(title="qa", summary="Cited answers from Vietnamese news articles", version="1",
                  lifespan=lifespan, docs_url=None, redoc_url=None)  # add_docs: served offline
    app.state.settings = settings
    app.state.metrics = Metrics()
    app.state.jobs = JobQueue(settings.index_dir / "jobs", partial(_run_jobs, app), max_queued=settings.jobs_max_queued,
                              keep=settings.jobs_keep, keep_s=settings.jobs_keep_s)
    app.state.sessions = ChatSessions(settings.chat_sessions, settings.chat_session_ttl_s, settings.chat_max_turns,
                                      max_bytes=settings.chat_sessions_max_bytes)
    # Our own limit, not FastAPI's max_body_size: that one answers in plain text, without the limit.
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes,
                       upload_limit=2 * settings.max_article_bytes + settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(AllowedHosts, hosts=settings.allowed_hosts)
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    _add_error_handlers(app)
    app.include_router(_routes(m.request_models(settings), _page(settings)))
    app.mount("/static", StaticFiles(directory=WEB), name="static")
    add_docs(app)
    return app


# Write jobs. The route does the durable part (the article into the collection, or out of
# it) and journals the job before answering 202; one rebuild then finishes every waiting
# job (`qa.serve.jobs`). The engine loads the new build in the background and
# answers from the old one meanwhile.
def _run_jobs(app: FastAPI, batch: list[Job]) -> dict[str, dict]:
    engine = app.state.engine
    report = engine.rebuild()
    built, problems = engine.built_ids(), [{"file": path, "reason": why} for path, why in report.problems]
    outcomes, removed = {}, {j.article["id"] for j in batch if j.kind == "remove"}
    for job in batch:
        missing = job.kind == "add" and job.article["id"] not in built | removed
        if missing:  # cannot happen to an article the route checked, unless its file was changed since
            why = next((p["reason"] for p in problems if Path(p["file"]).stem == job.article["id"]), "not built")
            outcomes[job.id] = {"error": BadArticle(why)}
        else:
            outcomes[job.id] = {"result": {**({"article": job.article} if job.article else {}),
                                           "build": asdict(report), "problems": problems}}
    return outcomes


def engine_of(request: Request) -> Engine:
    return request.app.state.engine


EngineDep = Annotated[Engine, Depends(engine_of)]


def require_token(request: Request,
                  credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> None:
    expected = request.app.state.settings.api_token
    if not expected:
        raise HTTPException(403, "Write routes are off. Start the server with QA_API_TOKEN=<a secret> "
                                 "to turn them on, and send 'Authorization: Bearer <the secret>'.")
    if credentials is None:
        raise HTTPException(401, "This route needs the header 'Authorization: Bearer <QA_API_TOKEN>'.",
                            headers={"WWW-Authenticate": "Bearer"})
    if not hmac.compare_digest(credentials.credentials.encode(), expected.encode()):
        raise HTTPException(403, "The token is wrong.")


def _page(settings: Settings) -> str:
    """The chat page, its question box limited as the settings limit questions."""
    return (WEB / "index.html").read_text(encoding="utf-8").replace("{max_question_chars}",
                                                                   str(settings.max_question_chars))


def _routes(requests: m.Requests, page_html: str):
    from fastapi import APIRouter

    r = APIRouter()
    writer = [Depends(require_token)]
    # The request models carry this app's limits, so the routes name them through `requests`.
    AskIn, ChatIn, AddArticleIn = requests.AskIn, requests.ChatIn, requests.AddArticleIn

    @r.get("/", include_in_schema=False)
    def page() -> HTMLResponse:
        return HTMLResponse(page_html, headers=m.PAGE_HEADERS)

    @r.post("/ask", response_model=m.AskOut, responses=m.ERRORS, response_model_exclude_unset=True)
    def ask(body: AskIn, engine: EngineDep) -> dict:
        return engine.ask(body.question, k=body.k, article=body.article, date=body.date).to_json()

    @r.post("/chat", response_model=m.ChatOut, responses=m.ERRORS, response_model_exclude_unset=True)
    def chat(body: ChatIn, request: Request, engine: EngineDep) -> dict:
        session_id, conversation = request.app.state.sessions.open(body.session_id)
        turn = engine.chat(conversation, body.message, k=body.k)
        request.app.state.sessions.account(session_id)
        language = reply_language(body.message)
        reply = turn.result.answer.text if turn.result.answer else turn.result.note or NOT_FOUND[language]
        return {"session_id": session_id, "message": body.message, "question": turn.question,
                "reply": reply, "language": language, "result": turn.result.to_json()}

    @r.get("/facts", response_model=list[m.FactOut])
    def facts(engine: EngineDep, place: Annotated[str | None, Query(max_length=200)] = None) -> list[dict]:
        titles = {a.id: a.title for a in engine.articles()}
        return [f.to_json(titles.get(f.article_id)) for f in engine.facts(place)]

    @r.get("/articles", response_model=list[m.ArticleOut])
    def articles(engine: EngineDep) -> list[dict]:
        counts = engine.chunk_counts()
        return [m.article_summary(a, counts.get(a.id, 0)) for a in engine.articles()]

    @r.get("/articles/{article_id}", response_model=m.ArticleDetailOut, responses=m.ERRORS)
    def article(article_id: ArticleId, engine: EngineDep) -> dict:
        found = engine.article(article_id)
        return {**m.article_summary(found, engine.chunk_counts().get(found.id, 0)),
                "author": found.author, "text": found.text}

    @r.get("/health", response_model=m.HealthOut)
    def health(request: Request, engine: EngineDep) -> dict:
        return {**engine.health(), "jobs_running": request.app.state.jobs.running()}

    @r.get("/metrics", response_class=PlainTextResponse)
    def metrics(request: Request, engine: EngineDep) -> PlainTextResponse:
        text = request.app.state.metrics.render(engine.health().get("index_version"))
        return PlainTextResponse(text, media_type=CONTENT_TYPE)

    @r.post("/articles", status_code=202, response_model=m.JobOut, dependencies=writer, responses=m.WRITE_ERRORS)
    def add_article(body: AddArticleIn, request: Request, engine: EngineDep) -> dict:
        """Refused at once (4xx) if the builder would skip it; else in the collection, and the job
        journalled, before the 202."""
        def accept() -> dict:
            added = engine.accept_text(body.text, title=body.title, force=body.force)
            return {"id": added.id, "title": added.title}
        return request.app.state.jobs.submit("add", accept).to_json()

    @r.delete("/articles/{article_id}", status_code=202, response_model=m.JobOut, dependencies=writer,
              responses=m.WRITE_ERRORS)
    def remove_article(article_id: ArticleId, request: Request, engine: EngineDep) -> dict:
        def accept() -> dict:
            engine.accept_removal(article_id)  # an unknown id is a 404 now, not a failed job later
            return {"id": article_id}
        return request.app.state.jobs.submit("remove", accept).to_json()

    @r.post("/index/rebuild", status_code=202, response_model=m.JobOut, dependencies=writer,
            responses=m.WRITE_ERRORS)
    def rebuild(request: Request) -> dict:
        """A rebuild asked for while another waits is that same job."""
        return request.app.state.jobs.submit("rebuild", coalesce=True).to_json()

    @r.get("/jobs/{job_id}", response_model=m.JobOut, dependencies=writer, responses=m.ERRORS)
    def job(job_id: Annotated[str, PathParam(max_length=64)], request: Request) -> dict:
        return request.app.state.jobs.get(job_id).to_json()

    return r


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(QAError)
    async def domain_error(request: Request, exc: QAError) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, QueueFull) else None
        return JSONResponse({"detail": str(exc), "error": type(exc).__name__}, status_code=exc.http_status,
                            headers=headers)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))}
                    for e in exc.errors()]
        message = "; ".join(f"{'.'.join(p['loc'][1:] or p['loc'])}: {p['msg']}" for p in problems)
        return JSONResponse({"detail": message or "Bad request", "errors": problems}, status_code=422)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": "Internal error; the server log has the details."}, status_code=500)
