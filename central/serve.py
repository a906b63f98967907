"""`kiosk-central serve`: uvicorn in this process, or several worker processes.

With ``--workers 1`` the socket is bound here (``--port 0`` picks a free port) and the line
``{"listening": "http://host:port"}`` is printed on stdout before serving. With more workers
uvicorn forks processes that each build the app from the CENTRAL_* environment, which this
command sets from its options; they share nothing but the database.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable

import uvicorn

from central.app import create_app
from central.config import CentralConfig
from central.errors import AdminError

ACCESS_LOG = False  # one line per request is too much at fleet scale; errors are logged


def serve(
    config: CentralConfig,
    *,
    workers: int,
    config_path: str | None,
    log_level: str,
    public_url_given: bool,
    announce: Callable[[dict[str, object]], None],
) -> int:
    """Serve until stopped; ``announce`` gets the listening address before serving starts."""
    host, port = config.server.host, config.server.port
    if workers > 1:
        if port == 0:
            raise AdminError("--workers needs a fixed --port (worker processes share one port)")
        os.environ["CENTRAL_DATABASE_URL"] = config.server.database_url
        os.environ["CENTRAL_PUBLIC_URL"] = config.server.public_url
        if config_path:
            os.environ["CENTRAL_CONFIG"] = config_path
        create_app(config).state.central.engine.dispose()  # refuse now, clearly, not per worker
        announce({"listening": f"http://{host}:{port}", "workers": workers})
        uvicorn.run(
            "central.app:app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level=log_level.lower(),
            access_log=ACCESS_LOG,
        )
        return 0
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say they are
    # TCP, and without it every keep-alive answer waits ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    actual = sock.getsockname()[1]
    url = f"http://{host}:{actual}"
    if port == 0 and not public_url_given:
        config = config.with_server(public_url=url, port=actual)
    app = create_app(config)
    server = uvicorn.Server(
        uvicorn.Config(
            app, log_level=log_level.lower(), access_log=ACCESS_LOG, timeout_keep_alive=30
        )
    )
    announce({"listening": url, "public_url": config.server.public_url})
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
        app.state.central.engine.dispose()
    return 0
