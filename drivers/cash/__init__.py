"""Bill acceptors: CashCode CCNET and JCM ID-003 behind one interface (see api.py)."""
