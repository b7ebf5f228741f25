import Foundation
import StampedeConvert

/// A file handed to `stampede convert`: HAR or OpenAPI (the converter tells them apart by
/// content; the name only says which seeds start the run). Either it is refused in one line
/// that says why, or the plan written for it reads back through PlanFile (the converter
/// checks that itself and refuses its own bug in words this target looks for).
enum ConvertFuzzing {
    static func run(_ data: Data, fileName: String) {
        let file = Scratch.file(fileName, data)
        do {
            // Both ways through a recording: with the static assets and without.
            let conversion = try Converter.convert(file: file.path, options: Converter.Options(skipStatic: data.count % 2 == 0))
            require(conversion.plan.contains("scenarios:"), "a converted file gives a plan")
        } catch {
            require(!error.message.isEmpty && !error.message.contains("\n"), "a refused file says why in one line: \(error.message)")
            require(!error.message.contains("does not read back"), "every plan written reads back: \(error.message)")
        }
    }
}
