import ArgumentParser

/// Repeatable `KEY=VALUE` options (`--env`, `--tag`): checked once by the parser, read the
/// same way wherever they are used.
enum KeyValueArguments {
    /// Throws for an entry with no `=` or no key, naming the flag.
    static func validate(_ entries: [String], flag: String, form: String) throws {
        for entry in entries where !entry.contains("=") || entry.hasPrefix("=") {
            throw ValidationError("\(flag) '\(entry)' is not \(form)")
        }
    }

    /// The entries as a dictionary, split at their first `=`; a later key wins.
    static func dictionary(_ entries: [String]) -> [String: String] {
        Dictionary(entries.map { entry in
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }) { _, later in later }
    }
}
