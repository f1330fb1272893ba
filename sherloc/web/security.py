"""HTTP hardening: security headers with a per-response script nonce, the client's address behind trusted
proxies, and per-client rate limits on search and login (429 with Retry-After).

What each defence covers, and what it does not, is in SECURITY.md.
"""

from __future__ import annotations

import io
import ipaddress
import logging
import math
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, current_app, g, request
from flask_babel import lazy_gettext as _l
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

from sherloc.settings import Settings

log = logging.getLogger(__name__)

EXTENSION = "sherloc_security"  # app.extensions key of the app's RateLimits

# Scripts: the package's own files, and an inline script only when it carries this response's nonce (the
# world map's, written by folium). No 'unsafe-inline' and no 'unsafe-eval' for scripts. Styles allow
# inline attributes: the templates and folium set style="" on elements, which cannot run code.
# img-src data: for Leaflet's and Swagger UI's inline SVG icons. Nothing is loaded from elsewhere
# (ground rule: no network at run time), so every source list is 'self'.
CSP = (
    "default-src 'self'; "
    "script-src 'self' 'nonce-{nonce}'; "
    "style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; "
    "font-src 'self'; "
    "connect-src 'self'; "
    "object-src 'none'; "
    "base-uri 'none'; "
    "form-action 'self'; "
    "frame-ancestors 'none'"
)
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate CSP 2
    # Another site sees at most our origin, never a search's words in a URL.
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}
HSTS = "max-age=31536000"  # sent over HTTPS only: a plain-HTTP answer cannot set it anyway


