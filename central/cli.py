"""`kiosk-central`: serve the reference central server and administer its database.

Output meant for programs is JSON lines on stdout; progress and logs go to stderr. Exit codes:
0 success, 1 the command ran and found a problem (bad CSV rows, unknown kiosk), 2 bad usage or
configuration, or a database without its schema.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from central import ServerError, __version__
from central.config import CentralConfig, CentralConfigError, load
from central.errors import AdminError, DatabaseError, ImportRejected

EXIT_PROBLEM = 1
EXIT_USAGE = 2

log = logging.getLogger("central.cli")
_engines: list[Engine] = []  # disposed when the command ends (main may run in-process)


def _emit(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False), flush=True)


def _config(args: argparse.Namespace) -> CentralConfig:
    config = load(args.config)
    changes: dict[str, object] = {}
    if args.db:
        changes["database_url"] = args.db
    for option in ("host", "port", "public_url"):
        value = getattr(args, option, None)
        if value is not None:
            changes[option] = value
    return config.with_server(**changes) if changes else config


def _engine(config: CentralConfig, *, migrated: bool = True) -> Engine:
    from central.db import make_engine, require_schema

    engine = make_engine(config.server.database_url, pool_size=2)
    _engines.append(engine)
    if migrated:
        require_schema(engine)
    return engine


def cmd_serve(args: argparse.Namespace) -> int:
    from central.serve import serve

    return serve(
        _config(args),
        workers=args.workers,
        config_path=args.config,
        log_level=args.log_level,
        public_url_given=args.public_url is not None,
        announce=_emit,
    )


def cmd_init_db(args: argparse.Namespace) -> int:
    from central.migrate import HEAD_REVISION, upgrade

    config = _config(args)
    engine = _engine(config, migrated=False)
    before = upgrade(engine, config.server.secret_key)
    _emit(
        {
            "database": engine.url.render_as_string(hide_password=True),
            "from": before,
            "to": HEAD_REVISION,
        }
    )
    return 0


def cmd_add_kiosk(args: argparse.Namespace) -> int:
    from central import kiosks

    config = _config(args)
    secret = kiosks.add(
        _engine(config),
        config.server.secret_key,
        args.kiosk_id,
        name=args.name or "",
        replace=args.rotate,
    )
    _emit(
        {
            "kiosk_id": args.kiosk_id,
            "secret": secret,
            "note": "shown once: put it in the kiosk's KIOSK_SECRET",
        }
    )
    return 0


def cmd_set_enabled(enabled: bool) -> Callable[[argparse.Namespace], int]:
    def handler(args: argparse.Namespace) -> int:
        from central import kiosks

        kiosks.set_enabled(_engine(_config(args)), args.kiosk_id, enabled)
        _emit({"kiosk_id": args.kiosk_id, "enabled": enabled})
        return 0

    return handler


def cmd_import(kind: str) -> Callable[[argparse.Namespace], int]:
    def handler(args: argparse.Namespace) -> int:
        from central import imports

        engine = _engine(_config(args))
        from central import channel_imports

        run = {
            "accounts": imports.import_accounts,
            "bills": imports.import_bills,
            "payments": channel_imports.import_payments,
        }[kind]
        result = run(engine, Path(args.csv))
        _emit({"file": args.csv, **result.as_json()})
        return 0

    return handler


def cmd_cards(args: argparse.Namespace) -> int:
    from central import cards

    config = _config(args)
    engine = _engine(config)
    if args.action == "generate":
        if args.face_fen is None or args.count is None or args.out is None:
            raise AdminError("cards generate needs --face-fen, --count and --out FILE.csv")
        made = cards.generate(
            engine,
            config.server.secret_key,
            face_fen=args.face_fen,
            count=args.count,
            out=Path(args.out),
        )
        _emit({"generated": made, "face_fen": args.face_fen, "file": args.out})
    else:
        for line in cards.listing(engine):
            _emit(line)
    return 0


def cmd_seed_demo(args: argparse.Namespace) -> int:
    from central import seed
    from central.context import Central

    config = _config(args)
    engine = _engine(config)
    today = Central(config, engine).today()
    for line in seed.seed(
        engine,
        config.server.secret_key,
        today,
        kiosk_id=args.kiosk_id,
        kiosk_secret=args.kiosk_secret,
    ):
        _emit(line)
    from central import seed_fleet

    for line in seed_fleet.seed(engine, today, kiosk_id=args.kiosk_id):
        _emit(line)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from central import report

    config = _config(args)
    try:
        start, end = date.fromisoformat(args.start), date.fromisoformat(args.end)
    except ValueError as exc:
        raise AdminError(f"--from and --to take dates as YYYY-MM-DD: {exc}") from exc
    if end < start:
        raise AdminError("--to is before --from")
    for line in report.build(
        _engine(config), start=start, end=end, zone=config.server.zone, kiosk_id=args.kiosk
    ):
        _emit(line)
    return 0


def _read_password(prompt: str) -> str:
    """From the terminal without echo, or the first line of stdin when it is not a terminal."""
    if sys.stdin.isatty():
        import getpass

        first = getpass.getpass(prompt)
        if getpass.getpass("again: ") != first:
            raise AdminError("the two passwords differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def cmd_operators(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from central import operators
    from central.schema_fleet import Role

    engine = _engine(_config(args))
    now = datetime.now(UTC)
    if args.action == "list":
        for line in operators.listing(engine):
            _emit(line)
        return 0
    if not args.name:
        raise AdminError(f"operators {args.action} needs the operator's NAME")
    password = _read_password(f"password for {args.name}: ")
    if args.action == "add":
        made = operators.add(engine, args.name, Role(args.role), password, now=now)
        _emit({"operator": made.name, "role": made.role.value, "added": True})
    else:
        operators.set_password(engine, args.name, password, now=now)
        _emit({"operator": args.name, "password_set": True})
    return 0


def cmd_command(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from central import commands
    from central.schema_fleet import CommandKind

    kind = CommandKind(args.kind)
    made = commands.create(
        _engine(_config(args)),
        args.kiosk_id,
        kind,
        commands.arguments(kind, message=args.message, method=args.method, hours=args.hours),
        actor="cli",
        now=datetime.now(UTC),
    )
    _emit({**made, "status": "pending"})
    return 0


def cmd_commands(args: argparse.Namespace) -> int:
    from central import commands, db

    with db.read(_engine(_config(args))) as conn:
        for line in commands.listing(conn, args.kiosk_id, limit=args.limit):
            _emit(line)
    return 0


def cmd_pair_code(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from central import pairing

    config = _config(args)
    code, expires = pairing.issue_code(
        _engine(config),
        config.server.secret_key,
        args.kiosk_id,
        ttl_s=config.console.pair_code_ttl_s,
        now=datetime.now(UTC),
        actor="cli",
    )
    _emit(
        {
            "kiosk_id": args.kiosk_id,
            "code": code,
            "expires_at": expires.isoformat(timespec="seconds"),
            "note": "one use: enter it on the kiosk, which fetches its secret with POST /v1/pair",
        }
    )
    return 0


def cmd_reconcile_provider(args: argparse.Namespace) -> int:
    from central.context import Central
    from central.paycode import provider_for
    from central.paycode_reconcile import reconcile

    try:
        day = date.fromisoformat(args.date)
    except ValueError as exc:
        raise AdminError(f"DATE is YYYY-MM-DD: {exc}") from exc
    config = _config(args)
    central = Central(config, _engine(config))
    differences = reconcile(central, provider_for(central), day)
    for line in differences:
        _emit(line)
    return EXIT_PROBLEM if differences else 0


def cmd_invoices(args: argparse.Namespace) -> int:
    from central import invoices
    from central.schema_invoice import InvoiceState

    state = InvoiceState(args.state) if args.state else None
    for line in invoices.listing(_engine(_config(args)), state):
        _emit(line)
    return 0


def build_parser() -> argparse.ArgumentParser:
    from central.seed import DEMO_KIOSK_ID, DEMO_KIOSK_SECRET

    parser = argparse.ArgumentParser(
        prog="kiosk-central", description="Reference central server for payment kiosks."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", help="database URL (default: from config/central.toml)")
    common.add_argument(
        "--config", help="central.toml to use (default: CENTRAL_CONFIG or config/central.toml)"
    )
    common.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING or ERROR")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(
        name: str, help_text: str, handler: Callable[[argparse.Namespace], int]
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, parents=[common])
        sub.set_defaults(handler=handler)
        return sub

    serve = add("serve", "serve the HTTP API (--host H --port P)", cmd_serve)
    serve.add_argument("--host", help="address to listen on (default: server.host)")
    serve.add_argument(
        "--port", type=int, help="port (0: a free one, printed; default: server.port)"
    )
    serve.add_argument(
        "--public-url", help="base of receipt and wallet links (default: server.public_url)"
    )
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    add("init-db", "create or migrate the database schema", cmd_init_db)
    kiosk = add("add-kiosk", "register a kiosk and print its new secret once", cmd_add_kiosk)
    kiosk.add_argument("kiosk_id")
    kiosk.add_argument("--name", help="where it stands, for reports")
    kiosk.add_argument("--rotate", action="store_true", help="give an existing kiosk a new secret")
    for name, enabled in (("disable-kiosk", False), ("enable-kiosk", True)):
        sub = add(
            name,
            f"{name.split('-')[0]} a kiosk (a disabled kiosk gets 401)",
            cmd_set_enabled(enabled),
        )
        sub.add_argument("kiosk_id")
    for kind in ("accounts", "bills", "payments"):
        sub = add(
            f"import-{kind}",
            f"import {kind} from CSV (bad rows reported by line)",
            cmd_import(kind),
        )
        sub.add_argument("csv", help="the CSV file (see docs/central.md for the columns)")
    cards = add("cards", "generate recharge cards (PINs written once) or list them", cmd_cards)
    cards.add_argument("action", choices=["generate", "list"])
    cards.add_argument("--face-fen", type=int, help="face value in fen (20000 = ¥200)")
    cards.add_argument("--count", type=int, help="how many cards")
    cards.add_argument("--out", help="new CSV file for card numbers and PINs")
    seed = add(
        "seed-demo",
        "create demo accounts, bills, cards and a demo kiosk; print them",
        cmd_seed_demo,
    )
    seed.add_argument("--kiosk-id", default=DEMO_KIOSK_ID)
    seed.add_argument("--kiosk-secret", default=DEMO_KIOSK_SECRET)
    report = add(
        "report",
        "per kiosk and period: payments by method, cash by denomination, collections",
        cmd_report,
    )
    report.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
    report.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")
    report.add_argument("--kiosk", help="only this kiosk")
    recon = add(
        "reconcile-provider",
        "compare the payment-code provider's statement of DATE with the ledger (JSON lines; "
        "exit 1 on differences)",
        cmd_reconcile_provider,
    )
    recon.add_argument("date", help="the day, YYYY-MM-DD (server.timezone)")
    listed_invoices = add(
        "invoices", "e-invoice requests and their state, oldest first, as JSON lines", cmd_invoices
    )
    listed_invoices.add_argument("--state", choices=["requested", "issued", "failed"])
    _add_console_commands(add)
    return parser


def _add_console_commands(
    add: Callable[[str, str, Callable[[argparse.Namespace], int]], argparse.ArgumentParser],
) -> None:
    """Operators, remote commands and pairing (the fleet console's commands)."""
    ops = add(
        "operators",
        "console operators: add NAME --role R, passwd NAME (password from the terminal or "
        "stdin), list",
        cmd_operators,
    )
    ops.add_argument("action", choices=["add", "passwd", "list"])
    ops.add_argument("name", nargs="?")
    ops.add_argument("--role", choices=["viewer", "operator", "admin"], default="viewer")
    command = add(
        "command",
        "queue a remote command for a kiosk (delivered with its next heartbeats)",
        cmd_command,
    )
    command.add_argument("kiosk_id")
    command.add_argument(
        "kind",
        choices=[
            "lock",
            "unlock",
            "restart",
            "retry_outbox",
            "enable_method",
            "disable_method",
            "upload_logs",
        ],
    )
    command.add_argument("--message", help="lock: what the screen says while out of service")
    command.add_argument("--method", choices=["cash", "card", "qr"], help="enable/disable_method")
    command.add_argument("--hours", type=int, help="upload_logs: the last N hours (default 24)")
    pair = add("pair-code", "a one-time pairing code for a kiosk (valid 15 min)", cmd_pair_code)
    pair.add_argument("kiosk_id")
    listed = add("commands", "a kiosk's commands, newest first, as JSON lines", cmd_commands)
    listed.add_argument("kiosk_id")
    listed.add_argument("--limit", type=int, default=100)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its INFO lines say nothing to an admin
    try:
        code: int = args.handler(args)
    except (CentralConfigError, DatabaseError) as exc:
        print(f"kiosk-central: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ImportRejected as exc:
        for line, message in exc.problems:
            _emit({"line": line, "error": message})
        more = exc.total_bad - len(exc.problems)
        tail = f" ({more} more not listed)" if more > 0 else ""
        print(f"kiosk-central: {exc}{tail}", file=sys.stderr)
        return EXIT_PROBLEM
    except ServerError as exc:
        print(f"kiosk-central: {exc}", file=sys.stderr)
        return EXIT_PROBLEM
    except KeyboardInterrupt:
        return 130
    finally:
        while _engines:
            _engines.pop().dispose()
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
