"""The ``talent-service`` command: serve, migrate, demo, accounts (create, deactivate, new
password or secret), policies, audit, purge-idempotency-keys.

Every command runs from scripts without prompts (passwords come on stdin or as options).
"""

from __future__ import annotations

import signal
import sys
from typing import Annotated

import typer
from rich.console import Console

from talent_service.core.config import get_settings
from talent_service.reference.enums import Role

app = typer.Typer(
    help="talent-service: Guangdong talent reverse-enclave registry.", no_args_is_help=True
)
console = Console()
GRACEFUL_SHUTDOWN_SECONDS = 30
# An idle keep-alive connection is kept longer than clients keep theirs (httpx: 5 s, browsers and
# proxies up to 60 s): if the server closed first, a client sending on the connection just as
# it closes gets no response at all, and a POST it cannot safely resend. uvicorn's default is 5 s.
KEEP_ALIVE_SECONDS = 75


@app.callback()
def _name_the_command(context: typer.Context) -> None:
    """talent-service: Guangdong talent reverse-enclave registry."""
    from talent_service.core.unit_of_work import set_command

    # What the command's audit entry is called: ``talent-service create-user``.
    set_command(context.invoked_subcommand or "")


@app.command()
def migrate() -> None:
    """Upgrade the database (TALENT_DATABASE_URL) to the newest schema."""
    from talent_service.core.migrations import upgrade

    upgrade(get_settings().database_url)
    console.print("[green]database at head[/green]")


def _exit_cleanly(_signal: int, _frame: object) -> None:
    raise SystemExit(0)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes")] = 1,
) -> None:
    """Run the HTTP service with uvicorn. On SQLite, migrations are applied first.

    Several workers work on SQLite too (WAL, writes take the file's one write lock in turn and
    wait up to 15 s for it), but they add no write throughput there: use PostgreSQL for that.
    SIGTERM stops accepting connections, lets requests in flight finish (up to 30 s) and exits 0.
    """
    import uvicorn

    # uvicorn shuts down gracefully on SIGTERM, then raises the signal again once its own handler
    # is gone: this one turns that into exit code 0 (a shutdown that was asked for and finished),
    # and before uvicorn starts it still stops the process.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    settings = get_settings()
    if settings.is_sqlite:
        from talent_service.core.migrations import upgrade

        upgrade(settings.database_url)
    uvicorn.run(
        "talent_service.main:app",
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        proxy_headers=True,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )


@app.command()
def worker() -> None:
    """Deliver webhooks from the outbox until SIGTERM or Ctrl-C (several may run at once).

    Each round claims due deliveries under a lease, so a worker killed at any moment loses no
    event: its claims expire and another worker (or this one, restarted) sends them again.
    """
    import threading

    from talent_service.core.db import get_engine
    from talent_service.core.signing_keys import signing_key
    from talent_service.webhooks.delivery import run

    stop = threading.Event()

    def _stop(_signal: int, _frame: object) -> None:
        stop.set()  # the round in flight finishes and settles, then the loop ends

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    console.print("[green]webhook worker running[/green]")
    run(stop, get_engine(), signing_key())


@app.command()
def demo(
    password: Annotated[str, typer.Option(help="Password given to every demo account")],
    seed: Annotated[
        int, typer.Option(help="Random seed; the same seed gives the same data")
    ] = 2024,
) -> None:
    """Fill an empty database with deterministic demo data, accounts and the default policies.

    On a database that already holds data it changes nothing and says so (exit code 0), so the
    README's first command can be run again.
    """
    from talent_service.accounts.service import MIN_PASSWORD
    from talent_service.core.db import get_engine, refresh_statistics
    from talent_service.core.errors import DomainError
    from talent_service.core.migrations import upgrade
    from talent_service.core.unit_of_work import session_scope
    from talent_service.demo.loader import load_demo
    from talent_service.eligibility.policies.store import load_default_policies

    if len(password) < MIN_PASSWORD:
        raise typer.BadParameter(f"use at least {MIN_PASSWORD} characters", param_hint="--password")
    upgrade(get_settings().database_url)
    try:
        with session_scope() as session:
            summary = load_demo(session, password=password, seed=seed)
            policies = load_default_policies(session)
    except DomainError as exc:
        typer.echo(f"demo not loaded: {exc.detail}")
        return
    refresh_statistics(get_engine())
    for line in summary:
        typer.echo(line)
    typer.echo(f"  policies:       {policies} illustrative default policies (replace them)")


@app.command("create-user")
def create_user(
    username: Annotated[str, typer.Argument(help="Login name")],
    role: Annotated[Role, typer.Option(help="province, bureau or firm")],
    city: Annotated[str | None, typer.Option(help="City code (bureau)")] = None,
    firm_id: Annotated[int | None, typer.Option(help="Firm id (firm)")] = None,
    password_stdin: Annotated[bool, typer.Option(help="Read the password from stdin")] = False,
) -> None:
    """Create a login account; the password is read from stdin."""
    from talent_service.accounts.service import create_user as create

    if not password_stdin:
        raise typer.BadParameter("pass --password-stdin and the password on stdin")
    password = sys.stdin.readline().rstrip("\n")
    from talent_service.core.unit_of_work import session_scope

    with session_scope() as session:
        user = create(session, username, role, password, city_code=city, firm_id=firm_id)
        console.print(f"created {user.role.value} user {user.username} (id {user.id})")


