/// One scenario of a test: who the virtual users are (the executor) and what each of them
/// does in one iteration (the flow). Plain data: the engine reads it, nothing here runs.
///
/// ```swift
/// let browse = Scenario("browse", executor: .constantVUs(10, duration: .seconds(30))) {
///     Get("/products")
///     Think(.milliseconds(500))
/// }
/// ```
public struct Scenario: Sendable, Equatable {
    /// The name used on the command line (`stampede run NAME`), in tags and in the results folder.
    public var name: String
    /// One line for `stampede list`.
    public var description: String
    /// How VUs and iterations are scheduled over time.
    public var executor: Executor
    /// The steps one iteration runs, in order.
    public var flow: [Step]

    public init(
        _ name: String,
        description: String = "",
        executor: Executor,
        @FlowBuilder flow: () -> [Step]
    ) {
        self.name = name
        self.description = description
        self.executor = executor
        self.flow = flow()
    }

    /// Checks what the type system cannot: names, executor bounds, a flow with at least one step.
    public func validate() throws(PlanError) {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw PlanError("scenario name '\(name)' must be letters, digits, '-' or '_'")
        }
        guard !flow.isEmpty else { throw PlanError("scenario '\(name)' has no steps") }
        do {
            try executor.validate()
        } catch {
            throw PlanError("scenario '\(name)': \(error.message)")
        }
    }
}

/// A plan that cannot run as written: the message names what is wrong, in one line.
public struct PlanError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
