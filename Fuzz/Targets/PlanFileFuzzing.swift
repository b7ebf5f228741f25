import Foundation
import StampedeDSL
import StampedeEngine

/// A plan file (YAML or JSON) goes where `stampede run plan.yaml` sends it: the reader, then
/// everything a run checks and compiles before its first request, on one process's share and
/// on a distributed worker's share of the test.
enum PlanFileFuzzing {
    static func run(_ data: Data, fileName: String) {
        guard let text = String(data: data, encoding: .utf8) else { return }
        let plan: TestPlan
        do {
            plan = try PlanFile.parse(text, file: fileName)
        } catch {
            require(!error.message.isEmpty, "a refused plan file says why")
            return
        }
        for segment in [ExecutionSegment.full, ExecutionSegment.split(into: 3)[1]] {
            do {
                _ = try LoadRun(plan: plan, options: RunOptions(workers: 2, baseDirectory: Scratch.folder, segment: segment))
            } catch {
                require(!error.message.isEmpty, "a refused plan says why")
            }
        }
    }
}
