import Foundation
import StampedeDSL

/// The business flows the seed tests are made of, against the business-support API that
/// the embedded target serves (and a real deployment serves at `--target`).
enum Journeys {
    /// One row per seeded customer, each with a product to order: deterministic test data
    /// that needs no file. Customers `c-0001`…`c-1000`, products `p-001`…`p-200`.
    static let customers = Feeder.generated(1000) { i in
        ["customerId": String(format: "c-%04d", i + 1), "productId": String(format: "p-%03d", i % 200 + 1)]
    }

    /// A shopper: browses products, looks one up, looks up the customer, orders, pays the
    /// order if it was created, and fetches the invoice of *that* order when the payment
    /// went through.
    @FlowBuilder
    static func shopper(think: Duration) -> [Step] {
        Get("/products?page=1&size=20").named("list products").check(.status(200))
        Get("/products/{{productId}}").named("get product").check(.status(200))
        Think(between: think / 2, and: think * 1.5)
        Get("/customers/{{customerId}}").named("get customer").check(.status(200))
        Group("checkout") {
            Post("/orders", json: #"{"customerId":"{{customerId}}","lines":[{"productId":"{{productId}}","quantity":1}]}"#)
                .named("create order")
                .check("order created", .status(201))
                .extract("orderId", .jsonField("id"))
            // Only an order that was created is paid: a failed create leaves orderId unset.
            If(.isSet("orderId")) {
                Post("/payments", json: #"{"orderId":"{{orderId}}"}"#)
                    .named("pay order")
                    .expecting(200...402)
                    .extract("paymentStatus", .jsonField("status"))
                If(.equals("paymentStatus", "captured")) {
                    Get("/orders/{{orderId}}/invoice")
                        .named("get invoice")
                        .check("invoice of that order", .jsonField("orderId", equals: "{{orderId}}"))
                }
            }
        }
        Think(exponentialMean: think)
    }

    /// A subscriber: lists their subscriptions and renews the first one, if they have any.
    @FlowBuilder
    static func subscriber(think: Duration) -> [Step] {
        Get("/customers/{{customerId}}/subscriptions")
            .named("list subscriptions")
            .check(.status(200))
            .extract("subscriptionId", .jsonField("0.id"))
        If(.isSet("subscriptionId")) {
            Post("/subscriptions/{{subscriptionId}}/renew", json: "{}").named("renew subscription").check(.status(200))
        }
        Think(think)
    }
}
