import StampedeDSL

/// A short look at every part of the business-support API a shopper touches: a few VUs for
/// a few seconds. The quickest way to see that a target answers and Stampede measures.
public let smoke = Scenario(
    "smoke",
    description: "5 VUs browse products, look up a customer and place an order for 5s",
    executor: .constantVUs(5, duration: .seconds(5), gracefulStop: .seconds(5))
) {
    Get("/health")
    Get("/products?page=1&size=20").named("list products")
    Get("/products/p-001").named("get product")
    Get("/customers/c-0001").named("get customer")
    Post("/orders", json: #"{"customerId":"c-0001","lines":[{"productId":"p-001","quantity":2}]}"#)
        .named("create order")
    Get("/customers/c-0001/subscriptions").named("list subscriptions")
    Think(.milliseconds(100))
}
