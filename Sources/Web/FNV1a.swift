/// FNV-1a: a fast, stable 64-bit hash for ETags and file fingerprints (not for security).
public enum FNV1a {
    /// The hash of `bytes`, continuing from `seed` (the FNV offset basis by default).
    public static func hash(_ bytes: some Sequence<UInt8>, seed: UInt64 = 0xCBF2_9CE4_8422_2325) -> UInt64 {
        var hash = seed
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }
}
