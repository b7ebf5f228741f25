import Foundation
import StampedeConvert
import StampedeDSL
import XCTest

/// The converters' rules on small inputs made for each rule (ConvertTests runs real ones):
/// which values count as correlations, what a redirect, a cookie, a pause, another host
/// and a non-HTTP entry turn into, and what an OpenAPI 3.0 YAML document without examples
/// gives.
final class ConverterRuleTests: XCTestCase {
    var workDir: URL!

    override func setUpWithError() throws {
        workDir = FileManager.default.temporaryDirectory.appendingPathComponent("stampede-rules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workDir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: workDir)
    }

    /// A HAR entry: `start` in milliseconds after a fixed moment, lasting `time` ms.
    func harEntry(_ method: String, _ url: String, start: Int, time: Int = 10, status: Int = 200, headers: [String: String] = [:],
               body: String? = nil, responseHeaders: [String: String] = [:], response: String = "", mimeType: String = "application/json") -> [String: Any] {
        let date = Date(timeIntervalSince1970: 1_800_000_000 + Double(start) / 1000)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var request: [String: Any] = ["method": method, "url": url, "headers": headers.map { ["name": $0.key, "value": $0.value] }]
        if let body { request["postData"] = ["mimeType": headers["Content-Type"] ?? "", "text": body] }
        return [
            "startedDateTime": formatter.string(from: date), "time": time, "request": request,
            "response": ["status": status, "headers": responseHeaders.map { ["name": $0.key, "value": $0.value] },
                         "content": ["mimeType": mimeType, "text": response]],
        ]
    }

    func convert(_ entries: [[String: Any]], options: Converter.Options = Converter.Options()) throws -> Converter.Conversion {
        let file = workDir.appendingPathComponent("made.har")
        try JSONSerialization.data(withJSONObject: ["log": ["version": "1.2", "entries": entries]]).write(to: file)
        return try Converter.convert(file: file.path, options: options)
    }

    func testCorrelationsAreIdentifiersTheClientLearnedNotCommonValues() throws {
        let site = "https://shop.test"
        let token = "eyJhbGciOiJIUzI1NiJ9.ann.signature"
        let conversion = try convert([
            harEntry("POST", "\(site)/login", start: 0, headers: ["Content-Type": "application/json"], body: #"{"user":"ann"}"#,
                  response: #"{"token":"\#(token)","expires":3600}"#),
            harEntry("GET", "\(site)/customers/c-0001", start: 20, headers: ["Authorization": "Bearer \(token)"],
                  response: #"{"id":"c-0001","currency":"EUR","status":"created","page":1,"count":20}"#),
            harEntry("POST", "\(site)/orders", start: 40, headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"],
                  body: #"{"customerId":"c-0001","currency":"EUR","status":"created","size":20}"#, response: #"{"id":48213,"number":"o-77"}"#),
            harEntry("GET", "\(site)/orders/48213?ref=o-77", start: 60, headers: ["Authorization": "Bearer \(token)"], response: "{}"),
        ])
        let correlations = conversion.notes.filter { $0.hasPrefix("correlation: ") }
        XCTAssertEqual(correlations, [
            #"correlation: token = "\#(token)" from the response to POST /login (json: token), sent by GET /customers/c-0001 (header Authorization), POST /orders (header Authorization), GET /orders/48213?ref=o-77 (header Authorization)"#,
            #"correlation: orderId = "48213" from the response to POST /orders (json: id), sent by GET /orders/48213?ref=o-77 (URL path)"#,
            #"correlation: number = "o-77" from the response to POST /orders (json: number), sent by GET /orders/48213?ref=o-77 (query)"#,
        ], "c-0001 was sent before its response held it; EUR, created and 20 are no identifiers")
        let plan = conversion.plan
        XCTAssertTrue(plan.contains(#"Authorization: "Bearer {{token}}""#), plan)
        XCTAssertTrue(plan.contains(#"- get: "/orders/{{orderId}}?ref={{number}}""#), plan)
        XCTAssertTrue(plan.contains(#"body: "{\"customerId\":\"c-0001\",\"currency\":\"EUR\",\"status\":\"created\",\"size\":20}""#), plan)
        XCTAssertTrue(plan.contains("orderId: {json: id}") && plan.contains("number: {json: number}") && plan.contains("token: {json: token}"), plan)
        let read = try PlanFile.parse(plan, file: "made.yaml")
        XCTAssertEqual(read.scenarios.map(\.name), ["made"])
    }

    func testRedirectsCookiesPausesOtherHostsAndNonHTTPEntries() throws {
        let site = "http://app.test:8080"
        let entries = [
            harEntry("GET", "\(site)/start", start: 0, status: 302, responseHeaders: ["Location": "/home", "Set-Cookie": "session=abc; Path=/"]),
            harEntry("GET", "\(site)/home", start: 15, headers: ["Cookie": "session=abc; theme=dark", "Host": "app.test:8080"], response: "<html>",
                  mimeType: "text/html"),
            harEntry("GET", "https://cdn.other.test/app.js", start: 30, mimeType: "text/javascript"),
            harEntry("GET", "data:image/png;base64,AAAA", start: 31, mimeType: "image/png"),
            harEntry("GET", "\(site)/api/never", start: 35, status: 0),
            harEntry("GET", "\(site)/api/items", start: 160, response: "[]"),
            harEntry("POST", "\(site)/api/items", start: 2170, status: 201,
                     headers: ["Content-Type": "application/x-www-form-urlencoded", ":path": "/api/items"],
                     body: "name=pen&qty=2", response: #"{"id":"i-12"}"#),
        ]
        let conversion = try convert(entries)
        let plan = conversion.plan
        XCTAssertTrue(plan.contains("      - get: /start\n        checks:\n          - status: 200\n"), "the engine follows the redirect:\n\(plan)")
        XCTAssertFalse(plan.contains("- get: /home"), plan)
        XCTAssertTrue(conversion.notes.contains("dropped GET \(site)/home (the redirect before it, which the engine follows itself)"), "\(conversion.notes)")
        XCTAssertTrue(conversion.notes.contains("dropped GET data:image/png;base64,AAAA (not HTTP)"), "\(conversion.notes)")
        XCTAssertTrue(conversion.notes.contains("dropped GET \(site)/api/never (no response in the recording: blocked or cancelled)"), "\(conversion.notes)")
        XCTAssertTrue(conversion.notes.contains { $0.hasSuffix("the cookie jar sends those responses set): theme") }, "session came from a response: \(conversion.notes)")
        XCTAssertFalse(plan.contains("Cookie:") || plan.contains("Host:") || plan.contains(":path"), plan)
        XCTAssertTrue(plan.contains("- get: \"https://cdn.other.test/app.js\""), "another host keeps its URL:\n\(plan)")
        XCTAssertTrue(plan.contains("body: \"name=pen&qty=2\"") && plan.contains("Content-Type: application/x-www-form-urlencoded"), plan)
        // Idle 115 ms before /api/items (from the end of the unanswered request, under the 300 ms
        // default), 2 s before the POST.
        XCTAssertEqual(plan.matches(of: #/think: (\d+)ms/#).map { Int($0.1)! }, [2000], plan)
        let finer = try convert(entries, options: Converter.Options(minimumThink: .milliseconds(100)))
        XCTAssertEqual(finer.plan.matches(of: #/think: (\d+)ms/#).map { Int($0.1)! }, [115, 2000], finer.plan)
    }

    /// What the fuzz targets convert-har and convert-openapi found (Fuzz/regressions).
    func testLongPausesRepeatedHeadersAndParserErrorsStayWithinWhatAPlanHolds() throws {
        let site = "http://app.test"
        let yearsLater = 400 * 365 * 86_400_000  // past the 292 years a duration holds
        let conversion = try convert([
            harEntry("GET", "\(site)/a", start: 0, headers: ["Referer": "\(site)/x", "referer": "\(site)/y"]),
            harEntry("GET", "\(site)/b", start: yearsLater),
        ])
        XCTAssertTrue(conversion.plan.contains("      - think: 60000ms\n"), conversion.plan)
        XCTAssertTrue(conversion.notes.contains { $0.hasPrefix("the recording's 126143") && $0.hasSuffix(" s pause before GET /b is written as think: 60s") },
                      "\(conversion.notes)")
        let referers = conversion.plan.split(separator: "\n").filter { $0.lowercased().contains("referer:") }
        XCTAssertEqual(referers.count, 1, "one header, its values joined:\n\(conversion.plan)")
        XCTAssertTrue(referers.first?.contains("\(site)/x") == true && referers.first?.contains(", ") == true, "\(referers)")

        let control = workDir.appendingPathComponent("control.yaml")
        try Data("openapi: 3.1.0\ninfo: \u{01}\n".utf8).write(to: control)
        XCTAssertThrowsError(try Converter.convert(file: control.path)) { error in
            let message = (error as? ConvertError)?.message ?? ""
            XCTAssertTrue(message.hasSuffix("control.yaml: not valid YAML or JSON: control characters are not allowed"), message)
        }
    }

    func testAnOpenAPI30YAMLDocumentWithoutExamplesGetsSchemaValuesAndPlaceholders() throws {
        let file = workDir.appendingPathComponent("pets.yaml")
        try """
            openapi: 3.0.3
            info: {title: Pets, version: "1"}
            servers: [{url: "https://api.example.test/v1"}]
            security: [{bearer: []}]
            paths:
              /pets/{petId}:
                get:
                  operationId: getPet
                  parameters: [{name: petId, in: path, required: true, schema: {type: integer}}]
                  responses:
                    "2XX": {description: ok}
              /pets:
                post:
                  operationId: createPet
                  requestBody:
                    required: true
                    content:
                      application/json:
                        schema: {$ref: "#/components/schemas/NewPet"}
                  responses:
                    "201": {description: created}
                    "400": {description: refused}
            components:
              securitySchemes:
                bearer: {type: http, scheme: bearer}
              schemas:
                NewPet:
                  type: object
                  required: [id, name, born, tags, weight]
                  properties:
                    id: {type: integer, readOnly: true}
                    name: {type: string, minLength: 8}
                    born: {type: string, format: date}
                    weight: {type: number, minimum: 0.5}
                    tags: {type: array, minItems: 1, items: {type: string, enum: [cat, dog]}}
                    nickname: {type: string}

            """.write(to: file, atomically: true, encoding: .utf8)
        let conversion = try Converter.convert(file: file.path)
        let plan = conversion.plan
        XCTAssertTrue(plan.contains("""
                  - get: /v1/pets/REPLACE-petId
                    name: getPet
                    headers:
                      Authorization: "Bearer REPLACE-bearer"
                    checks:
                      - statusIn: 200-299
            """), plan)
        XCTAssertTrue(plan.contains(#"json: "{\"born\":\"2026-01-01\",\"name\":\"stringxx\",\"tags\":[\"cat\"],\"weight\":0.5}""#),
                      "required properties only, read-only id left out:\n\(plan)")
        XCTAssertTrue(plan.contains("- status: 201"), plan)
        XCTAssertEqual(conversion.notes.filter { $0.hasPrefix("placeholder: ") }, [
            "placeholder: getPet (GET /pets/{petId}): path parameter 'petId' has no example; the plan sends REPLACE-petId",
            "placeholder: getPet (GET /pets/{petId}): credentials for security scheme 'bearer' (a bearer token)",
            "placeholder: createPet (POST /pets): credentials for security scheme 'bearer' (a bearer token)",
        ])
        XCTAssertTrue(plan.contains("--target https://api.example.test tests that server"), plan)
    }
}
