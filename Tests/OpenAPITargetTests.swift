import Foundation
import StampedeTarget
import XCTest

/// The embedded target's OpenAPI document (GET /openapi.json) against the target itself:
/// it describes exactly the routes GET / lists, every operation answers with its documented
/// status and content type when called as the document says (scripts/check-openapi.py, a
/// client of its own that follows the document's links), and PyPI's openapi-spec-validator
/// finds it valid OpenAPI.
final class OpenAPITargetTests: XCTestCase {
    var workDir: URL!

    override func setUpWithError() throws {
        workDir = FileManager.default.temporaryDirectory.appendingPathComponent("stampede-openapi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workDir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: workDir)
    }

    func testTheDocumentDescribesEveryRouteAndEachAnswersAsDocumented() throws {
        let server = try TargetServer()
        defer { server.shutdown() }
        let document = workDir.appendingPathComponent("openapi.json")
        try fetch(server.baseURL + "/openapi.json").write(to: document, atomically: true, encoding: .utf8)

        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: document)) as? [String: Any])
        let paths = try XCTUnwrap(json["paths"] as? [String: [String: Any]])
        let documented = Set(paths.flatMap { path, item in
            item.keys.filter { ["get", "put", "post", "patch", "delete", "head", "options"].contains($0) }.map { "\($0.uppercased()) \(path)" }
        })
        let listed = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(fetch(server.baseURL + "/").utf8)) as? [String: [String]])["routes"]
        // GET / writes a listing's query as `?page=&size=`: the document has them as parameters.
        let routes = Set((listed ?? []).map { String($0.prefix { $0 != "?" }) })
        XCTAssertEqual(documented, routes, "documented but not served: \(documented.subtracting(routes)); served but not documented: \(routes.subtracting(documented))")

        let script = ReferenceTools.packageRoot.appendingPathComponent("scripts/check-openapi.py").path
        let check = try ReferenceTools.run(try ReferenceTools.python(), [script, "--document", document.path, "--base", server.baseURL], seconds: 60)
        XCTAssertEqual(check.status, 0, check.stdout + check.stderr)
        XCTAssertTrue(check.stdout.hasSuffix("\(routes.count) of \(routes.count) operations answered their documented status\n"), check.stdout)
    }

    func testTheDocumentIsValidOpenAPI() throws {
        let server = try TargetServer()
        defer { server.shutdown() }
        let document = workDir.appendingPathComponent("openapi.json")
        try fetch(server.baseURL + "/openapi.json").write(to: document, atomically: true, encoding: .utf8)
        let validation = try ReferenceTools.run(try ReferenceTools.openAPISpecValidator(), [document.path], seconds: 60)
        XCTAssertEqual(validation.status, 0, validation.stdout + validation.stderr)
        XCTAssertEqual(validation.stdout, "\(document.path): OK\n")

        // And it catches a broken one, so its OK above means something.
        let broken = workDir.appendingPathComponent("broken.json")
        try String(contentsOf: document, encoding: .utf8).replacingOccurrences(of: #""in": "path""#, with: #""in": "body""#)
            .write(to: broken, atomically: true, encoding: .utf8)
        let refused = try ReferenceTools.run(try ReferenceTools.openAPISpecValidator(), [broken.path], seconds: 60)
        XCTAssertNotEqual(refused.status, 0, refused.stdout)
    }
}
