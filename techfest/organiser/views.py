"""HTTP views of organiser."""
