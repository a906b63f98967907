"""Reference central server: the utility's billing gateway that kiosks post to.

Stands alone: it shares nothing with the kiosk packages except the wire format
(docs/wire-format.md; the server's own rules are in central/README.md).

Exception tree of the server::

    ServerError
    ├── CentralConfigError    central.toml cannot be used (names file and key)
    ├── DatabaseError         the schema is missing or older than this code: run init-db
    ├── ImportRejected        a CSV import found bad rows; nothing was imported
    ├── AdminError            an admin command cannot do what was asked (unknown kiosk, ...)
    ├── SealBroken            a sealed secret was altered or sealed under another key
    │                         (central/crypto.py)
    ├── ProviderError         a payment provider refused or failed (central/providers)
    │   └── ProviderTimeout   no answer from the provider in time
    ├── FontMissing           no font with Chinese for the invoice PDF (central/invoice_pdf.py)
    ├── LoginRefused          a console login refused: wrong password or locked
    │                         (central/operators.py)
    └── ApiError              an HTTP answer {"error": code, ...} with its status
        ├── InvalidRequest    400 invalid_request, names the field
        └── Unauthorized      401 unauthorized, with a reason (central/errors.py)

``ServerError`` was called ``CentralError`` until the kiosk's client
(kiosk/central_client.py) used that name for "a call to the central server failed": the two
meant different things under one name. Only the class is renamed: the wire's
``{"error": code}`` answers are unchanged.
"""

__version__ = "0.1.0"


class ServerError(Exception):
    """Base of every error the central server raises on purpose (not only HTTP 5xx: an
    ``ApiError`` carries its own status)."""
