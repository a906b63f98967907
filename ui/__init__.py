"""The PySide6 user interface: customer screens, maintenance screens, the Qt bridge."""
