"""Settings for each outside component, one module each, star-imported by `base`."""
