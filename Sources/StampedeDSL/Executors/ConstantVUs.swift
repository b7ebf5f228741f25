/// k6's `constant-vus`: a fixed number of VUs loop the flow for a fixed duration. When the
/// duration ends no iteration starts; running ones get `gracefulStop` to finish.
public struct ConstantVUs: Sendable, Equatable {
    public var vus: Int
    public var duration: Duration
    public var gracefulStop: Duration

    public init(vus: Int, duration: Duration, gracefulStop: Duration = .seconds(30)) {
        self.vus = vus
        self.duration = duration
        self.gracefulStop = gracefulStop
    }
}
