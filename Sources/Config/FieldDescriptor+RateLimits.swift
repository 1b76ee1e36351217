/// Field kinds of the rate-limit settings (`trusted_proxies`, `rate_limit_headers`).
extension FieldDescriptor {
    /// A list of IP addresses or CIDR blocks (`IPRange`).
    static func ipRanges(_ path: String, _ key: WritableKeyPath<GatewayConfig, [String]>) -> FieldDescriptor {
        FieldDescriptor(
            path: path, kind: .stringList,
            set: { c, v throws(FieldProblem) in
                c[keyPath: key] = try stringList(v) { s throws(FieldProblem) in
                    guard IPRange(s) != nil else {
                        throw FieldProblem("\(JSONValue.quoted(s)) is not an IP address or CIDR block (such as 10.0.0.0/8)")
                    }
                }
            },
            get: { .array($0[keyPath: key].map(JSONValue.string)) })
    }

    /// A string that must be one of `values`.
    static func oneOf(
        _ path: String, _ key: WritableKeyPath<GatewayConfig, String>, _ values: [String]
    ) -> FieldDescriptor {
        FieldDescriptor(
            path: path, kind: .string,
            set: { c, v throws(FieldProblem) in
                let text = try v.stringValue()
                guard values.contains(text) else {
                    throw FieldProblem("\(JSONValue.quoted(text)) is not one of \(values.map(JSONValue.quoted).joined(separator: ", "))")
                }
                c[keyPath: key] = text
            },
            get: { .string($0[keyPath: key]) })
    }
}
