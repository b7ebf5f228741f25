import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus
import StampedeMetrics

/// Serves the running test's metrics at `/metrics` in Prometheus' text format. Fed once a
/// second with the second that just completed, off the workers' threads: counters add it,
/// gauges show it (VUs, the test's custom gauges, and the quantiles of http_req_duration,
/// http_req_latency and each custom trend over that second).
public final class PrometheusExporter: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let counters: [(CounterID, Counter)]
    private let failed: Counter
    /// Each rate's true and false values: the checks' and each custom rate's.
    private let outcomes: [(RateID, pass: Counter, fail: Counter)]
    private let gauges: [(GaugeID, Prometheus.Gauge)]
    /// Each trend's quantiles over the last second, and what divides its recorded values
    /// into the exported unit (seconds for times).
    private let quantiles: [(TrendID, divisor: Double, gauges: [(Double, Prometheus.Gauge)])]
    private let group: MultiThreadedEventLoopGroup
    private let channel: Channel
    /// `host:port` it listens on (the real port when 0 was asked for).
    public let address: String

    /// Two of the run's metrics that would be exported under one Prometheus name: a custom
    /// metric named like another's exported name (`orders_total` beside a counter `orders`).
    public struct NameClash: Error, CustomStringConvertible {
        public let description: String
    }

    /// Binds `host:port` (port 0 picks a free one) and starts serving the metrics of a run
    /// laid out by `metrics`, its custom ones included.
    public init(host: String, port: Int, metrics: MetricRegistry) throws {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        // swift-prometheus stops the process when one name is registered twice with different
        // types, so every name is claimed by one metric first.
        var owners: [String: String] = [:]
        func name(_ metric: String, _ unit: String, _ help: String) throws -> MetricNameDescriptor {
            let descriptor = MetricNameDescriptor(namespace: "stampede", metricName: metric, unitName: unit, helpText: help)
            if let owner = owners.updateValue(metric, forKey: descriptor.name), owner != metric {
                throw NameClash(description: "metrics '\(owner)' and '\(metric)' would both be exported as \(descriptor.name); rename one")
            }
            return descriptor
        }
        func quantileGauges(_ metric: String, _ unit: String) throws -> [(Double, Prometheus.Gauge)] {
            let descriptor = try name(metric, unit, "\(metric) over the last second")
            return [0.5, 0.9, 0.95, 0.99, 1].map { q in (q, registry.makeGauge(descriptor: descriptor, labels: [("quantile", "\(q)")])) }
        }
        func outcomeCounters(_ metric: String, _ help: String) throws -> (pass: Counter, fail: Counter) {
            let descriptor = try name(metric, "total", help)
            return (registry.makeCounter(descriptor: descriptor, labels: [("result", "pass")]),
                    registry.makeCounter(descriptor: descriptor, labels: [("result", "fail")]))
        }

        var counters = [
            (BuiltinMetrics.httpReqs, registry.makeCounter(descriptor: try name("http_reqs", "total", "Requests completed"))),
            (BuiltinMetrics.iterations, registry.makeCounter(descriptor: try name("iterations", "total", "Iterations completed"))),
            (BuiltinMetrics.droppedIterations, registry.makeCounter(descriptor: try name("dropped_iterations", "total", "Iterations dropped"))),
            (BuiltinMetrics.dataSent, registry.makeCounter(descriptor: try name("data_sent", "bytes_total", "Bytes sent"))),
            (BuiltinMetrics.dataReceived, registry.makeCounter(descriptor: try name("data_received", "bytes_total", "Bytes received"))),
        ]
        failed = registry.makeCounter(descriptor: try name("http_req_failed", "total", "Requests that failed"))
        let checks = try outcomeCounters("checks", "Checks run")
        var outcomes = [(BuiltinMetrics.checks, checks.pass, checks.fail)]
        var gauges = [
            (BuiltinMetrics.vus, registry.makeGauge(descriptor: try name("vus", "", "VUs in an iteration (most at once in the last second)"))),
            (BuiltinMetrics.vusMax, registry.makeGauge(descriptor: try name("vus_max", "", "VUs allocated"))),
        ]
        var quantiles = [
            (BuiltinMetrics.httpReqDuration, 1_000_000.0, try quantileGauges("http_req_duration", "seconds")),
            (BuiltinMetrics.httpReqLatency, 1_000_000.0, try quantileGauges("http_req_latency", "seconds")),
        ]
        // The test's own metrics, named as the built-in ones of their kind.
        for metric in metrics.customMetrics {
            let help = "custom \(metric.kind.rawValue) \(metric.name)"
            switch metric.kind {
            case .counter:
                counters.append((CounterID(slot: metric.slot), registry.makeCounter(descriptor: try name(metric.name, "total", help))))
            case .rate:
                let counts = try outcomeCounters(metric.name, help)
                outcomes.append((RateID(slot: metric.slot), counts.pass, counts.fail))
            case .gauge:
                gauges.append((GaugeID(slot: metric.slot), registry.makeGauge(descriptor: try name(metric.name, "", help))))
            case .trend:
                let isTime = metric.contains == .time
                quantiles.append((TrendID(slot: metric.slot), isTime ? 1_000_000 : Trend.scale,
                                  try quantileGauges(metric.name, isTime ? "seconds" : "")))
            }
        }
        self.counters = counters
        self.outcomes = outcomes
        self.gauges = gauges
        self.quantiles = quantiles

        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            channel = try ServerBootstrap(group: group)
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                        try channel.pipeline.syncOperations.addHandler(MetricsHandler(registry: registry))
                    }
                }
                .bind(host: host, port: port).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw error
        }
        self.group = group
        address = "\(host):\(channel.localAddress?.port ?? port)"
    }

    /// Adds one completed second of the run. A gauge or a trend nobody recorded in that
    /// second keeps what it showed.
    public func record(second metrics: MetricSet) {
        for (id, counter) in counters { counter.increment(by: Int64(metrics[id])) }
        failed.increment(by: Int64(metrics[BuiltinMetrics.httpReqFailed].trues))
        for (id, pass, fail) in outcomes {
            pass.increment(by: Int64(metrics[id].trues))
            fail.increment(by: Int64(metrics[id].falses))
        }
        for (id, gauge) in gauges where metrics[id].isSet { gauge.set(metrics[id].value) }
        for (id, divisor, gauges) in quantiles {
            let values = metrics[id]
            guard values.count > 0 else { continue }
            for (q, gauge) in gauges { gauge.set(values.percentile(q * 100) / divisor) }
        }
    }

    public func shutdown() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }
}

/// Answers `GET /metrics` with the registry's text; anything else with 404.
private final class MetricsHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let registry: PrometheusCollectorRegistry
    init(registry: PrometheusCollectorRegistry) { self.registry = registry }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let head) = unwrapInboundIn(data) else { return }
        let found = head.method == .GET && head.uri.split(separator: "?").first == "/metrics"
        let body = found ? registry.emitToBuffer() : Array("not found; metrics are at /metrics\n".utf8)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: found ? "text/plain; version=0.0.4" : "text/plain")
        headers.add(name: "Content-Length", value: String(body.count))
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: found ? .ok : .notFound, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
