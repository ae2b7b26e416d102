"""``Cache-Control: no-store`` on every API response: they carry personal data or are about
people and firms, and no shared or browser cache may keep them. Reference data (cities) and the
public keys may be cached; the health probes do not matter.

A plain ASGI wrapper, not ``BaseHTTPMiddleware``: it only adds a header to the response start,
so the hot read pays one dictionary look-up and no task or stream of its own.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

NO_STORE = (b"cache-control", b"no-store")
_CACHEABLE = ("/v1/cities",)


class NoStoreMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith("/v1/") or path.startswith(_CACHEABLE):
            await self.app(scope, receive, send)
            return

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                if not any(name.lower() == b"cache-control" for name, _ in headers):
                    headers.append(NO_STORE)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_no_store)
