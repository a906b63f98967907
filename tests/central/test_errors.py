"""One exception tree for the server: every public error of central/ derives from ServerError
and is drawn in the package docstring; the kiosk's CentralError is another thing."""

import importlib
import inspect
import pkgutil

import central
from central import ServerError
from kiosk.central_client import CentralError as KioskCentralError


def public_errors() -> dict[str, type[BaseException]]:
    found = {}
    for module_info in pkgutil.walk_packages(central.__path__, "central."):
        if ".migrations" in module_info.name:  # alembic scripts, run by alembic only
            continue
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


def test_every_public_server_error_is_a_server_error_drawn_in_the_docstring() -> None:
    errors = public_errors()
    assert "central.errors.Unauthorized" in errors
    assert [name for name, cls in errors.items() if not issubclass(cls, ServerError)] == []
    words = set((central.__doc__ or "").split())
    assert {cls.__name__ for cls in errors.values()} - words == set()


def test_no_server_error_shares_a_name_with_the_kiosks_client_errors() -> None:
    assert not hasattr(central, "CentralError")
    assert not issubclass(KioskCentralError, ServerError)
    assert ServerError.__name__ != KioskCentralError.__name__
