"""The signed-in dashboard context every page state builds on.

Every handler that reads or writes data opens `self.unit()` (a transaction plus the
checked actor) inside the handler: the session row is looked up again on each event, so a
revoked session, a removed member or a changed role takes effect at once.

Handlers let service errors propagate and wear `@shows_errors` under `@rx.event`: the
error's message becomes a toast (a lost sign-in goes to /login), or, with `fields=`, the
inline error of the field it names::

    @rx.event
    @shows_errors(fields="errors")       # {"first_name": "Enter a first name."}
    def save(self):
        with self.unit() as (session, actor):
            dto = profile_service.update_profile(session, actor, self.first_name, ...)
        self._fill(dto)
        return rx.toast.success("Profile updated successfully")

It works the same on sync, async and generator handlers. A handler that must undo
something when the service refuses (a spinner, an optimistic move) does it in its own
`try: ... finally:`; a handler whose failure is not the user's business catches the error
itself.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import reflex as rx
from sqlmodel import Session

from crm_app import routes
from crm_app.db import session_scope
from crm_app.services import access, sessions
from crm_app.services.access import Actor
from crm_app.services.errors import NotAuthenticated, ServiceError
from crm_app.state.dto import AgentOption

_TZ_SCRIPT = "Intl.DateTimeFormat().resolvedOptions().timeZone"


def time_zone_name(name) -> str:
    """The browser's IANA time zone name as sent by _TZ_SCRIPT, or "" when it is not one."""
    name = str(name or "")[:64]
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ""
    return name


def route_param(router, name: str) -> str:
    """The `[name]` segment of the current page's route (e.g. `agent_id`), read off the URL
    that route matched: `router.page.params` is deprecated in Reflex 0.10."""
    pattern = router.route_id.strip("/").split("/")
    path = router.url.path.strip("/").split("/")
    if len(pattern) != len(path):
        return ""
    return next((unquote(value) for part, value in zip(pattern, path) if part == f"[{name}]"), "")


class AppState(rx.State):
    """Dashboard shell: who is signed in and which agents they can open."""

    signed_in: bool = False
    user_name: str = ""
    user_email: str = ""
    role: str = ""
    org_name: str = ""
    agents: list[AgentOption] = []
    current_agent_key: str = ""  # the agent whose CRM the sidebar shows ("" when none)

    @rx.var
    def user_initials(self) -> str:
        parts = [p for p in self.user_name.replace("@", " ").split() if p]
        return "".join(p[0] for p in parts[:2]).upper() or "?"

    # ------------------------------------------------------------------ guards

    def _client_ip(self) -> str:
        return self.router.session.client_ip or ""

    def _token(self) -> str | None:
        return sessions.token_from_cookie_header(self.router.headers.cookie)

    def actor(self, session: Session) -> Actor:
        actor = sessions.resolve_session(session, self._token(), ip=self._client_ip())
        if actor is None:
            raise NotAuthenticated("Please sign in again.")
        return actor

    @contextmanager
    def unit(self, *, read_only: bool = False) -> Iterator[tuple[Session, Actor]]:
        """A transaction plus the checked actor, for one handler (read_only for pure reads)."""
        with session_scope(read_only=read_only) as session:
            yield session, self.actor(session)

    def route_agent_id(self) -> int | None:
        raw = route_param(self.router, "agent_id")
        return int(raw) if raw.isdigit() else None

    # ------------------------------------------------------------------ events

    @rx.event
    def load_shell(self):
        """on_load of every dashboard page: refresh the shell or send to sign-in."""
        with session_scope() as session:
            actor = sessions.resolve_session(session, self._token(), ip=self._client_ip())
            if actor is None:
                self.signed_in = False
                return rx.redirect("/login")
            self._fill_shell(session, actor)

    def _fill_shell(self, session: Session, actor: Actor) -> None:
        self.signed_in = True
        self.user_name = actor.display_name
        self.user_email = actor.email
        self.role = actor.role
        self.org_name = sessions.org_name(session, actor.org_id)
        self.agents = [
            AgentOption(a.id, a.name, a.slug) for a in access.visible_agents(session, actor)
        ]
        keys = {str(a.id) for a in self.agents}
        routed = self.route_agent_id()
        if routed is not None and str(routed) in keys:
            self.current_agent_key = str(routed)
        elif self.current_agent_key not in keys:
            self.current_agent_key = str(self.agents[0].id) if self.agents else ""

    def _show_service_error(self, error: ServiceError, fields: str | None):
        """What `shows_errors` does with a refused call (see the module's docstring)."""
        if fields and error.field and not isinstance(error, NotAuthenticated):
            if isinstance(getattr(self, fields), str):
                setattr(self, fields, error.message)
            else:
                errors = getattr(error, "errors", None) or [error]
                setattr(self, fields, {e.field: e.message for e in errors if e.field})
            return None
        return error_toast(error)

    @rx.event
    def switch_agent(self, agent_key: str):
        if agent_key not in {str(a.id) for a in self.agents}:
            return rx.toast.error("Agent not found.")
        self.current_agent_key = agent_key
        return rx.redirect(routes.agent_path(routes.CONTACTS, agent_key))


