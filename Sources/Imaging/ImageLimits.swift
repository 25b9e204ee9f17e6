/// Limits checked before any pixel memory is allocated, so a hostile or broken file cannot exhaust memory.
public struct ImageLimits: Sendable, Equatable {
    /// Largest width x height accepted (default 64 megapixels).
    public var maxPixels: Int
    /// Largest file size accepted, in bytes (default 256 MiB).
    public var maxBytes: Int
    /// JPEGs at least twice this long on their long side are decoded at a reduced DCT scale (1/2, 1/4 or 1/8,
    /// the smallest keeping at least this many pixels): much less decoding for what the models read at 224 px
    /// and the segmenter at 1024 px. The outbox copy then has that size. 0: always full size.
    public var jpegDecodeLongSide: Int
    public init(maxPixels: Int = 64_000_000, maxBytes: Int = 256 << 20, jpegDecodeLongSide: Int = 2048) {
        self.maxPixels = maxPixels
        self.maxBytes = maxBytes
        self.jpegDecodeLongSide = jpegDecodeLongSide
    }
}
