"""The API's documentation page (/docs, Swagger UI), served with no internet.

FastAPI's own pages load Swagger UI and ReDoc from a CDN, so offline they are blank. This
follow FastAPI's self-hosting recipe ("Custom Docs UI Static Assets") with the files shipped
in the pinned `fastapi-offline` package, served from this app. ReDoc (/redoc) is off: its bundle fetches its logo from the internet.
Does not change the schema.
"""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC_URL = "/docs-static"


def assets() -> Path:
    """The folder holding swagger-ui-bundle.js, swagger-ui.css and favicon.png."""
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


def add_docs(app: FastAPI) -> None:
    """Serve /docs from local files; create the app with docs_url=None, redoc_url=None."""
    app.mount(STATIC_URL, StaticFiles(directory=assets()), name="docs-static")
    redirect = app.swagger_ui_oauth2_redirect_url or "/docs/oauth2-redirect"

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=app.openapi_url, title=f"{app.title} - Swagger UI",
                                   oauth2_redirect_url=redirect,
                                   swagger_js_url=f"{STATIC_URL}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{STATIC_URL}/swagger-ui.css",
                                   swagger_favicon_url=f"{STATIC_URL}/favicon.png")

    @app.get(redirect, include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

