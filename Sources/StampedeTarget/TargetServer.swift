import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// How the embedded target behaves.
public struct TargetOptions: Sendable {
    /// Added before every response, to stand in for a real service's work.
    public var latency: Duration
    /// The share of requests answered 500, to exercise error handling.
    public var errorRate: Double
    /// The share of payments declined with 402.
    public var paymentFailureRate: Double
    /// Event-loop threads.
    public var threads: Int
    /// Every `stallEvery`, the target stops answering for `stallFor`: responses due in that
    /// window wait until it ends (a garbage-collection pause, a failover), to show what
    /// coordinated omission hides.
    public var stallEvery: Duration?
    public var stallFor: Duration
    /// Called with `METHOD URI STATUS` for every request as it is answered: `stampede target
    /// --access-log`, to see what a plan (a converted one, say) really sends.
    public var accessLog: (@Sendable (String) -> Void)?

    public init(
        latency: Duration = .zero, errorRate: Double = 0, paymentFailureRate: Double = 0, threads: Int = 1,
        stallEvery: Duration? = nil, stallFor: Duration = .seconds(1), accessLog: (@Sendable (String) -> Void)? = nil
    ) {
        self.latency = latency
        self.errorRate = errorRate
        self.paymentFailureRate = paymentFailureRate
        self.threads = threads
        self.stallEvery = stallEvery
        self.stallFor = stallFor
        self.accessLog = accessLog
    }

    /// How long a response ready at `elapsed` since the start waits: the configured latency,
    /// plus the rest of a stall it falls into.
    func delay(at elapsed: Duration) -> Duration {
        guard let stallEvery, stallEvery > .zero else { return latency }
        let phase = Duration.nanoseconds(TimeAmount(elapsed).nanoseconds % TimeAmount(stallEvery).nanoseconds)
        return latency + (phase < stallFor ? stallFor - phase : .zero)
    }
}

/// What the target saw: tests compare it with what the engine reports.
public struct TargetStats: Sendable, Equatable {
    public var requests: Int
    public var connections: Int
    public var bytesReceived: Int
    public var bytesSent: Int
}

/// The embedded business-support API on SwiftNIO, for demos and tests: `stampede target`,
/// and `stampede run` without `--target`. Not for throughput measurements.
public final class TargetServer: Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let channel: Channel
    private let counters: Counters
    /// The port it listens on (the one asked for, or the free one the system chose for 0).
    public let port: Int
    public let host: String

    final class Counters: Sendable {
        let requests = Atomic<Int>(0)
        let connections = Atomic<Int>(0)
        let bytesReceived = Atomic<Int>(0)
        let bytesSent = Atomic<Int>(0)
    }

    /// Binds and starts serving; port 0 picks a free port.
    public init(host: String = "127.0.0.1", port: Int = 0, options: TargetOptions = TargetOptions()) throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, options.threads))
        let counters = Counters()
        let api = BusinessAPI(store: BusinessStore(), paymentFailureRate: options.paymentFailureRate)
        let startedAt = NIODeadline.now()
        let bootstrap = ServerBootstrap(group: group)
            // Large tests open thousands of connections at once; the kernel caps this at somaxconn.
            .serverChannelOption(ChannelOptions.backlog, value: 4096)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                counters.connections.add(1, ordering: .relaxed)
                return channel.pipeline.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteCounter(counters: counters))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(
                        RequestHandler(api: api, options: options, counters: counters, startedAt: startedAt))
                }
            }
        do {
            channel = try bootstrap.bind(host: host, port: port).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw error
        }
        self.group = group
        self.counters = counters
        self.host = host
        self.port = channel.localAddress?.port ?? port
    }

    /// `http://host:port`, the base URL scenarios resolve paths against.
    public var baseURL: String { "http://\(host):\(port)" }

    public var stats: TargetStats {
        TargetStats(
            requests: counters.requests.load(ordering: .relaxed),
            connections: counters.connections.load(ordering: .relaxed),
            bytesReceived: counters.bytesReceived.load(ordering: .relaxed),
            bytesSent: counters.bytesSent.load(ordering: .relaxed))
    }

    /// Blocks until the server is closed by `shutdown()` from another thread.
    public func waitUntilClosed() throws {
        try channel.closeFuture.wait()
    }

    public func shutdown() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }
}

/// Counts the bytes that cross each connection's socket, both ways.
private final class ByteCounter: ChannelDuplexHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let counters: TargetServer.Counters
    init(counters: TargetServer.Counters) { self.counters = counters }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        counters.bytesReceived.add(unwrapInboundIn(data).readableBytes, ordering: .relaxed)
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        counters.bytesSent.add(unwrapOutboundIn(data).readableBytes, ordering: .relaxed)
        context.write(data, promise: promise)
    }
}

/// Gathers a request, asks the API, and answers after the configured latency.
private final class RequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let api: BusinessAPI
    let options: TargetOptions
    let counters: TargetServer.Counters
    let startedAt: NIODeadline
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(api: BusinessAPI, options: TargetOptions, counters: TargetServer.Counters, startedAt: NIODeadline) {
        self.api = api
        self.options = options
        self.counters = counters
        self.startedAt = startedAt
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body.removeAll(keepingCapacity: true)
        case .body(var buffer):
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            guard let head else { return }
            if head.method == .GET, head.uri == "/metrics" {
                let page = ProcessMetrics.page(
                    requests: counters.requests.load(ordering: .relaxed), connections: counters.connections.load(ordering: .relaxed))
                let response = APIResponse(status: 200, body: Array(page.utf8), contentType: "text/plain; version=0.0.4")
                respond(context: context, response: response, version: head.version, keepAlive: head.isKeepAlive)
                self.head = nil
                return
            }
            counters.requests.add(1, ordering: .relaxed)
            let response = Double.random(in: 0..<1) < options.errorRate
                ? APIResponse.error(500, "injected failure")
                : api.handle(method: head.method.rawValue, uri: head.uri, body: body)
            options.accessLog?("\(head.method.rawValue) \(head.uri) \(response.status)")
            let keepAlive = head.isKeepAlive
            let version = head.version
            let respond = { [self] in
                self.respond(context: context, response: response, version: version, keepAlive: keepAlive)
            }
            let delay = options.delay(at: .nanoseconds((NIODeadline.now() - startedAt).nanoseconds))
            if delay > .zero {
                context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(delay), respond)
            } else {
                respond()
            }
            self.head = nil
        }
    }

    private func respond(context: ChannelHandlerContext, response: APIResponse, version: HTTPVersion, keepAlive: Bool) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: String(response.body.count))
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let status = HTTPResponseStatus(statusCode: response.status)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: status, headers: headers))), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: response.body.count)
        buffer.writeBytes(response.body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let channel = context.channel  // Sendable, unlike the context
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            if !keepAlive { channel.close(promise: nil) }
        }
    }
}
