"""HTTP views of checkin."""
