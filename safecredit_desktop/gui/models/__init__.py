"""Window part: see ARCHITECTURE.md."""
