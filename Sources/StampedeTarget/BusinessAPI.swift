import Foundation

/// A response the API decided on: status and body, JSON unless it says otherwise.
struct APIResponse: Sendable {
    var status: Int
    var body: [UInt8]
    var contentType = "application/json"

    static func json<T: Encodable>(_ value: T, status: Int = 200) -> APIResponse {
        APIResponse(status: status, body: Array((try? encoder.encode(value)) ?? Data("{}".utf8)))
    }

    static func error(_ status: Int, _ message: String) -> APIResponse {
        json(["error": message], status: status)
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()
}

/// The business-support API's routes over a `BusinessStore`. Paths are matched segment by
/// segment; bodies are JSON.
struct BusinessAPI: Sendable {
    let store: BusinessStore
    /// The share of payments declined with 402.
    let paymentFailureRate: Double

    private struct NewCustomer: Decodable { var name: String; var email: String; var addresses: [Address]? }
    private struct NewOrder: Decodable { var customerId: String; var lines: [OrderLine] }
    private struct StatusChange: Decodable { var status: String }
    private struct NewPayment: Decodable { var orderId: String }
    private struct NewSubscription: Decodable { var customerId: String; var productId: String }

    /// Every route, as `GET /` lists them.
    static let routes = [
        "GET /", "GET /health", "GET /metrics", "GET /openapi.json", "GET /shop", "GET /shop/shop.js", "GET /shop/shop.css", "POST /echo",
        "GET /customers?page=&size=", "POST /customers", "GET /customers/{id}", "GET /customers/{id}/orders",
        "GET /customers/{id}/invoices", "GET /customers/{id}/subscriptions",
        "GET /products?page=&size=", "GET /products/{id}",
        "POST /orders", "GET /orders/{id}", "PATCH /orders/{id}", "GET /orders/{id}/invoice",
        "POST /payments", "GET /payments/{id}",
        "POST /subscriptions", "POST /subscriptions/{id}/renew", "POST /subscriptions/{id}/cancel",
    ]

    func handle(method: String, uri: String, body: [UInt8]) -> APIResponse {
        let (path, query) = split(uri)
        let parts = path.split(separator: "/").map(String.init)
        do {
            switch (method, parts.count, parts.first) {
            case ("GET", 0, nil):
                // The root answers, so an ad-hoc `--url http://host:port/` run succeeds; it
                // lists the routes for a person who opens it.
                return .json(["routes": BusinessAPI.routes])
            case ("GET", 1, "health"):
                return .json(["status": "ok"])
            case ("GET", 1, "openapi.json"):
                return APIResponse(status: 200, body: Array(OpenAPIDocument.json.utf8))
            case ("GET", _, "shop") where ShopPage.files[path] != nil:
                let file = ShopPage.files[path]!
                return APIResponse(status: 200, body: Array(file.text.utf8), contentType: file.contentType)
            case ("POST", 1, "echo"):
                // The request body back as is: for testing what a client sends.
                return APIResponse(status: 200, body: body)
            case ("GET", 1, "customers"):
                let (page, size) = try paging(query)
                return .json(store.customers(page: page, size: size))
            case ("POST", 1, "customers"):
                let new = try decode(NewCustomer.self, body)
                return .json(store.createCustomer(name: new.name, email: new.email, addresses: new.addresses ?? []), status: 201)
            case ("GET", 2, "customers"):
                return found(store.customer(parts[1]), "customer \(parts[1])")
            case ("GET", 3, "customers") where parts[2] == "orders":
                return found(store.orders(ofCustomer: parts[1]), "customer \(parts[1])")
            case ("GET", 3, "customers") where parts[2] == "invoices":
                return found(store.invoices(ofCustomer: parts[1]), "customer \(parts[1])")
            case ("GET", 3, "customers") where parts[2] == "subscriptions":
                return found(store.subscriptions(ofCustomer: parts[1]), "customer \(parts[1])")
            case ("GET", 1, "products"):
                let (page, size) = try paging(query)
                return .json(store.products(page: page, size: size))
            case ("GET", 2, "products"):
                return found(store.product(parts[1]), "product \(parts[1])")
            case ("POST", 1, "orders"):
                let new = try decode(NewOrder.self, body)
                return .json(try store.createOrder(customerId: new.customerId, lines: new.lines), status: 201)
            case ("GET", 2, "orders"):
                return found(store.order(parts[1]), "order \(parts[1])")
            case ("PATCH", 2, "orders"):
                let change = try decode(StatusChange.self, body)
                return .json(try store.setOrderStatus(parts[1], to: change.status))
            case ("GET", 3, "orders") where parts[2] == "invoice":
                return found(store.invoice(ofOrder: parts[1]), "invoice of order \(parts[1])")
            case ("POST", 1, "payments"):
                let new = try decode(NewPayment.self, body)
                let payment = try store.pay(orderId: new.orderId, declined: Double.random(in: 0..<1) < paymentFailureRate)
                return .json(payment, status: payment.status == "declined" ? 402 : 201)
            case ("GET", 2, "payments"):
                return found(store.payment(parts[1]), "payment \(parts[1])")
            case ("POST", 1, "subscriptions"):
                let new = try decode(NewSubscription.self, body)
                return .json(try store.createSubscription(customerId: new.customerId, productId: new.productId), status: 201)
            case ("POST", 3, "subscriptions") where parts[2] == "renew" || parts[2] == "cancel":
                return .json(try store.changeSubscription(parts[1], renew: parts[2] == "renew"))
            default:
                return .error(404, "no route for \(method) \(path)")
            }
        } catch let failure as BusinessStore.Failure {
            switch failure {
            case .notFound(let what): return .error(404, "\(what) not found")
            case .invalid(let why): return .error(422, why)
            }
        } catch {
            return .error(400, "malformed JSON body")
        }
    }

    private func found<T: Encodable>(_ value: T?, _ what: String) -> APIResponse {
        value.map { .json($0) } ?? .error(404, "\(what) not found")
    }

    private func decode<T: Decodable>(_ type: T.Type, _ body: [UInt8]) throws -> T {
        try JSONDecoder().decode(type, from: Data(body))
    }

    private func split(_ uri: String) -> (path: String, query: [String: String]) {
        guard let mark = uri.firstIndex(of: "?") else { return (uri, [:]) }
        var query: [String: String] = [:]
        for pair in uri[uri.index(after: mark)...].split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            query[kv[0]] = kv.count > 1 ? kv[1] : ""
        }
        return (String(uri[..<mark]), query)
    }

    private func paging(_ query: [String: String]) throws(BusinessStore.Failure) -> (page: Int, size: Int) {
        let page = Int(query["page"] ?? "1") ?? 0
        let size = Int(query["size"] ?? "20") ?? 0
        guard page >= 1, (1...100).contains(size) else { throw .invalid("page must be ≥ 1 and size 1…100") }
        return (page, size)
    }
}
