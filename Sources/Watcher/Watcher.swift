// Watcher target (to be written).
