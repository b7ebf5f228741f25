import Foundation

/// A HAR recording → a plan: the requests in the order the browser sent them, with the
/// headers it sent (less those the engine sets itself), their bodies, a check on each
/// recorded status, think steps where the user paused, and correlations as extractions and
/// templates. Requests to the recording's main host become paths, so `--target` can point
/// the plan at another copy of the service.
enum HARConverter {
    /// Headers the engine sets itself (Host, Content-Length), hop-by-hop ones, HTTP/2
    /// pseudo-headers (`:path`), and Cookie, which each VU's cookie jar sends from the cookies
    /// responses set.
    static let droppedHeaders: Set<String> = [
        "host", "content-length", "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "upgrade", "cookie",
    ]

    static let methods: Set<String> = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]

    /// The longest think step a recording's pause becomes.
    static let maximumThinkMilliseconds = 60_000

    static func convert(_ document: InputDocument, name: String, options: Converter.Options) throws(ConvertError) -> (PlanDraft, [String]) {
        let har = try HARFile.decode(document)
        let timed = try timeline(har, document)
        var notes: [String] = []
        var dropped: [String] = []
        func drop(_ entry: HARFile.Entry, _ why: String) {
            dropped.append("dropped \(entry.request.method) \(entry.request.url) (\(why))")
        }

        // Which entries become requests, and which only say the browser followed a redirect.
        var kept: [(entry: HARFile.Entry, start: Date, status: Int)] = []
        var followed: Set<Int> = []
        for (index, item) in timed.enumerated() {
            let (entry, start, _) = item
            let request = entry.request
            if followed.contains(index) {
                drop(entry, "the redirect before it, which the engine follows itself")
            } else if !(request.url.hasPrefix("http://") || request.url.hasPrefix("https://")) {
                drop(entry, "not HTTP")
            } else if entry.response.status == 0 {
                drop(entry, "no response in the recording: blocked or cancelled")
            } else if request.method == "OPTIONS", request.headers.contains(where: { $0.name.lowercased() == "access-control-request-method" }) {
                drop(entry, "a CORS preflight, which the browser sends on its own")
            } else if !methods.contains(request.method.uppercased()) {
                drop(entry, "method \(request.method) has no plan-file form")
            } else if options.skipStatic, let kind = StaticAssets.kind(mimeType: entry.response.content.mimeType, path: Self.path(of: request.url)) {
                drop(entry, "\(kind), --skip-static")
            } else {
                // A redirect the browser followed: the engine follows it too, so the request
                // to its Location goes, and the check expects the status at the end of it.
                var status = entry.response.status
                var hop = index
                while (300...399).contains(timed[hop].entry.response.status), let next = redirectTarget(from: hop, in: timed) {
                    followed.insert(next)
                    status = timed[next].entry.response.status
                    hop = next
                }
                kept.append((entry, start, status))
            }
        }
        guard !kept.isEmpty else {
            throw document.fail("no request to convert: all \(har.log.entries.count) entries were dropped\(dropped.first.map { " (\($0))" } ?? "")")
        }

        let origin = mainOrigin(kept.map(\.entry.request.url))
        var exchanges = kept.map { exchange($0.entry, status: $0.status, mainOrigin: origin) }
        let correlations = CorrelationFinder.find(in: &exchanges)

        var draft = PlanDraft(name: name, description: "Converted from the recording \(URL(fileURLWithPath: document.path).lastPathComponent)")
        let creator = (har.log.browser ?? har.log.creator).map { " made by \($0.name)\($0.version.map { " \($0)" } ?? "")" } ?? ""
        draft.comments = [
            "Converted by `stampede convert` from \(URL(fileURLWithPath: document.path).lastPathComponent), a HAR recording\(creator):",
            "\(har.log.entries.count) entries, \(kept.count) requests replayed once by one VU. Choose an executor and a load before a real test.",
            "Recorded against \(origin): paths go to the run's --target (without one, the embedded target);",
            "requests to other hosts keep their full URLs. Headers are sent as recorded: a token in one may have expired.",
        ]
        var requestComments: [Int: [String]] = [:]
        for correlation in correlations {
            let uses = correlation.uses.map { "\(exchanges[$0.exchange].label) (\($0.places.joined(separator: ", ")))" }.joined(separator: ", ")
            let line = "correlation: \(correlation.variable) = \"\(correlation.value)\" from the response to \(exchanges[correlation.source].label) (json: \(correlation.jsonPath)), sent by \(uses)"
            draft.comments.append(line)
            notes.append(line)
            requestComments[correlation.source, default: []].append("\(correlation.variable): found in this response, sent later as {{\(correlation.variable)}}")
        }
        let foreignCookies = cookiesNotSetByResponses(timed.map(\.entry))
        if !foreignCookies.isEmpty {
            let line = "cookies the browser had before the recording are not sent (the cookie jar sends those responses set): \(foreignCookies.joined(separator: ", "))"
            draft.comments.append(line)
            notes.append(line)
        }
        draft.comments += dropped
        notes += dropped

        // Think time: how long nothing was in flight before a request started, counting
        // every HTTP entry (a dropped image still kept the browser busy).
        let inFlight = timed.filter { $0.entry.request.url.hasPrefix("http") }
        for (offset, exchange) in exchanges.enumerated() {
            if offset > 0 {
                let start = kept[offset].start
                let busyUntil = inFlight.filter { $0.start < start }.map(\.end).max() ?? start
                let gap = start.timeIntervalSince(busyUntil)
                if gap > 0, gap * 1000 >= Double(options.minimumThink.nanoseconds) / 1e6 {
                    // A longer gap is the person doing something else, not a pause to replay.
                    let milliseconds = min(Int((gap * 1000).rounded()), maximumThinkMilliseconds)
                    if milliseconds == maximumThinkMilliseconds {
                        let line = "the recording's \(Int(gap)) s pause before \(exchange.label) is written as think: 60s"
                        draft.comments.append(line)
                        notes.append(line)
                    }
                    draft.steps.append(.think(milliseconds: milliseconds))
                }
            }
            var request = DraftRequest(method: exchange.method, url: exchange.url, headers: exchange.headers, status: exchange.status)
            request.body = exchange.body.map { .text($0) }
            request.extractions = exchange.extractions
            request.comments = requestComments[offset] ?? []
            draft.steps.append(.request(request))
        }
        return (draft, notes)
    }

    /// Entries in the order they started, with their start and end times.
    static func timeline(_ har: HARFile, _ document: InputDocument) throws(ConvertError) -> [(entry: HARFile.Entry, start: Date, end: Date)] {
        let precise = ISO8601DateFormatter()
        precise.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let plain = ISO8601DateFormatter()
        var result: [(entry: HARFile.Entry, start: Date, end: Date)] = []
        for (index, entry) in har.log.entries.enumerated() {
            guard let start = precise.date(from: entry.startedDateTime) ?? plain.date(from: entry.startedDateTime) else {
                throw document.fail("log.entries[\(index)].startedDateTime: '\(entry.startedDateTime)' is not an ISO 8601 time")
            }
            result.append((entry, start, start.addingTimeInterval(max(0, entry.time) / 1000)))
        }
        // Stable: entries that started together keep the recorder's order.
        return result.enumerated().sorted { ($0.element.start, $0.offset) < ($1.element.start, $1.offset) }.map(\.element)
    }

    /// The next entry that requests the Location of the redirect at `index`.
    static func redirectTarget(from index: Int, in timed: [(entry: HARFile.Entry, start: Date, end: Date)]) -> Int? {
        let response = timed[index].entry.response
        let location = response.redirectURL.flatMap { $0.isEmpty ? nil : $0 }
            ?? response.headers.first { $0.name.lowercased() == "location" }?.value
        guard let location, let target = URL(string: location, relativeTo: URL(string: timed[index].entry.request.url))?.absoluteString
        else { return nil }
        return timed.indices.first { $0 > index && timed[$0].entry.request.url == target }
    }

    /// The origin most requests went to (the first one's on a tie): the service under test.
    static func mainOrigin(_ urls: [String]) -> String {
        let origins = urls.map(origin)
        let counts = Dictionary(origins.map { ($0, 1) }, uniquingKeysWith: +)
        return origins.max { counts[$0]! < counts[$1]! || (counts[$0]! == counts[$1]! && origins.firstIndex(of: $0)! > origins.firstIndex(of: $1)!) }!
    }

    /// `scheme://authority` of an absolute URL.
    static func origin(_ url: String) -> String {
        guard let scheme = url.range(of: "://") else { return "" }
        let rest = url[scheme.upperBound...]
        let end = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        return String(url[..<end])
    }

    /// The path and query of an absolute URL, without its fragment.
    static func path(of url: String) -> String {
        let rest = url.dropFirst(origin(url).count)
        return String(rest.prefix { $0 != "#" })
    }

    static func exchange(_ entry: HARFile.Entry, status: Int, mainOrigin: String) -> RecordedExchange {
        let request = entry.request
        let pathAndQuery = path(of: request.url)
        let question = pathAndQuery.firstIndex(of: "?")
        let path = String(pathAndQuery[..<(question ?? pathAndQuery.endIndex)])
        let query = question.map { String(pathAndQuery[pathAndQuery.index(after: $0)...]) }
        let headers = request.headers.compactMap { header -> (name: String, value: String)? in
            guard !header.name.hasPrefix(":"), !droppedHeaders.contains(header.name.lowercased()) else { return nil }
            return (header.name, header.value ?? "")
        }
        let body = request.postData.flatMap { data in
            data.text ?? data.params.map { $0.map { "\(formEncode($0.name))=\(formEncode($0.value ?? ""))" }.joined(separator: "&") }
        }
        let contentType = request.headers.first { $0.name.lowercased() == "content-type" }?.value ?? request.postData?.mimeType ?? ""
        let content = entry.response.content
        let responseText = content.bodyText
        let looksJSON = (content.mimeType ?? "").lowercased().contains("json") || responseText?.first == "{" || responseText?.first == "["
        let json = looksJSON ? responseText.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8), options: [.fragmentsAllowed]) } : nil
        var exchange = RecordedExchange(
            method: request.method.uppercased(), origin: origin(request.url) == mainOrigin ? "" : origin(request.url),
            pathSegments: path.split(separator: "/", omittingEmptySubsequences: false).map(String.init),
            queryPieces: query.map { $0.split(separator: "&", omittingEmptySubsequences: false).map(String.init) },
            headers: headers, body: body.flatMap { $0.isEmpty ? nil : $0 },
            bodyType: contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? "",
            status: status, responseJSON: json, label: "\(request.method.uppercased()) \(pathAndQuery.isEmpty ? "/" : pathAndQuery)")
        // A recorder that gave the body's type only in postData: the header goes with the body.
        if exchange.body != nil, !exchange.headers.contains(where: { $0.name.lowercased() == "content-type" }), !contentType.isEmpty {
            exchange.headers.append(("Content-Type", contentType))
        }
        return exchange
    }

    /// Names of cookies the requests sent that no earlier response set: the browser had them
    /// before the recording started (a login), and a VU's empty jar will not.
    static func cookiesNotSetByResponses(_ entries: [HARFile.Entry]) -> [String] {
        var set: Set<String> = []
        var missing: [String] = []
        for entry in entries {
            for header in entry.request.headers where header.name.lowercased() == "cookie" {
                for pair in (header.value ?? "").split(separator: ";") {
                    let name = RecordedExchange.name(of: pair.trimmingCharacters(in: .whitespaces))
                    if !name.isEmpty, !set.contains(name), !missing.contains(name) { missing.append(name) }
                }
            }
            for header in entry.response.headers where header.name.lowercased() == "set-cookie" {
                // Several cookies may share one header line, one per line.
                for line in (header.value ?? "").split(separator: "\n") {
                    set.insert(RecordedExchange.name(of: String(line.prefix { $0 != ";" })).trimmingCharacters(in: .whitespaces))
                }
            }
        }
        return missing
    }

    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._*")
        return (text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text).replacingOccurrences(of: "%20", with: "+")
    }
}
