"""CashCode CCNET: codes, a pure codec and the host (poll loop)."""
