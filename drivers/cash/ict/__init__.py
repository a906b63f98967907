"""ICT (ICT104 / ICT002 / LV77): codes, a pure codec and the host."""
