"""The demo: Techfest Hải Phòng 2025 (and 2024) with clearly marked sample records."""