@app.command("create-client")
def create_client(
    name: Annotated[
        str, typer.Argument(help="What the system is, e.g. 'Shenzhen school admission'")
    ],
    scope: Annotated[list[str], typer.Option(help="Granted scope; repeat for several")],
    city: Annotated[str | None, typer.Option(help="City the client is bound to")] = None,
) -> None:
    """Create a machine client; its id and secret are printed once."""
    from talent_service.accounts.service import create_client as create
    from talent_service.core.unit_of_work import session_scope

    with session_scope() as session:
        client, secret = create(session, name, scope, city_code=city)
        console.print(f"client_id:     {client.client_id}")
        console.print(f"client_secret: {secret}")
        console.print("[yellow]the secret is shown only now; store it safely[/yellow]")


@app.command("deactivate-user")
def deactivate_user(username: Annotated[str, typer.Argument(help="Login name")]) -> None:
    """Deactivate a login account; its tokens are refused within seconds."""
    from talent_service.accounts.service import deactivate_user as deactivate
    from talent_service.core.unit_of_work import session_scope

    with session_scope() as session:
        user = deactivate(session, username)
        console.print(f"deactivated user {user.username}; its tokens end")


@app.command("set-password")
def set_password(
    username: Annotated[str, typer.Argument(help="Login name")],
    password_stdin: Annotated[bool, typer.Option(help="Read the password from stdin")] = False,
) -> None:
    """Give a user a new password (from stdin); the user's existing tokens end."""
    from talent_service.accounts.service import set_password as set_new
    from talent_service.core.unit_of_work import session_scope

    if not password_stdin:
        raise typer.BadParameter("pass --password-stdin and the password on stdin")
    password = sys.stdin.readline().rstrip("\n")
    with session_scope() as session:
        user = set_new(session, username, password)
        console.print(f"new password for {user.username}; its tokens end")


@app.command("deactivate-client")
def deactivate_client(client_id: Annotated[str, typer.Argument(help="cl_…")]) -> None:
    """Deactivate a machine client; its tokens are refused within seconds."""
    from talent_service.accounts.service import deactivate_client as deactivate
    from talent_service.core.unit_of_work import session_scope

    with session_scope() as session:
        client = deactivate(session, client_id)
        console.print(f"deactivated client {client.client_id}; its tokens end")


@app.command("rotate-client-secret")
def rotate_client_secret(client_id: Annotated[str, typer.Argument(help="cl_…")]) -> None:
    """A new secret for a machine client, printed once; the old one and its tokens end."""
    from talent_service.accounts.service import rotate_client_secret as rotate
    from talent_service.core.unit_of_work import session_scope

    with session_scope() as session:
        client, secret = rotate(session, client_id)
        console.print(f"client_id:     {client.client_id}")
        console.print(f"client_secret: {secret}")
        console.print("[yellow]the secret is shown only now; store it safely[/yellow]")


@app.command("purge-idempotency-keys")
def purge_idempotency_keys() -> None:
    """Delete the stored Idempotency-Key answers that have expired (each request that stores
    one also deletes up to 100); run it from cron where POSTs with keys are rare."""
    from talent_service.core import clock, idempotency
    from talent_service.core.unit_of_work import session_scope

    with session_scope() as session:
        purged = idempotency.purge_expired(session, clock.now())
    console.print(f"purged {purged} expired idempotency keys")


policies_app = typer.Typer(
    help="Benefit policies: load the ILLUSTRATIVE default pack.", no_args_is_help=True
)
app.add_typer(policies_app, name="policies")


@policies_app.command(
    "load-defaults",
    help=(
        "Store the illustrative default policies (a host-side policy for each PRD city, a "
        "home-side policy for each other city, for each of the four benefits) wherever a city "
        "has no policy for that benefit yet, and print how many were added.\n\n"
        "Idempotent: a second run adds 0, and a city's own policies are never replaced. The "
        "defaults are examples shaped like real rules and say so; administrators replace them. "
        "Uses TALENT_DATABASE_URL; run `talent-service migrate` first."
    ),
)
def load_default_policies() -> None:
    """Load the illustrative default policy pack (idempotent)."""
    from sqlalchemy import inspect

    from talent_service.core.db import get_engine
    from talent_service.core.unit_of_work import session_scope
    from talent_service.eligibility.policies.store import load_default_policies as load

    if not inspect(get_engine()).has_table("policy"):
        console.print("[red]the database has no policy table: run `talent-service migrate`[/red]")
        raise typer.Exit(1)
    with session_scope() as session:
        added = load(session)
    console.print(f"added {added} default policies")


audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def audit_verify(
    jwks_file: Annotated[
        typer.FileText | None,
        typer.Option(
            "--jwks", help="Verify checkpoints with this JWKS (default: this service's keys)"
        ),
    ] = None,
) -> None:
    """Recompute the audit chain and check its signed checkpoints (TALENT_DATABASE_URL).

    Exit code 0 when the chain is intact; 1, naming the first broken entry, when a row was
    edited, deleted or reordered, or a checkpoint does not verify.
    """
    import json

    from talent_service.audit.verify import verify_chain
    from talent_service.core.db import make_engine
    from talent_service.core.signing_keys import published_jwks

    keys = json.load(jwks_file) if jwks_file is not None else published_jwks()
    # One snapshot for the whole pass, so appends made meanwhile are not mistaken for a break:
    # a SQLite read transaction (WAL), a REPEATABLE READ transaction on PostgreSQL (which the
    # streamed cursor needs anyway).
    engine = make_engine(get_settings().database_url, pool_size=1, writes=False)
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    with engine.connect() as connection:
        report = verify_chain(connection, keys)
    if not report.ok:
        typer.echo(f"audit chain broken at entry {report.broken_seq}: {report.problem}")
        raise typer.Exit(1)
    typer.echo(
        f"audit chain intact: {report.entries} entries, {report.checkpoints} signed checkpoints"
    )


if __name__ == "__main__":
    app()
