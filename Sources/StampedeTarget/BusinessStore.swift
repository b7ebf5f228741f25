import Foundation
import NIOConcurrencyHelpers

/// The target's data, in memory, seeded the same way every time so scenarios can name
/// customers `c-0001`…`c-1000` and products `p-001`…`p-200`.
final class BusinessStore: Sendable {
    static let seededCustomers = 1000
    static let seededProducts = 200

    private struct Tables: Sendable {
        var customers: [String: Customer] = [:]
        var customerOrder: [String] = []
        var products: [String: Product] = [:]
        var productOrder: [String] = []
        var orders: [String: Order] = [:]
        var ordersByCustomer: [String: [String]] = [:]
        var payments: [String: Payment] = [:]
        var invoices: [String: Invoice] = [:]
        var invoiceByOrder: [String: String] = [:]
        var subscriptions: [String: Subscription] = [:]
        var subscriptionsByCustomer: [String: [String]] = [:]
        var nextId = 1
    }

    private let tables = NIOLockedValueBox(Tables())

    init() {
        tables.withLockedValue { t in
            let cities = ["Berlin", "Lisbon", "Oslo", "Austin", "Osaka", "Lyon", "Quito", "Perth"]
            for n in 1...Self.seededProducts {
                let id = String(format: "p-%03d", n)
                t.products[id] = Product(id: id, name: "Product \(n)", price: 500 + (n * 137) % 9500, currency: "EUR")
                t.productOrder.append(id)
            }
            for n in 1...Self.seededCustomers {
                let id = String(format: "c-%04d", n)
                let city = cities[n % cities.count]
                t.customers[id] = Customer(
                    id: id, name: "Customer \(n)", email: "customer\(n)@example.test",
                    addresses: [Address(street: "\(n) Main Street", city: city, country: "EU")])
                t.customerOrder.append(id)
                if n % 2 == 1 {
                    let sid = String(format: "s-%04d", n)
                    t.subscriptions[sid] = Subscription(
                        id: sid, customerId: id, productId: t.productOrder[n % Self.seededProducts], status: "active", renewals: 0)
                    t.subscriptionsByCustomer[id, default: []].append(sid)
                }
            }
        }
    }

    private static func newId(_ prefix: String, _ t: inout Tables) -> String {
        defer { t.nextId += 1 }
        return "\(prefix)-\(t.nextId)"
    }

    func customers(page: Int, size: Int) -> Page<Customer> {
        tables.withLockedValue { t in
            let slice = t.customerOrder.dropFirst((page - 1) * size).prefix(size)
            return Page(items: slice.compactMap { t.customers[$0] }, page: page, size: size, total: t.customerOrder.count)
        }
    }

    func customer(_ id: String) -> Customer? { tables.withLockedValue { $0.customers[id] } }

    func createCustomer(name: String, email: String, addresses: [Address]) -> Customer {
        tables.withLockedValue { t in
            let customer = Customer(id: Self.newId("c", &t), name: name, email: email, addresses: addresses)
            t.customers[customer.id] = customer
            t.customerOrder.append(customer.id)
            return customer
        }
    }

    func products(page: Int, size: Int) -> Page<Product> {
        tables.withLockedValue { t in
            let slice = t.productOrder.dropFirst((page - 1) * size).prefix(size)
            return Page(items: slice.compactMap { t.products[$0] }, page: page, size: size, total: t.productOrder.count)
        }
    }

    func product(_ id: String) -> Product? { tables.withLockedValue { $0.products[id] } }

    enum Failure: Error {
        case notFound(String)
        case invalid(String)
    }

    /// A change of the tables that may be refused, under the lock (whose closure rethrows untyped errors).
    private func update<T>(_ change: (inout Tables) throws(Failure) -> T) throws(Failure) -> T {
        try tables.withLockedValue { t in Result { () throws(Failure) in try change(&t) } }.get()
    }

