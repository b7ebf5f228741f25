import Foundation
import StampedeDSL

/// A compiled test library loaded into this process, and the tests it declares.
///
/// A test is a top-level (or static) `let` whose type is `TestPlan` or `Scenario`. Such a
/// constant compiles to an exported "addressor" function, `Module.name.unsafeMutableAddressor
/// : StampedeDSL.TestPlan`, that initialises it on first use and returns its address; the
/// library is compiled with `-enable-testing` so internal constants are exported too. The
/// library links no DSL of its own: its references bind to this executable's (linked with
/// `--export-dynamic`), so a `TestPlan` from it is this process's `TestPlan`.
enum TestLibrary {
    /// The tests declared in the library at `path`: its test plans, or if it declares none,
    /// one test per scenario. In declaration order.
    static func load(_ path: String) throws(SwiftFileError) -> [TestPlan] {
        // Never closed: the tests' closures are code in the library.
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw SwiftFileError("cannot load the compiled test: \(String(cString: dlerror()))")
        }
        var plans: [TestPlan] = []
        var scenarios: [Scenario] = []
        for symbol in try ELFSymbols.defined(in: path) where symbol.hasSuffix("Vvau") {
            guard let type = declaredType(ofAddressor: symbol), let address = dlsym(handle, symbol) else { continue }
            let addressor = unsafeBitCast(address, to: (@convention(c) () -> UnsafeRawPointer).self)
            switch type {
            case "StampedeDSL.TestPlan": plans.append(addressor().load(as: TestPlan.self))
            case "StampedeDSL.Scenario": scenarios.append(addressor().load(as: Scenario.self))
            default: break
            }
        }
        return plans.isEmpty ? scenarios.map { TestPlan($0) } : plans
    }

    /// "StampedeDSL.TestPlan" for the addressor of a `TestPlan` constant, from the runtime's
    /// demangler: mangled names abbreviate repeated words, so a suffix match would miss some.
    private static func declaredType(ofAddressor symbol: String) -> String? {
        guard let text = demangle(symbol), let range = text.range(of: ".unsafeMutableAddressor : ") else { return nil }
        return String(text[range.upperBound...])
    }

    private typealias Demangler = @convention(c) (
        UnsafePointer<CChar>?, Int, UnsafeMutablePointer<CChar>?, UnsafeMutablePointer<Int>?, UInt32
    ) -> UnsafeMutablePointer<CChar>?

    private static let demangler: Demangler? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "swift_demangle")
        .map { unsafeBitCast($0, to: Demangler.self) }

    private static func demangle(_ symbol: String) -> String? {
        guard let demangler else { return nil }
        return symbol.withCString { name in
            guard let text = demangler(name, strlen(name), nil, nil, 0) else { return nil }
            defer { free(text) }
            return String(cString: text)
        }
    }
}
