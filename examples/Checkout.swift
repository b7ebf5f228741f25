// A test in Stampede's Swift DSL, in a file of its own, as in your repository:
//   stampede list examples/Checkout.swift
//   stampede run examples/Checkout.swift --duration-scale 0.2
// docs/scenarios.md explains the DSL and how such files are compiled and run.
import StampedeDSL

/// Shoppers from customers.csv (beside this file) look at three products of their own and
/// order the cheapest: Swift decides, a plan file could not.
let shoppers = Scenario(
    "shoppers",
    description: "10 VUs compare three products and order the cheapest, for 10s",
    executor: .constantVUs(10, duration: .seconds(10))
) {
    Code("pick three products") { ctx in
        for slot in 0..<3 { ctx["candidate\(slot)"] = "p-\(100 + (ctx.vu * 3 + slot + ctx.iteration) % 100)" }
    }
    Get("/products/{{candidate0}}").named("get product").extract("price0", .jsonField("price")).check(.status(200))
    Get("/products/{{candidate1}}").named("get product").extract("price1", .jsonField("price")).check(.status(200))
    Get("/products/{{candidate2}}").named("get product").extract("price2", .jsonField("price")).check(.status(200))
    Code("choose the cheapest") { ctx in
        let prices = (0..<3).map { Double(ctx["price\($0)"] ?? "") ?? .infinity }
        ctx["productId"] = ctx["candidate\(prices.indices.min { prices[$0] < prices[$1] }!)"]
    }
    Post("/orders", json: #"{"customerId":"{{customerId}}","lines":[{"productId":"{{productId}}","quantity":1}]}"#)
        .named("create order")
        .check("order created", .status(201))
    Think(between: .milliseconds(100), and: .milliseconds(300))
}.with { $0.feeder = Feeder(.csv("customers.csv")) }

let checkout = TestPlan(
    "checkout-swift",
    description: "Shoppers compare and order; p(95) under 300ms, under 1% failures",
    scenarios: [shoppers],
    thresholds: Threshold.all(["http_req_duration": ["p(95)<300"], "http_req_failed": ["rate<0.01"]])
)
