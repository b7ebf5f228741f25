/// Why a user's Swift test files cannot be run, in one line. Compile errors themselves are
/// swiftc's own lines, printed before this one.
public struct SwiftFileError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
