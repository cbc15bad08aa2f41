"""HTTP views of programme."""
