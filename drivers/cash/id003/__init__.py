"""JCM ID-003: codes, a pure codec and the host (poll loop)."""
