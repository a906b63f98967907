"""One exception tree for the core: every public error of kiosk/ derives from KioskError and
is drawn in the package docstring."""

import importlib
import inspect
import pkgutil

import kiosk
from kiosk import KioskError

# Not errors of the core: a signal turned into an exception to unwind the process.
NOT_ERRORS = {"kiosk.cli.run.Terminated"}
KNOWN_OUTSIDE = {
    # Raised to the acceptor host through the drivers' event-sink interface, so it is the
    # drivers' EventNotRecorded (drawn in kiosk/__init__.py beside the tree).
    "kiosk.engine.model.NotRecorded",
    # A ValueError caught inside kiosk/remote_commands.py; its owner may move it under
    # KioskError (then drop it from here).
    "kiosk.remote_commands.CommandRefused",
    # Raised by the answer parsers of kiosk/central_answers.py and caught by the client in
    # kiosk/central_client.py, which raises CentralServerError from it: it never leaves the two.
    "kiosk.central_answers.AnswerMalformed",
}


def public_errors() -> dict[str, type[BaseException]]:
    found = {}
    for module_info in pkgutil.walk_packages(kiosk.__path__, "kiosk."):
        if module_info.name.endswith("__main__"):  # runs the command line when imported
            continue
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            qualified = f"{module.__name__}.{name}"
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == module.__name__
                and not name.startswith("_")
                and qualified not in NOT_ERRORS
            ):
                found[qualified] = value
    return found


def test_every_public_error_of_the_core_is_a_kiosk_error() -> None:
    outside = {name for name, cls in public_errors().items() if not issubclass(cls, KioskError)}
    assert outside <= KNOWN_OUTSIDE


def test_every_kiosk_error_is_drawn_in_the_package_docstring() -> None:
    words = set((kiosk.__doc__ or "").split())
    drawn = {
        cls.__name__ for cls in public_errors().values() if issubclass(cls, KioskError)
    } - words
    assert drawn == set()
