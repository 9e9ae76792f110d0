"""The Starlette application behind `safesh serve`: pages, forms and live fragments.

Pages: pending approvals (approve once, approve for a while, deny with a reason), the audit
timeline with filters, the notify queue with mark-as-reviewed, and per-session summaries.
Each page's changing part is also served alone under `/live/...`; the page's script polls it
every few seconds and swaps it in when its version (the ids it shows) changed, unless the
human is typing in it, so buttons do not move under the pointer just because a clock ticked.

Every route but the login page and the static files needs a session (see auth.py); every
form carries the session's CSRF value. Decisions go through `safesh.store.Store` and record
the approver as the logged-in NAME with the route `web` (and this host). Handlers are plain
functions: Starlette runs them in its thread pool, so the store's blocking SQLite calls never
stall the event loop.

May import starlette, jinja2, `safesh.store`, `safesh.locations` and `safesh.web.*`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from safesh.record import frozen
from safesh.store import ApprovalError, LogQuery, Store, StoreError, iso, parse_duration
from safesh.web import reviews, views
from safesh.web.auth import SESSION_COOKIE, SESSION_LIFETIME_S, Credentials

HERE = Path(__file__).resolve().parent
POLL_MS = 2000

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@frozen
class WebConfig:
    credentials: Credentials
    store_path: Path | None = None  # None: the user's store (safesh.locations)
    reviews_path: Path | None = None  # None: beside the store in the state directory
    secure_cookie: bool = False  # set when served behind TLS
    poll_ms: int = POLL_MS


def create_app(config: WebConfig) -> Starlette:
    pages = _Pages(config)
    routes = [
        Route("/login", pages.login, methods=["GET", "POST"]),
        Route("/logout", pages.logout, methods=["POST"]),
        Route("/", pages.pending),
        Route("/live/pending", pages.pending_live),
        Route("/approve/{approval_id}", pages.approve, methods=["POST"]),
        Route("/deny/{approval_id}", pages.deny, methods=["POST"]),
        Route("/log", pages.timeline),
        Route("/live/log", pages.timeline_live),
        Route("/notify", pages.notify),
        Route("/live/notify", pages.notify_live),
        Route("/reviewed/{record_id:int}", pages.reviewed, methods=["POST"]),
        Route("/sessions", pages.sessions),
        Route("/live/sessions", pages.sessions_live),
        Mount("/static", app=StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes)
    app.add_middleware(_SecurityHeaders)
    return app


class _SecurityHeaders:
    """No framing, no third-party content, no referrer (the login link carries a token)."""

    HEADERS = (
        (b"content-security-policy", b"default-src 'self'; frame-ancestors 'none'"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-content-type-options", b"nosniff"),
        (b"cache-control", b"no-store"),
    )

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


class _Pages:
    def __init__(self, config: WebConfig) -> None:
        self.config = config
        self.templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True,  # commands and reasons are the agent's text: always escaped
            undefined=jinja2.StrictUndefined,
        )
        self.templates.filters["local_time"] = views.local_time

    # -- plumbing -------------------------------------------------------------------------------

    def _user(self, request: Request) -> str | None:
        return self.config.credentials.session_user(request.cookies.get(SESSION_COOKIE))

    def _render(self, name: str, request: Request, user: str, **values: Any) -> HTMLResponse:
        template = self.templates.get_template(name)
        html = template.render(
            user=user,
            csrf=self.config.credentials.csrf(user),
            poll_ms=self.config.poll_ms,
            path=request.url.path,
            said=request.query_params.get("said", ""),
            **values,
        )
        return HTMLResponse(html)

    def _show(
        self, request: Request, page: str, values: Callable[[], dict[str, Any]], *, live: bool
    ) -> Response:
        """A page (`PAGE.html`) or its live fragment (`PAGE_live.html`, polled by the page).
        Without a login a page goes to the login form; a fragment answers 401, since it has
        no page of its own to redirect."""
        user = self._user(request)
        if user is None:
            return Response(status_code=401) if live else self._to_login()
        name = f"{page}_live.html" if live else f"{page}.html"
        return self._render(name, request, user, **values())

    def _store(self) -> Store:
        if self.config.store_path is not None:
            return Store(self.config.store_path)
        # The store the user's settings name: the shared PostgreSQL one for a team.
        from safesh.store import DEFAULT_BUSY_TIMEOUT_S, open_store

        return open_store(None, busy_timeout_s=DEFAULT_BUSY_TIMEOUT_S)

    def _reviews_path(self) -> Path:
        return self.config.reviews_path or reviews.default_file()

    async def _form(self, request: Request, user: str) -> dict[str, str] | None:
        """The posted form when its CSRF value is this session's, else None."""
        form = await request.form()
        values = {key: str(value) for key, value in form.items()}
        if not self.config.credentials.csrf_ok(user, values.get("csrf", "")):
            return None
        return values

    @staticmethod
    def _to_login() -> Response:
        return RedirectResponse("/login", status_code=303)

    @staticmethod
    def _back(path: str, said: str) -> Response:
        return RedirectResponse(f"{path}?{urlencode({'said': said})}", status_code=303)

    # -- login ----------------------------------------------------------------------------------

    async def login(self, request: Request) -> Response:
        token = request.query_params.get("token", "")
        if request.method == "POST":
            token = str((await request.form()).get("token", ""))
        if not token:
            return self._login_page("")
        name = self.config.credentials.holder(token)
        if name is None:
            return self._login_page("That token is not valid.", status=403)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            self.config.credentials.session_cookie(name),
            max_age=SESSION_LIFETIME_S,
            httponly=True,
            samesite="strict",
            secure=self.config.secure_cookie,
        )
        return response

    def _login_page(self, problem: str, status: int = 200) -> HTMLResponse:
        html = self.templates.get_template("login.html").render(problem=problem)
        return HTMLResponse(html, status_code=status)

    async def logout(self, request: Request) -> Response:
        response = self._to_login()
        response.delete_cookie(SESSION_COOKIE)
        return response

    # -- pending approvals ----------------------------------------------------------------------

    def _pending_values(self) -> dict[str, Any]:
        with self._store() as store:
            requests = store.pending()
            recent = {
                request.id: tuple(
                    store.recent(
                        agent=request.agent, session=request.session, cwd=request.cwd, limit=3
                    )
                )
                for request in requests
            }
            items = views.pending_items(requests, store.now(), recent)
        version = ",".join(item.request.id for item in items)
        return {"items": items, "durations": views.GRANT_DURATIONS, "version": version}

    def pending(self, request: Request) -> Response:
        return self._show(request, "pending", lambda: self._pending_values(), live=False)

    def pending_live(self, request: Request) -> Response:
        return self._show(request, "pending", lambda: self._pending_values(), live=True)

    async def approve(self, request: Request) -> Response:
        user = self._user(request)
        if user is None:
            return self._to_login()
        form = await self._form(request, user)
        if form is None:
            return Response("stale or forged form; reload the page", status_code=403)
        approval_id = request.path_params["approval_id"]
        grant = form.get("grant", "once")
        try:
            for_s = None if grant == "once" else parse_duration(grant)
        except ValueError:
            return self._back("/", f"not a duration: {grant}")
        try:
            with self._store() as store:
                decided = store.approve(
                    approval_id, once=for_s is None, for_s=for_s, by=user, route="web"
                )
        except (ApprovalError, StoreError) as error:
            return self._back("/", f"{approval_id}: {error}")
        if decided.status == "pending":  # production: a second person must approve too
            given = f"{len(decided.approvers)} of {decided.required}"
            return self._back("/", f"approval {given} recorded for {approval_id}")
        what = "once" if for_s is None else f"for {grant}"
        return self._back("/", f"approved {approval_id} {what}")

    async def deny(self, request: Request) -> Response:
        user = self._user(request)
        if user is None:
            return self._to_login()
        form = await self._form(request, user)
        if form is None:
            return Response("stale or forged form; reload the page", status_code=403)
        approval_id = request.path_params["approval_id"]
        reason = " ".join(form.get("reason", "").split())
        if not reason:
            return self._back("/", f"{approval_id}: say why you deny it (the agent reads it)")
        try:
            with self._store() as store:
                store.deny(approval_id, reason, by=user, route="web")
        except (ApprovalError, StoreError) as error:
            return self._back("/", f"{approval_id}: {error}")
        return self._back("/", f"denied {approval_id}")

    # -- the audit timeline ---------------------------------------------------------------------

    def _timeline_values(self, request: Request) -> dict[str, Any]:
        filters = views.LogFilters.from_params(request.query_params)
        with self._store() as store:
            query, problems = filters.query(store.now())
            records = store.records(query) if not problems else []
        return {
            "version": f"{len(records)}:{records[-1].id if records else 0}:{problems}",
            "filters": filters,
            "problems": problems,
            "records": list(reversed(records)),
            "decisions": views.DECISIONS,
            "live_query": urlencode(filters.params()),
        }

    def timeline(self, request: Request) -> Response:
        return self._show(request, "log", lambda: self._timeline_values(request), live=False)

    def timeline_live(self, request: Request) -> Response:
        return self._show(request, "log", lambda: self._timeline_values(request), live=True)

    # -- the notify queue -----------------------------------------------------------------------

    def _notify_values(self) -> dict[str, Any]:
        marks = reviews.read_reviews(self._reviews_path())
        with self._store() as store:
            records = store.records(
                LogQuery(decision="notify", kinds=("command",), limit=views.LOG_LIMIT)
            )
        found = views.needs_a_look(records, set(marks))
        return {"records": found, "version": ",".join(str(record.id) for record in found)}

    def notify(self, request: Request) -> Response:
        return self._show(request, "notify", lambda: self._notify_values(), live=False)

    def notify_live(self, request: Request) -> Response:
        return self._show(request, "notify", lambda: self._notify_values(), live=True)

    async def reviewed(self, request: Request) -> Response:
        user = self._user(request)
        if user is None:
            return self._to_login()
        if await self._form(request, user) is None:
            return Response("stale or forged form; reload the page", status_code=403)
        record_id = int(request.path_params["record_id"])
        with self._store() as store:
            now = iso(store.now())
        reviews.mark_reviewed(self._reviews_path(), record_id, f"{user} (web)", now)
        return self._back("/notify", f"record {record_id} marked reviewed")

    # -- sessions -------------------------------------------------------------------------------

    def _sessions_values(self) -> dict[str, Any]:
        with self._store() as store:
            records = store.records(LogQuery(kinds=("command",), limit=views.SUMMARY_WINDOW))
        version = f"{len(records)}:{records[-1].id if records else 0}"
        return {"summaries": views.session_summaries(records), "version": version}

    def sessions(self, request: Request) -> Response:
        return self._show(request, "sessions", lambda: self._sessions_values(), live=False)

    def sessions_live(self, request: Request) -> Response:
        return self._show(request, "sessions", lambda: self._sessions_values(), live=True)
