"""Models (filled in by issue 16)."""
