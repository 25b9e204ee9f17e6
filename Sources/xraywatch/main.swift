// Entry point (to be written).
