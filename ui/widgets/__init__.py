"""Reusable widgets: numeric keypad, QR code, banknote pictures, hidden maintenance corner."""
