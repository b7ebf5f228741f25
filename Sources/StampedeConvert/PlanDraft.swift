/// A plan as the converters build it, before it is written out as plan-file text: only
/// what a recording or a spec can say (requests in order, think times, checks on status,
/// extractions), plus the comments that tell the user what was inferred or left to them.
struct PlanDraft {
    /// The plan's and its one scenario's name.
    var name: String
    var description: String
    /// Lines written as `#` comments at the top: where the plan came from, what to check.
    var comments: [String] = []
    var steps: [DraftStep] = []
}

enum DraftStep {
    case request(DraftRequest)
    /// A pause, in whole milliseconds.
    case think(milliseconds: Int)
}

struct DraftRequest {
    var method: String
    /// A path (sent to the run's target) or a full URL; may hold `{{var}}` templates.
    var url: String
    var name: String?
    var headers: [(name: String, value: String)] = []
    var body: DraftBody?
    /// The status a check expects; nil checks for any 2xx.
    var status: Int?
    /// Variables taken from this request's response: name and dotted JSON path (`items.0.id`)
    /// or a header name.
    var extractions: [(variable: String, source: ExtractionSource)] = []
    /// Comment lines written above the request.
    var comments: [String] = []

    enum ExtractionSource: Equatable {
        case json(String)
        case header(String)
    }
}

enum DraftBody {
    /// Sent as written, with the request's own Content-Type header (plan key `body`).
    case text(String)
    /// JSON text, sent with `Content-Type: application/json` (plan key `json`).
    case json(String)
    /// Form fields, URL-encoded by the plan reader (plan key `form`).
    case form([(String, String)])
}
