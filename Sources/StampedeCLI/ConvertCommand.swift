import ArgumentParser
import Foundation
import StampedeConvert
import StampedeDSL
import StampedeReports

/// `stampede convert FILE`: a plan file from a HAR recording or an OpenAPI document. The
/// conversion is StampedeConvert's; this wires the flags to it and says what it found.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Write a plan file from a browser's HAR recording or an OpenAPI 3 document.",
        discussion: """
            The plan (YAML) goes to standard output or --output; what the converter inferred or could not know \
            (correlations, dropped requests, placeholders) goes to standard error, a line each, and into the plan as comments. \
            See docs/convert.md.
            """)

    @Argument(help: "A HAR file (a browser's recording) or an OpenAPI 3.0/3.1 document, JSON or YAML.")
    var file: String

    @Option(name: .shortAndLong, help: "Write the plan to this file instead of standard output.")
    var output: String?

    @Flag(help: "Drop images, stylesheets, scripts, fonts and source maps from a recording.")
    var skipStatic = false

    static let defaultMinThink = Converter.Options().minimumThink
    @Option(parsing: .unconditional, help: Duration.help("A pause in a recording shorter than this becomes no think step.", default: defaultMinThink),
            transform: Duration.argument)
    var minThink: Duration = defaultMinThink

    func validate() throws {
        guard minThink >= .zero else { throw ValidationError("--min-think must not be negative, got \(minThink.humanReadable)") }
    }

    func run() throws {
        let conversion: Converter.Conversion
        do {
            conversion = try Converter.convert(file: file, options: Converter.Options(skipStatic: skipStatic, minimumThink: minThink))
        } catch {
            throw UsageFailure(message: error.message)
        }
        for note in conversion.notes { FileHandle.standardError.write(Data("stampede convert: \(note)\n".utf8)) }
        guard let output else {
            print(conversion.plan, terminator: "")
            return
        }
        do {
            try AtomicFile.write(Data(conversion.plan.utf8), to: URL(fileURLWithPath: output))
        } catch {
            throw UsageFailure(message: "cannot write \(error)", status: .scenarioError)
        }
        FileHandle.standardError.write(Data("stampede convert: wrote \(output); run it with: stampede run \(output)\n".utf8))
    }
}
