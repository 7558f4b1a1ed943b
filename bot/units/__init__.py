"""The unit tree: finding a unit by name and importing a province's organisation."""
