"""Helpers shared by several test packages (real servers, real databases)."""
