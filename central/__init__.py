"""Reference central server: the utility's billing gateway that kiosks post to.

Stands alone: it shares nothing with the kiosk packages except the wire format
(docs/wire-format.md; the server's own rules are in central/README.md).

Exception tree of the server::

    CentralError
    ├── CentralConfigError    central.toml cannot be used (names file and key)
    ├── DatabaseError         the schema is missing or older than this code: run init-db
    ├── ImportRejected        a CSV import found bad rows; nothing was imported
    ├── AdminError            an admin command cannot do what was asked (unknown kiosk, ...)
    └── ApiError              an HTTP answer {"error": code, ...} with its status
        ├── InvalidRequest    400 invalid_request, names the field
        └── Unauthorized      401 unauthorized, with a reason (central/errors.py)
"""

__version__ = "0.1.0"


class CentralError(Exception):
    """Base of every error the central server raises on purpose."""
