import Foundation
import NIOCore
import StampedeMetrics

/// A page's end of the event stream: where the hub writes events, and whether the
/// connection takes more now.
protocol EventClient: AnyObject {
    /// False while the connection's unsent bytes are above its high-water mark.
    var isWritable: Bool { get }
    func send(_ event: String) -> EventLoopFuture<Void>
}

/// The server-sent event streams of every connected page, on the dashboard's event loop
/// only. Each merged second is turned into one event, sent to every page that keeps up; a
/// page that does not (its connection's buffer is full) is sent nothing more until it has
/// drained, then one event with every second it missed. So a slow page costs at most its
/// connection's buffer and the history, and nothing waits for it.
final class EventHub {
    /// Seconds kept for pages that connect late or fall behind: the last hour.
    static let historyLimit = 3600

    private struct Subscriber {
        let client: any EventClient
        /// The last second this page was sent; 0 for none.
        var sent: Int
    }

    private var builder: SnapshotBuilder
    private let hello: String
    /// Each second's point, as JSON, oldest first.
    private var history: [(t: Int, json: String)] = []
    /// The run so far, as JSON: from the last second.
    private var state = ""
    private var final: String?
    private var subscribers: [ObjectIdentifier: Subscriber] = [:]
    private let encoder: JSONEncoder

    init(builder: SnapshotBuilder) {
        self.builder = builder
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // A gauge threshold's min or max before any value is infinite: JSON has no such number.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        hello = Self.event("hello", Self.json(builder.hello, encoder), retryMilliseconds: 1000)
    }

    private var latest: Int { history.last?.t ?? 0 }

    /// A page opened the stream: it is sent what it needs to draw the run so far.
    func subscribe(_ client: any EventClient) {
        let key = ObjectIdentifier(client)
        subscribers[key] = Subscriber(client: client, sent: 0)
        _ = client.send(hello)
        catchUp(key)
        if let final { _ = client.send(final) }
    }

    func unsubscribe(_ client: any EventClient) {
        subscribers[ObjectIdentifier(client)] = nil
    }

    /// A page's connection drained below its low-water mark: it gets what it missed.
    func writable(_ client: any EventClient) {
        guard final == nil else { return }
        catchUp(ObjectIdentifier(client))
    }

    /// Second `index` of the load (from 0): one event to every page that keeps up.
    func record(second index: Int, _ metrics: MetricSet, workers: [DashboardWorker]?) {
        let (point, state) = builder.add(second: index, metrics, workers: workers)
        history.append((point.t, json(point)))
        if history.count > Self.historyLimit { history.removeFirst(history.count - Self.historyLimit) }
        self.state = json(state)
        for key in Array(subscribers.keys) where subscribers[key]?.client.isWritable == true {
            catchUp(key)
        }
    }

    /// The run's end: every page, up to date or not, gets the seconds it lacks and the final
    /// event; the future completes when every write has (or failed with its connection).
    func finish(_ outcome: DashboardOutcome, on loop: EventLoop) -> EventLoopFuture<Void> {
        let final = Self.event("final", json(builder.final(outcome, t: latest)))
        self.final = final
        var writes: [EventLoopFuture<Void>] = []
        for key in Array(subscribers.keys) {
            catchUp(key)
            if let client = subscribers[key]?.client { writes.append(client.send(final)) }
        }
        return EventLoopFuture.andAllComplete(writes, on: loop)
    }

    /// Sends the seconds after the last one this page had, with the run so far, as one event.
    /// A write can call back into the hub before it returns (the connection's writability
    /// changed, or it closed), so the page is marked as sent first and no access to
    /// `subscribers` is held across the write.
    private func catchUp(_ key: ObjectIdentifier) {
        guard let subscriber = subscribers[key], subscriber.sent < latest else { return }
        var first = history.endIndex
        while first > history.startIndex && history[first - 1].t > subscriber.sent { first -= 1 }
        let points = history[first...].map(\.json).joined(separator: ",")
        subscribers[key]?.sent = latest
        _ = subscriber.client.send(Self.event("second", "{\"points\":[\(points)],\"state\":\(state)}"))
    }

    /// One event in the text/event-stream format: JSON has no raw line break, so the data is one line.
    private static func event(_ name: String, _ data: String, retryMilliseconds: Int? = nil) -> String {
        (retryMilliseconds.map { "retry: \($0)\n" } ?? "") + "event: \(name)\ndata: \(data)\n\n"
    }

    private func json(_ value: some Encodable) -> String { Self.json(value, encoder) }

    private static func json(_ value: some Encodable, _ encoder: JSONEncoder) -> String {
        // The snapshot types hold strings, numbers and booleans, and non-finite numbers are
        // written as strings: encoding cannot fail.
        String(decoding: try! encoder.encode(value), as: UTF8.self)
    }
}
