import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus
import StampedeMetrics

/// Serves the running test's metrics at `/metrics` in Prometheus' text format. Fed once a
/// second with the second that just completed, off the workers' threads: counters add it,
/// gauges show it (VUs, and http_req_duration's percentiles over that second).
public final class PrometheusExporter: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let counters: [(CounterID, Counter)]
    private let failed: Counter
    private let checksPassed: Counter
    private let checksFailed: Counter
    private let vus: Prometheus.Gauge
    private let vusMax: Prometheus.Gauge
    private let quantiles: [(Double, Prometheus.Gauge)]
    private let latencyQuantiles: [(Double, Prometheus.Gauge)]
    private let group: MultiThreadedEventLoopGroup
    private let channel: Channel
    /// `host:port` it listens on (the real port when 0 was asked for).
    public let address: String

    /// `stampede_<name>_<unit>`, spelled as swift-prometheus's descriptor composes it.
    private static func metric(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "stampede", metricName: name, unitName: unit, helpText: help)
    }

    /// Binds `host:port` (port 0 picks a free one) and starts serving.
    public init(host: String, port: Int) throws {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        counters = [
            (BuiltinMetrics.httpReqs, registry.makeCounter(descriptor: Self.metric("http_reqs", "total", "Requests completed"))),
            (BuiltinMetrics.iterations, registry.makeCounter(descriptor: Self.metric("iterations", "total", "Iterations completed"))),
            (BuiltinMetrics.droppedIterations, registry.makeCounter(descriptor: Self.metric("dropped_iterations", "total", "Iterations dropped"))),
            (BuiltinMetrics.dataSent, registry.makeCounter(descriptor: Self.metric("data_sent", "bytes_total", "Bytes sent"))),
            (BuiltinMetrics.dataReceived, registry.makeCounter(descriptor: Self.metric("data_received", "bytes_total", "Bytes received"))),
        ]
        failed = registry.makeCounter(descriptor: Self.metric("http_req_failed", "total", "Requests that failed"))
        checksPassed = registry.makeCounter(descriptor: Self.metric("checks", "total", "Checks run"), labels: [("result", "pass")])
        checksFailed = registry.makeCounter(descriptor: Self.metric("checks", "total", "Checks run"), labels: [("result", "fail")])
        vus = registry.makeGauge(descriptor: Self.metric("vus", "", "VUs in an iteration (most at once in the last second)"))
        vusMax = registry.makeGauge(descriptor: Self.metric("vus_max", "", "VUs allocated"))
        quantiles = [0.5, 0.9, 0.95, 0.99, 1].map { q in
            (q, registry.makeGauge(descriptor: Self.metric("http_req_duration", "seconds", "http_req_duration over the last second"),
                                   labels: [("quantile", "\(q)")]))
        }
        latencyQuantiles = [0.5, 0.9, 0.95, 0.99, 1].map { q in
            (q, registry.makeGauge(descriptor: Self.metric("http_req_latency", "seconds", "http_req_latency over the last second"),
                                   labels: [("quantile", "\(q)")]))
        }
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

    /// Adds one completed second of the run.
    public func record(second metrics: MetricSet) {
        for (id, counter) in counters { counter.increment(by: Int64(metrics[id])) }
        failed.increment(by: Int64(metrics[BuiltinMetrics.httpReqFailed].trues))
        checksPassed.increment(by: Int64(metrics[BuiltinMetrics.checks].trues))
        checksFailed.increment(by: Int64(metrics[BuiltinMetrics.checks].falses))
        vus.set(metrics[BuiltinMetrics.vus].value)
        vusMax.set(metrics[BuiltinMetrics.vusMax].value)
        for (trend, gauges) in [(BuiltinMetrics.httpReqDuration, quantiles), (BuiltinMetrics.httpReqLatency, latencyQuantiles)] {
            let values = metrics[trend]
            guard values.count > 0 else { continue }
            for (q, gauge) in gauges { gauge.set(values.percentile(q * 100) / 1_000_000) }
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
