"""Reference central server: the utility's billing gateway that kiosks post to.

Stands alone: it shares nothing with the kiosk packages except the wire format
(docs/wire-format in DESIGN section 6).
"""

__version__ = "0.1.0"
