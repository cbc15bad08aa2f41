"""HTTP views of matchmaking."""
