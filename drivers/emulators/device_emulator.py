"""What every device emulator is to the code that runs it: a pty a host opens (``path``), a
control socket a test or ``kiosk emulate ctl`` drives (``control_path``), ``start``/``stop``,
and a ``with`` block that stops it whatever happens inside."""

from __future__ import annotations

import abc
from pathlib import Path
from types import TracebackType
from typing import Self

from drivers.emulators.control import ControlServer
from drivers.emulators.pty_device import PtyDevice


class DeviceEmulator(abc.ABC):
    """Base of the acceptor, printer and scanner emulators; each sets ``_pty`` and
    ``_control`` before it is started."""

    _pty: PtyDevice
    _control: ControlServer

    @abc.abstractmethod
    def start(self) -> str:
        """Open the pty and the control socket; return the path a host opens."""

    @abc.abstractmethod
    def stop(self) -> None:
        """Close both; a host's port sees the device go away."""

    @property
    def path(self) -> str:
        """The serial path a host opens."""
        return self._pty.path

    @property
    def control_path(self) -> Path:
        return self._control.path

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
