import Foundation

/// Each parser that reads what a user or a peer hands over, as a fuzz target: the input goes
/// the way the real input goes, and every property that must hold for any input is checked
/// with `require`, so a broken one is a crash that libFuzzer keeps.
package enum FuzzTarget: String, CaseIterable, Sendable {
    case planYAML = "plan-yaml"
    case planJSON = "plan-json"
    case threshold
    case template
    case duration
    case feederCSV = "feeder-csv"
    case feederJSON = "feeder-json"
    case compare
    case report
    case workerMessages = "worker-messages"
    case prometheusText = "prometheus-text"
    case convertHAR = "convert-har"
    case convertOpenAPI = "convert-openapi"

    package static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }

    package func run(_ data: Data) {
        switch self {
        case .planYAML: PlanFileFuzzing.run(data, fileName: "plan.yaml")
        case .planJSON: PlanFileFuzzing.run(data, fileName: "plan.json")
        case .threshold: ExpressionFuzzing.threshold(data)
        case .template: ExpressionFuzzing.template(data)
        case .duration: ExpressionFuzzing.duration(data)
        case .feederCSV: FeederFuzzing.run(data, fileName: "rows.csv")
        case .feederJSON: FeederFuzzing.run(data, fileName: "rows.json")
        case .compare: SummaryFuzzing.compare(data)
        case .report: SummaryFuzzing.report(data)
        case .workerMessages: ProtocolFuzzing.workerMessages(data)
        case .prometheusText: ScrapeFuzzing.page(data)
        case .convertHAR: ConvertFuzzing.run(data, fileName: "recording.har")
        case .convertOpenAPI: ConvertFuzzing.run(data, fileName: "openapi.yaml")
        }
    }
}

/// A property every input must keep; a broken one stops the process so libFuzzer saves the input.
func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError("property broken: \(message())") }
}

/// A folder for targets whose parser reads files: STAMPEDE_FUZZ_SCRATCH (scripts/fuzz makes
/// and removes one per run), or a temporary folder of this process's own.
enum Scratch {
    static let folder: URL = {
        if let given = ProcessInfo.processInfo.environment["STAMPEDE_FUZZ_SCRATCH"] { return URL(fileURLWithPath: given) }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("stampede-fuzz-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// Writes `data` as `name` in the scratch folder and returns its URL.
    static func file(_ name: String, _ data: Data) -> URL {
        let url = folder.appendingPathComponent(name)
        _ = FileManager.default.createFile(atPath: url.path, contents: data)
        return url
    }
}
