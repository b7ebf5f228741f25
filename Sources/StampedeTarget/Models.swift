/// The business-support domain the embedded target serves. Ids are strings, as in the
/// system these tests were first written for.
struct Address: Codable, Sendable {
    var street: String
    var city: String
    var country: String
}

struct Customer: Codable, Sendable {
    var id: String
    var name: String
    var email: String
    var addresses: [Address]
}

struct Product: Codable, Sendable {
    var id: String
    var name: String
    /// Minor units (cents).
    var price: Int
    var currency: String
}

struct OrderLine: Codable, Sendable {
    var productId: String
    var quantity: Int
}

struct Order: Codable, Sendable {
    var id: String
    var customerId: String
    var lines: [OrderLine]
    var total: Int
    var status: String
}

struct Payment: Codable, Sendable {
    var id: String
    var orderId: String
    var amount: Int
    var status: String
}

struct Invoice: Codable, Sendable {
    var id: String
    var orderId: String
    var customerId: String
    var amount: Int
    var status: String
}

struct Subscription: Codable, Sendable {
    var id: String
    var customerId: String
    var productId: String
    var status: String
    var renewals: Int
}

/// A page of a listing.
struct Page<Item: Codable & Sendable>: Codable, Sendable {
    var items: [Item]
    var page: Int
    var size: Int
    var total: Int
}
