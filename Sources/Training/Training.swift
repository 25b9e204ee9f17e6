// Training target (to be written).