    func createOrder(customerId: String, lines: [OrderLine]) throws(Failure) -> Order {
        try update { (t: inout Tables) throws(Failure) -> Order in
            guard t.customers[customerId] != nil else { throw .notFound("customer \(customerId)") }
            guard !lines.isEmpty else { throw .invalid("an order needs at least one line") }
            var total = 0
            for line in lines {
                guard let product = t.products[line.productId] else { throw .notFound("product \(line.productId)") }
                guard line.quantity > 0 else { throw .invalid("quantity must be positive") }
                total += product.price * line.quantity
            }
            let order = Order(id: Self.newId("o", &t), customerId: customerId, lines: lines, total: total, status: "created")
            t.orders[order.id] = order
            t.ordersByCustomer[customerId, default: []].append(order.id)
            return order
        }
    }

    func order(_ id: String) -> Order? { tables.withLockedValue { $0.orders[id] } }

    func orders(ofCustomer id: String) -> [Order]? {
        tables.withLockedValue { t in
            guard t.customers[id] != nil else { return nil }
            return (t.ordersByCustomer[id] ?? []).compactMap { t.orders[$0] }
        }
    }

    func setOrderStatus(_ id: String, to status: String) throws(Failure) -> Order {
        try update { (t: inout Tables) throws(Failure) -> Order in
            guard var order = t.orders[id] else { throw .notFound("order \(id)") }
            guard ["created", "paid", "shipped", "delivered", "cancelled"].contains(status) else {
                throw .invalid("unknown status '\(status)'")
            }
            order.status = status
            t.orders[id] = order
            return order
        }
    }

    /// Pays an order in full; `declined` records a failed payment and leaves the order unpaid.
    func pay(orderId: String, declined: Bool) throws(Failure) -> Payment {
        try update { (t: inout Tables) throws(Failure) -> Payment in
            guard var order = t.orders[orderId] else { throw .notFound("order \(orderId)") }
            let payment = Payment(id: Self.newId("pay", &t), orderId: orderId, amount: order.total, status: declined ? "declined" : "captured")
            t.payments[payment.id] = payment
            if !declined {
                order.status = "paid"
                t.orders[orderId] = order
                let invoice = Invoice(id: Self.newId("inv", &t), orderId: orderId, customerId: order.customerId, amount: order.total, status: "issued")
                t.invoices[invoice.id] = invoice
                t.invoiceByOrder[orderId] = invoice.id
            }
            return payment
        }
    }

    func payment(_ id: String) -> Payment? { tables.withLockedValue { $0.payments[id] } }

    func invoice(ofOrder id: String) -> Invoice? {
        tables.withLockedValue { t in t.invoiceByOrder[id].flatMap { t.invoices[$0] } }
    }

    func invoices(ofCustomer id: String) -> [Invoice]? {
        tables.withLockedValue { t in
            guard t.customers[id] != nil else { return nil }
            return (t.ordersByCustomer[id] ?? []).compactMap { t.invoiceByOrder[$0].flatMap { t.invoices[$0] } }
        }
    }

    func createSubscription(customerId: String, productId: String) throws(Failure) -> Subscription {
        try update { (t: inout Tables) throws(Failure) -> Subscription in
            guard t.customers[customerId] != nil else { throw .notFound("customer \(customerId)") }
            guard t.products[productId] != nil else { throw .notFound("product \(productId)") }
            let subscription = Subscription(id: Self.newId("s", &t), customerId: customerId, productId: productId, status: "active", renewals: 0)
            t.subscriptions[subscription.id] = subscription
            t.subscriptionsByCustomer[customerId, default: []].append(subscription.id)
            return subscription
        }
    }

    /// Renews or cancels a subscription; a cancelled one cannot be renewed.
    func changeSubscription(_ id: String, renew: Bool) throws(Failure) -> Subscription {
        try update { (t: inout Tables) throws(Failure) -> Subscription in
            guard var subscription = t.subscriptions[id] else { throw .notFound("subscription \(id)") }
            if renew {
                guard subscription.status == "active" else { throw .invalid("subscription \(id) is cancelled") }
                subscription.renewals += 1
            } else {
                subscription.status = "cancelled"
            }
            t.subscriptions[id] = subscription
            return subscription
        }
    }

    func subscriptions(ofCustomer id: String) -> [Subscription]? {
        tables.withLockedValue { t in
            guard t.customers[id] != nil else { return nil }
            return (t.subscriptionsByCustomer[id] ?? []).compactMap { t.subscriptions[$0] }
        }
    }
}
