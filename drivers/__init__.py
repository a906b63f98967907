"""Device drivers: transports, protocol codecs, hosts and emulators.

Reusable on their own: nothing here imports the kiosk core, the UI or the central server.
"""