def csp_nonce() -> str:
    """This response's script nonce (templates: `<script nonce="{{ csp_nonce() }}">`)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    nonce: str = g.csp_nonce
    return nonce


def _security_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers["Content-Security-Policy"] = CSP.format(nonce=csp_nonce())
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def _refuse_streamed_bodies_over_the_limit() -> None:
    """A body sent without Content-Length (chunked) over MAX_CONTENT_LENGTH is a 413, as one with it is.

    werkzeug stops reading such a body at the limit and hands the view what it read, silently cut short:
    a truncated JSON or form would be parsed as if whole. So read it here, first of all the request hooks,
    up to one byte past the limit: over it is a 413; within it, the view reads the body as if it had come
    with its length."""
    environ = request.environ
    if request.content_length is not None or "wsgi.input_terminated" not in environ:
        return
    limit = request.max_content_length
    if limit is None or request.method in ("GET", "HEAD", "OPTIONS"):
        return
    stream = environ["wsgi.input"]
    body = bytearray()
    while len(body) <= limit and (chunk := stream.read(min(65536, limit + 1 - len(body)))):
        body += chunk
    if len(body) > limit:
        raise RequestEntityTooLarge()
    environ["wsgi.input"] = io.BytesIO(bytes(body))
    environ["CONTENT_LENGTH"] = str(len(body))
    environ.pop("wsgi.input_terminated")
    request.__dict__.pop("stream", None)  # in case a hook before this one looked at it


# -- rate limits ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limit:
    """One rate limit: a group of views, its budget per client, and the message of a refusal."""

    group: str
    item: RateLimitItem
    message: Callable[..., Any]  # a lazy translation taking count, window and seconds
    methods: frozenset[str]


class RateLimits:
    """Sliding-window limits per client (an IPv4 address, an IPv6 /64), counted in `storage`
    (memory:// by default: each process counts on its own; a shared redis:// lets every worker and host
    count together, see SECURITY.md)."""

    def __init__(self, settings: Settings, views: dict[Callable[..., Any], str]) -> None:
        self.uri = settings.rate_limit_storage
        self.limits = {
            "search": Limit(
                "search",
                parse(settings.rate_limit_search),
                lambda **kw: _l(
                    "Too many searches from your address (more than %(count)s in %(window)s seconds). Try "
                    "again in %(seconds)s seconds.",
                    **kw,
                ),
                frozenset({"GET", "HEAD", "POST"}),
            ),
            "login": Limit(
                "login",
                parse(settings.rate_limit_login),
                lambda **kw: _l(
                    "Too many login attempts from your address (more than %(count)s in %(window)s "
                    "seconds). Try again in %(seconds)s seconds.",
                    **kw,
                ),
                frozenset({"POST"}),  # showing the form is free; trying a password is not
            ),
        }
        self.views = views
        self.scheme = self.uri.partition(":")[0]
        self._pid = 0
        self._warned = -60.0
        self._counter: SlidingWindowCounterRateLimiter | None = None
        self._lock = threading.Lock()

    def _limiter(self) -> SlidingWindowCounterRateLimiter:
        # Made in the process that counts: a gunicorn worker must not share a memory storage's timer
        # thread (or a client socket of a shared storage) with the master it was forked from. Sliding
        # window counters, not a moving window's list of every hit: two numbers per client and window, which
        # the memory storage forgets once they expire, whatever the number of clients.
        with self._lock:
            return self._limiter_here()

    def _limiter_here(self) -> SlidingWindowCounterRateLimiter:
        if self._pid != os.getpid() or self._counter is None:
            # A shared storage that hangs would hang every search: half a second, then it counts as down.
            timeouts = (
                {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}
                if self.scheme.startswith("redis")
                else {}
            )
            self._counter = SlidingWindowCounterRateLimiter(storage_from_string(self.uri, **timeouts))
            self._pid = os.getpid()
        return self._counter

    def storage_failed(self, exc: Exception) -> None:
        """Let requests through while the storage is down, and say so at most once a minute per process
        (the kind of error only: the storage's URL may hold a password)."""
        now = time.monotonic()
        if now - self._warned >= 60:
            self._warned = now
            log.error(
                "rate limit storage %s failed (%s); letting requests through", self.scheme, type(exc).__name__
            )

    def limit_for(self, view: Callable[..., Any] | None, method: str) -> Limit | None:
        group = self.views.get(view) if view is not None else None
        found = self.limits.get(group) if group else None
        return found if found is not None and method in found.methods else None

    def check(self, limit: Limit, client: str) -> int | None:
        """None if `client` may go on (the request is counted), else the seconds until it may."""
        if self._limiter().hit(limit.item, limit.group, client):
            return None
        stats = self._limiter().get_window_stats(limit.item, limit.group, client)
        return max(1, math.ceil(stats.reset_time - time.time()))


def client_key(address: str | None) -> str:
    """Whom a rate limit counts: an IPv4 address, or the /64 network of an IPv6 one (a single IPv6 host
    commonly holds a whole /64, and could take a new address for every request)."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return address or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # ::ffff:192.0.2.1 is 192.0.2.1
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def _check_rate_limit() -> Response | None:
    limits: RateLimits | None = current_app.extensions.get(EXTENSION)
    if limits is None or request.endpoint is None:
        return None
    limit = limits.limit_for(current_app.view_functions.get(request.endpoint), request.method)
    if limit is None:
        return None
    client = client_key(request.remote_addr)
    try:
        wait = limits.check(limit, client)
    except Exception as exc:  # a shared storage that is down must not take search and login down with it
        limits.storage_failed(exc)
        return None
    if wait is None:
        return None
    from sherloc.web.errors import error_response, retry_later

    log.info("rate limit %s reached by a client; retry in %s s", limit.group, wait)
    message = limit.message(count=limit.item.amount, window=limit.item.get_expiry(), seconds=wait)
    return retry_later(error_response(429, message), wait)


def init_app(app: Flask, settings: Settings) -> None:
    """Headers on every answer; the proxy fix; rate limits on the views that search and on login."""
    if settings.proxy_count:
        # Only as many X-Forwarded-For/-Proto hops as there are proxies we run are believed; a client
        # cannot choose its address (and so its rate-limit budget) by sending the header itself. The host
        # is not taken from X-Forwarded-Host: the proxy passes the Host header on as it is.
        n = settings.proxy_count
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)  # type: ignore[method-assign]
    app.after_request(_security_headers)
    # First of all the hooks: CSRF protection and the views read the body after it.
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_streamed_bodies_over_the_limit)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    if settings.rate_limits:
        app.extensions[EXTENSION] = RateLimits(settings, rate_limited_views())
        app.before_request(_check_rate_limit)


def rate_limited_views() -> dict[Callable[..., Any], str]:
    """The views each limit covers: every view that runs a search, and the login form."""
    from sherloc.web import api, auth, maps, pages

    return {
        api.search: "search",
        api.facets: "search",
        api.export: "search",
        pages.search: "search",
        maps.world: "search",
        auth.login: "login",
    }
