"""The maintenance screens for technicians and cash collectors.

They render ``snapshot["maintenance"]`` (kiosk.maintenance) and send ``maintenance`` intents
with an ``action``; every rule (PINs, roles, lockout, audit, counts) is the core's. The only
state kept here is navigation: which page the technician is looking at, and what they are
typing before they confirm it.
"""
