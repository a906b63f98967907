"""One exception tree for the drivers: every public error derives from DriverError."""

import importlib
import inspect
import pkgutil

import drivers
from drivers.cash.api import AcceptorError
from drivers.emulators.errors import EmulatorError
from drivers.errors import DriverError
from drivers.printer.errors import PrinterError
from drivers.transport import TransportError


def public_errors() -> dict[str, type[BaseException]]:
    found = {}
    for module_info in pkgutil.walk_packages(drivers.__path__, "drivers."):
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == module.__name__
                and not name.startswith("_")
            ):
                found[f"{module.__name__}.{name}"] = value
    return found


def test_every_public_driver_error_is_a_driver_error() -> None:
    errors = public_errors()
    assert len(errors) >= 17  # the walk found the modules
    assert [name for name, cls in errors.items() if not issubclass(cls, DriverError)] == []


def test_the_four_subtrees_keep_their_names() -> None:
    for root in (TransportError, AcceptorError, PrinterError, EmulatorError):
        assert root.__bases__ == (DriverError,)


def test_every_public_driver_error_is_drawn_in_the_package_docstring() -> None:
    doc = drivers.__doc__ or ""
    missing = {cls.__name__ for cls in public_errors().values()} - set(doc.split())
    assert missing == set()
