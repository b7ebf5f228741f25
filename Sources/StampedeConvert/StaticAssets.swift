import Foundation

/// What `--skip-static` drops: the files a browser fetches to draw a page (images,
/// stylesheets, scripts, fonts, source maps), known by the response's MIME type or, when
/// that says nothing useful, the URL's extension. A CDN serves these in production, and a
/// load test of the service usually wants its API and pages only.
enum StaticAssets {
    /// The kind of asset, or nil when the request is not a static asset.
    static func kind(mimeType: String?, path: String) -> String? {
        let mime = (mimeType ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        if mime.hasPrefix("image/") { return "image" }
        if mime.hasPrefix("font/") || mime.hasPrefix("application/font") || mime.hasPrefix("application/x-font")
            || mime == "application/vnd.ms-fontobject" { return "font" }
        if mime == "text/css" { return "stylesheet" }
        if ["text/javascript", "application/javascript", "application/x-javascript", "application/ecmascript", "text/ecmascript"]
            .contains(mime) { return "script" }
        let name = path.split(separator: "/").last.map { $0.lowercased() } ?? ""
        guard let dot = name.lastIndex(of: ".") else { return nil }
        return extensions[String(name[name.index(after: dot)...])]
    }

    private static let extensions: [String: String] = [
        "png": "image", "jpg": "image", "jpeg": "image", "gif": "image", "webp": "image", "avif": "image",
        "svg": "image", "ico": "image", "bmp": "image",
        "css": "stylesheet", "js": "script", "mjs": "script", "map": "source map",
        "woff": "font", "woff2": "font", "ttf": "font", "otf": "font", "eot": "font",
    ]
}
