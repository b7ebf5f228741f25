import Foundation

/// SplitMix64: a random generator that a seed replays. The seed comes from
/// STAMPEDE_TEST_SEED when set (to replay a failure), else from the clock, and is printed
/// and put in each failure message.
struct SeededRandom: RandomNumberGenerator {
    let seed: UInt64
    private var state: UInt64

    init(_ test: String = #function) {
        let given = ProcessInfo.processInfo.environment["STAMPEDE_TEST_SEED"].flatMap { UInt64($0) }
        seed = given ?? UInt64(truncatingIfNeeded: DispatchTime.now().uptimeNanoseconds) ^ 0x9E37_79B9_7F4A_7C15
        state = seed
        print("\(test): random seed \(seed) (replay with STAMPEDE_TEST_SEED=\(seed))")
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// For failure messages.
    var replay: String { "STAMPEDE_TEST_SEED=\(seed)" }
}
