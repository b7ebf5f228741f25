import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import StampedeDSL
import StampedeMetrics

/// The live dashboard: serves the page at `/` and the run as server-sent events at
/// `/events`, on one SwiftNIO thread of its own. Fed once a second with the second that just
/// completed, like the Prometheus exporter: `record` only hands the second to that thread,
/// which merges, judges, encodes and writes, so the caller (the run's main thread) never
/// waits for a page, and no worker thread is involved.
public final class DashboardServer: Sendable {
    /// `host:port` it listens on (the real port when 0 was asked for); IPv6 hosts bracketed.
    public let address: String
    private let group: MultiThreadedEventLoopGroup
    /// The dashboard's one thread: the hub's and every connection's.
    let loop: any EventLoop
    private let channel: any Channel
    private let hub: NIOLoopBound<EventHub>

    /// Why the server could not listen, in the system's words: `cannot listen on
    /// 127.0.0.1:5665: Address already in use`.
    public struct ListenError: Error, CustomStringConvertible {
        public let description: String
    }

    /// A connection's unsent bytes above which its page counts as slow and is sent nothing
    /// more until they drain below the low mark: a few dozen seconds' events.
    static let writeBuffer = ChannelOptions.Types.WriteBufferWaterMark(low: 32 * 1024, high: 128 * 1024)

    /// Binds `host:port` (port 0 picks a free one) and serves the dashboard of a run of
    /// `plan`; `workers` names a distributed run's workers, `judge` is the run's own
    /// threshold judge, called with the totals so far and the seconds they span.
    public init(host: String, port: Int, plan: TestPlan, registry: MetricRegistry, workers: [String]?,
                judge: @escaping @Sendable (MetricSet, Double) -> [ThresholdVerdict]) throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let builder = SnapshotBuilder(plan: plan, registry: registry, workers: workers, historyLimit: EventHub.historyLimit, judge: judge)
        // One thread: the hub and every connection's handler live on this loop.
        let hub = try loop.submit { NIOLoopBound(EventHub(builder: builder), eventLoop: loop) }.wait()
        let page = DashboardPage.html
        do {
            channel = try ServerBootstrap(group: group)
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(ChannelOptions.writeBufferWaterMark, value: Self.writeBuffer)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                        try channel.pipeline.syncOperations.addHandler(DashboardHandler(hub: hub.value, page: page, loop: channel.eventLoop))
                    }
                }
                .bind(host: host, port: port).wait()
        } catch {
            try? group.syncShutdownGracefully()
            let reason = (error as? IOError).map { String(cString: strerror($0.errnoCode)) } ?? "\(error)"
            throw ListenError(description: "cannot listen on \(host):\(port): \(reason)")
        }
        self.group = group
        self.loop = loop
        self.hub = hub
        let boundPort = channel.localAddress?.port ?? port
        address = host.contains(":") ? "[\(host)]:\(boundPort)" : "\(host):\(boundPort)"
    }

    /// Adds second `index` (from 0) of the load, with the workers' counts sampled with it.
    /// Returns at once: the work is the dashboard thread's.
    public func record(second index: Int, _ metrics: MetricSet, workers: [DashboardWorker]? = nil) {
        let hub = self.hub
        loop.execute { hub.value.record(second: index, metrics, workers: workers) }
    }

    /// Sends every page the run's end, and waits until it is written, at most `timeout`
    /// seconds: a page that is gone or stalled does not hold the run's exit.
    public func finish(_ outcome: DashboardOutcome, timeout: Double = 2) {
        let written = DispatchSemaphore(value: 0)
        let (hub, loop) = (self.hub, self.loop)
        loop.execute {
            hub.value.finish(outcome, on: loop).whenComplete { _ in written.signal() }
        }
        _ = written.wait(timeout: .now() + timeout)
    }

    /// Stops listening and closes every connection.
    public func shutdown() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }
}

/// One HTTP connection: `GET /` is the page, `GET /events` turns the connection into an
/// event stream fed by the hub, anything else is 404.
private final class DashboardHandler: ChannelInboundHandler, EventClient {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let hub: EventHub
    private let page: String
    /// The dashboard's one thread: the hub's and every connection's.
    let loop: any EventLoop
    private var context: ChannelHandlerContext?
    private var streaming = false

    init(hub: EventHub, page: String, loop: any EventLoop) {
        (self.hub, self.page, self.loop) = (hub, page, loop)
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let head) = unwrapInboundIn(data), !streaming else { return }
        let path = head.uri.split(separator: "?").first.map(String.init) ?? "/"
        switch (head.method, path) {
        case (.GET, "/"), (.GET, "/index.html"):
            respond(context, head, .ok, "text/html; charset=utf-8", page)
        case (.GET, "/events"):
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "text/event-stream")
            headers.add(name: "Cache-Control", value: "no-store")
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers))), promise: nil)
            streaming = true
            hub.subscribe(self)
        default:
            respond(context, head, .notFound, "text/plain; charset=utf-8", "not found; the dashboard is at /\n")
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if streaming { hub.unsubscribe(self) }
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if streaming && context.channel.isWritable { hub.writable(self) }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    var isWritable: Bool { context?.channel.isWritable ?? false }

    func send(_ event: String) -> EventLoopFuture<Void> {
        guard let context else { return loop.makeFailedFuture(ChannelError.ioOnClosedChannel) }
        return context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: event)))))
    }

    private func respond(_ context: ChannelHandlerContext, _ head: HTTPRequestHead, _ status: HTTPResponseStatus, _ type: String, _ body: String) {
        let bytes = context.channel.allocator.buffer(string: body)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: type)
        headers.add(name: "Content-Length", value: String(bytes.readableBytes))
        headers.add(name: "Cache-Control", value: "no-store")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(bytes))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
