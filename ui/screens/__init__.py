"""Customer screens: one widget per engine state (some states share a screen)."""
