import StampedeMetrics
import XCTest

/// Custom metrics (k6's Counter, Gauge, Rate, Trend): merged across worker threads and
/// machines as the built-in ones are.
final class CustomMetricTests: XCTestCase {
    /// Worker threads and machines each keep their own gauge; merged, VUs add up while a
    /// custom gauge is the value set last, wherever it was set.
    func testACustomGaugeMergesToTheValueSetLastWhileVUsAddUp() {
        var registry = MetricRegistry()
        let cart = GaugeID(slot: registry.declare("cart_size", .gauge, contains: .default)!.slot)
        var early = MetricSet(registry: registry), late = MetricSet(registry: registry)
        early.set(BuiltinMetrics.vus, 3)
        late.set(BuiltinMetrics.vus, 4)
        early.gauges[cart.slot].set(1, at: 100)
        early.gauges[cart.slot].set(9, at: 900)
        late.gauges[cart.slot].set(5, at: 500)
        for (first, second) in [(early, late), (late, early)] {
            var merged = first
            merged.mergeConcurrent(second)
            XCTAssertEqual(merged[BuiltinMetrics.vus].value, 7, "VUs of two workers add up")
            XCTAssertEqual(merged[cart].value, 9, "the value set last, in whichever order the workers report")
            XCTAssertEqual(merged[cart].min, 1)
            XCTAssertEqual(merged[cart].max, 9)
        }
        // Setup's value stands until the load sets its own; VUs of setup's VU do not count.
        var totals = MetricSet(registry: registry)
        var setup = MetricSet(registry: registry)
        setup.set(BuiltinMetrics.vus, 1)
        setup.gauges[cart.slot].set(2, at: 10)
        totals.absorb(setup)
        XCTAssertEqual(totals[cart].value, 2)
        XCTAssertFalse(totals[BuiltinMetrics.vus].isSet)
        totals.append(late)
        XCTAssertEqual(totals[cart].value, 5)
        XCTAssertEqual(totals[cart].min, 2)
    }
}
