"""HTTP views of booths."""
