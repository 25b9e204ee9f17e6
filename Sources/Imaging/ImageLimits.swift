/// Limits checked before any pixel memory is allocated, so a hostile or broken file cannot exhaust memory.
public struct ImageLimits: Sendable, Equatable {
    /// Largest width x height accepted (default 64 megapixels).
    public var maxPixels: Int
    /// Largest file size accepted, in bytes (default 256 MiB).
    public var maxBytes: Int
    public init(maxPixels: Int = 64_000_000, maxBytes: Int = 256 << 20) {
        self.maxPixels = maxPixels
        self.maxBytes = maxBytes
    }
}
