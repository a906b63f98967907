"""The demo rig and the UI's stand-ins: everything that shows the kiosk without being the kiosk.

Nothing in the production packages (``kiosk``, ``drivers``, ``ui``, ``central``) imports this
package; an import-linter contract in pyproject.toml holds them to it. It sits above them all
and may import any of them.

- ``rig``: ``Demo`` starts the reference central server (a child process), the device emulators
  on ptys, and a kiosk config pointed at them; ``scripted_payment`` pays a bill without a display.
- ``cli``: ``kiosk demo`` (``scripts/demo.sh``), added to the ``kiosk`` command through the
  ``kiosk.commands`` entry point, since the core cannot import it.
- ``panel``: the emulator control window shown beside the kiosk window (Qt).
- ``fake_source``: a hand-written snapshot source for UI tests, screenshots and benchmarks.
- ``screenshots``: ``make screenshots``, every screen from ``fake_source`` snapshots (Qt).

Exception tree::

    kiosk.KioskError
    └── DemoError            the server would not start, a device refused, a demo step failed
"""

from kiosk_demo.rig import DemoError

__all__ = ["DemoError"]
