/// What is wrong with a JSON body that did not decode, in words naming the field.
public enum JSONProblem {
    /// `missing field "x" at .a[2]`, `wrong type at .a: …`, or `not valid JSON`.
    public static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            "missing field \"\(key.stringValue)\" at \(path(context.codingPath))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "wrong type at \(path(context.codingPath)): \(context.debugDescription)"
        default:
            "not valid JSON"
        }
    }

    static func path(_ codingPath: [CodingKey]) -> String {
        let p = codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return p.isEmpty ? "top level" : p
    }
}
