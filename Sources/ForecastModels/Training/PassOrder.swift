import ForecastNN

/// The order in which one pass of training visits the windows: a fresh random permutation of
/// `0..<count` per pass.
///
/// Up to `explicitLimit` windows it is a shuffled list (4 bytes a window). Above, it is computed:
/// a keyed Feistel permutation of the next power of four, walked until it lands inside the range,
/// which is a permutation of `0..<count` in no memory. A 10,000-series panel has six million
/// training windows per ensemble member, and two lists cost 50 MB of training's peak memory, while
/// a budget of 1,000 steps visits a twentieth of them.
struct PassOrder {
    /// The number of windows.
    let count: Int
    private var list: [Int32] = []
    private var key: (UInt64, UInt64, UInt64, UInt64)?
    private let halfBits: Int

    /// The largest window count kept as a list; its passes are the same shuffles as before computed
    /// orders existed, so smaller training sets train exactly as they did.
    static let explicitLimit = 1 << 20

    /// The identity order of `count` windows (call `reshuffle` before the first pass).
    init(count: Int) {
        precondition(count <= Int(Int32.max), "more than 2^31 training windows")
        self.count = count
        var bits = 1
        while (1 << (2 * bits)) < count { bits += 1 }
        halfBits = bits
        if count <= Self.explicitLimit { list = (0..<count).map { Int32(truncatingIfNeeded: $0) } }
    }

    /// Starts a new pass in a new random order drawn from `rng`.
    mutating func reshuffle(_ rng: inout SeededGenerator) {
        if count <= Self.explicitLimit {
            rng.shuffle(&list)
        } else {
            key = (rng.next(), rng.next(), rng.next(), rng.next())
        }
    }

    /// The window visited at position `i` of the pass.
    subscript(i: Int) -> Int {
        guard let key else { return Int(list[i]) }
        var x = UInt64(i)
        repeat { x = Self.encrypt(x, key: key, halfBits: halfBits) } while x >= UInt64(count)
        return Int(x)
    }

    /// A four-round Feistel network on `2 * halfBits` bits: a bijection of `0..<4^halfBits`.
    @inline(__always)
    static func encrypt(_ x: UInt64, key: (UInt64, UInt64, UInt64, UInt64), halfBits: Int) -> UInt64 {
        let mask = (UInt64(1) << UInt64(halfBits)) - 1
        var l = x >> UInt64(halfBits), r = x & mask
        for k in [key.0, key.1, key.2, key.3] { (l, r) = (r, l ^ (mix(r ^ k) & mask)) }
        return (l << UInt64(halfBits)) | r
    }

    @inline(__always)
    static func mix(_ v: UInt64) -> UInt64 {
        var z = v &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
