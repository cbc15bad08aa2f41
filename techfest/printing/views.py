"""HTTP views of printing."""