class DialogFlags(rx.State, mixin=True):
    """One `set_open` event for every dialog of a state (`on_open_change=S.set_open("edit_open")`)
    instead of a setter per dialog. A mixin: an event handler inherited from a parent state
    would run on the parent, which does not have the child's flags."""

    @rx.event
    def set_open(self, flag: str, value: bool):
        """Only a `*_open` bool var of this state: the browser may open or close a dialog."""
        if str(flag).endswith("_open") and isinstance(getattr(self, str(flag), None), bool):
            setattr(self, flag, bool(value))


def shows_errors(handler: Callable | None = None, *, fields: str | None = None):
    """Decorator for event handlers (below `@rx.event`): a `ServiceError` raised in the
    handler is shown to the user instead of failing the event. With `fields` (the name of
    a `dict[str, str]` or `str` state var) an error naming a field goes there; every other
    error is a toast."""

    def decorate(fn: Callable) -> Callable:
        def shown(state, error: ServiceError):
            return state._show_service_error(error, fields)

        if inspect.isasyncgenfunction(fn):

            @functools.wraps(fn)
            async def wrapper(self, *args, **kwargs):
                try:
                    async for event in fn(self, *args, **kwargs):
                        yield event
                except ServiceError as error:
                    yield shown(self, error)

        elif inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def wrapper(self, *args, **kwargs):
                try:
                    return await fn(self, *args, **kwargs)
                except ServiceError as error:
                    return shown(self, error)

        elif inspect.isgeneratorfunction(fn):

            @functools.wraps(fn)
            def wrapper(self, *args, **kwargs):
                try:
                    return (yield from fn(self, *args, **kwargs))
                except ServiceError as error:
                    return shown(self, error)

        else:

            @functools.wraps(fn)
            def wrapper(self, *args, **kwargs):
                try:
                    return fn(self, *args, **kwargs)
                except ServiceError as error:
                    return shown(self, error)

        return wrapper

    return decorate(handler) if handler is not None else decorate


def error_toast(error: Exception):
    """Show a service error as a toast; sign-in problems send the browser to /login."""
    if isinstance(error, NotAuthenticated):
        return rx.redirect("/login")
    if isinstance(error, ServiceError):
        return rx.toast.error(error.message)
    raise error


class BrowserTimeZone(rx.State, mixin=True):
    """Times shown in the viewer's time zone (UTC until the browser says): a state's `load`
    ends with `return self._ask_time_zone()`; the browser's answer comes back to
    `set_time_zone`, which keeps it in `_tz_name` and reloads with the state's `_refill()`."""

    _tz_name: str = ""

    def _ask_time_zone(self):
        if self._tz_name:
            return None
        return rx.call_script(_TZ_SCRIPT, callback=type(self).set_time_zone)

    def _refill(self) -> None:
        raise NotImplementedError

    @rx.event
    @shows_errors
    def set_time_zone(self, name: str):
        if name := time_zone_name(name):
            self._tz_name = name
            self._refill()
