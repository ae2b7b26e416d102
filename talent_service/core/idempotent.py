"""The ``Idempotency-Key`` header of creating POSTs: the dependency routes declare, and its
OpenAPI entry. What it does is in ``core/idempotency.py``.

A route takes ``IdempotentDep`` (``PublicIdempotentDep`` on the public registration) after its
access rule, so the key is looked up for a caller already authenticated; a test enumerates the
routes answering 201 and fails on one without it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.concurrency import run_in_threadpool

from talent_service.core import idempotency
from talent_service.core.addresses import client_address
from talent_service.core.idempotency import HEADER, REPLAYED_HEADER
from talent_service.core.unit_of_work import PRINCIPAL_SCOPE_KEY, SessionDep

MAX_KEY_LENGTH = 255
KEY_PATTERN = r"^[\x20-\x7E]+$"  # printable ASCII; the draft's quoted form is taken as sent
KEY_DESCRIPTION = (
    "Makes this POST safe to retry (IETF httpapi Idempotency-Key draft, as Stripe does it): "
    "1–255 printable ASCII characters, unique per request, e.g. a UUID. The first 2xx answer "
    "is stored with the write it answers and, for 24 hours, a retry with the same key and the "
    "same request (method, path, JSON body) gets the same status and body again, with "
    "`Idempotent-Replayed: true`, and nothing is written twice. The same key with a different "
    "request answers 422 `idempotency-key-reused`; while the first request with the key is "
    "still running, 409 `idempotency-key-in-flight` (retry after `Retry-After`). 4xx answers "
    "are not stored: fix the request and retry with the same key. Keys are per caller (the "
    "token's subject; the client address where no token is needed)."
)

KeyHeader = Annotated[
    str | None,
    Header(
        alias=HEADER,
        min_length=1,
        max_length=MAX_KEY_LENGTH,
        pattern=KEY_PATTERN,
        description=KEY_DESCRIPTION,
    ),
]


class Idempotent:
    """Claims the request's key for its caller, or answers with the stored answer instead."""

    def __init__(self, *, public: bool) -> None:
        self.public = public

    async def __call__(self, request: Request, session: SessionDep, key: KeyHeader = None) -> None:
        if key is None:
            return
        caller = self._caller(request)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        print_ = idempotency.fingerprint(request.method, target, await request.body())
        answer = await run_in_threadpool(idempotency.claim, session, caller, key, print_)
        if answer is not None:
            raise idempotency.AnswerInstead(idempotency.replay(answer))

    def _caller(self, request: Request) -> str:
        if self.public:
            return f"address:{client_address(request)}"
        principal = request.scope.get(PRINCIPAL_SCOPE_KEY)
        if principal is None:  # declared before the access rule: a bug, not a caller's fault
            raise RuntimeError("Idempotent must come after the route's access rule")
        return str(principal.subject)[:100]

    def __repr__(self) -> str:
        return f"Idempotent(public={self.public})"


IdempotentDep = Annotated[None, Depends(Idempotent(public=False))]
PublicIdempotentDep = Annotated[None, Depends(Idempotent(public=True))]


# --- OpenAPI ---------------------------------------------------------------------------------

PARAMETER_REF = {"$ref": "#/components/parameters/IdempotencyKey"}
_IN_FLIGHT = "or `idempotency-key-in-flight`: the first request with this Idempotency-Key is "
_IN_FLIGHT += "still running"
_REUSED = "or `idempotency-key-reused`: this Idempotency-Key answered a different request"


def document(schema: dict[str, Any]) -> dict[str, Any]:
    """One reusable header parameter instead of a copy per operation; each operation taking it
    lists the replay header on its 2xx and the key's problems on its 409 and 422."""
    components = schema.setdefault("components", {})
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            parameters = operation.get("parameters", [])
            found = [p for p in parameters if p.get("in") == "header" and p.get("name") == HEADER]
            if not found:
                continue
            components.setdefault("parameters", {})["IdempotencyKey"] = found[0]
            operation["parameters"] = [PARAMETER_REF if p is found[0] else p for p in parameters]
            _document_responses(operation["responses"])
    components.setdefault("headers", {})["IdempotentReplayed"] = {
        "description": "`true` when this is the stored answer to an earlier request with the "
        "same Idempotency-Key (nothing was done again)",
        "schema": {"type": "string", "enum": ["true"]},
    }
    return schema


def _document_responses(responses: dict[str, Any]) -> None:
    problem = responses.get("422") or responses.get("409") or {}
    for status, note in (("409", _IN_FLIGHT), ("422", _REUSED)):
        entry = responses.setdefault(status, {**problem, "description": ""})
        entry["description"] = f"{entry['description']} {note}".strip()
    for status, entry in responses.items():
        if status.startswith("2"):
            headers = entry.setdefault("headers", {})
            headers[REPLAYED_HEADER] = {"$ref": "#/components/headers/IdempotentReplayed"}
