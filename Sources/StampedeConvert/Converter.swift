import Foundation
import StampedeDSL
internal import Yams

/// `stampede convert FILE`: reads a HAR recording or an OpenAPI document and writes a plan
/// file (docs/convert.md). Which one a file is comes from its content, not its name.
public enum Converter {
    public struct Options: Sendable {
        /// Drop images, stylesheets, scripts, fonts and source maps from a recording.
        public var skipStatic = false
        /// Gaps in a recording shorter than this are not written as think steps.
        public var minimumThink: Duration = .milliseconds(300)

        public init(skipStatic: Bool = false, minimumThink: Duration = .milliseconds(300)) {
            self.skipStatic = skipStatic
            self.minimumThink = minimumThink
        }
    }

    /// The plan file's text, and one line per thing the user should know (each
    /// correlation, each dropped request, each placeholder), for standard error.
    public struct Conversion: Sendable {
        public let plan: String
        public let notes: [String]
    }

    public static func convert(file path: String, options: Options = Options()) throws(ConvertError) -> Conversion {
        let document = try InputDocument.load(path)
        let name = planName(path)
        let draft: PlanDraft
        var notes: [String]
        switch document.kind {
        case .har:
            (draft, notes) = try HARConverter.convert(document, name: name, options: options)
        case .openAPI:
            (draft, notes) = try OpenAPIConverter.convert(document, name: name)
        }
        let plan = PlanWriter.yaml(draft)
        // What is written must run: a plan the reader refuses is this converter's bug, and
        // saying so beats handing the user a file that fails later.
        do {
            _ = try PlanFile.parse(plan, file: "\(name).yaml")
        } catch {
            throw ConvertError("\(path): the plan written from it does not read back (a bug in stampede convert): \(error.message)")
        }
        notes.insert("\(path): \(document.kind.description), \(draft.steps.requestCount) requests written", at: 0)
        return Conversion(plan: plan, notes: notes)
    }

    /// The file's base name as a plan and scenario name (letters, digits, - and _).
    static func planName(_ path: String) -> String {
        let base = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let cleaned = String(base.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "-" })
        return cleaned.first?.isLetter == true ? cleaned : "converted-\(cleaned)"
    }
}

/// A file that cannot be converted, in one line naming the file and what is wrong with it.
public struct ConvertError: Error, Sendable {
    public let message: String
    /// Line breaks in what a parser said become spaces: the CLI prints one line.
    init(_ message: String) {
        self.message = message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " ")
    }
}

extension [DraftStep] {
    var requestCount: Int { count { if case .request = $0 { true } else { false } } }
}
