"""HTTP views of registration."""
