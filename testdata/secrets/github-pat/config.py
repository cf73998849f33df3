GITHUB_TOKEN = "ghp_yRPaUD3eqMAWtk8Z0Awk04l9WQrjoV7GtQfA"  # checksum does not hold: still reported, medium confidence
