/// `text` with each scalar `replacement` returns a text for replaced by it, in one pass in
/// Swift (a chain of `replacingOccurrences` calls goes through NSString once per call).
func escaping(_ text: String, by replacement: (Unicode.Scalar) -> String?) -> String {
    var escaped = ""
    escaped.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
        if let replaced = replacement(scalar) { escaped += replaced } else { escaped.unicodeScalars.append(scalar) }
    }
    return escaped
}
