import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How a PostgreSQL connection uses TLS: libpq's `sslmode`, with libpq's names.
public enum PostgresTLSMode: String, Sendable, Equatable, CaseIterable {
    /// No TLS.
    case disable
    /// TLS when the server offers it, plain otherwise; the certificate is not checked.
    case prefer
    /// TLS or no connection; the certificate is not checked.
    case require
    /// TLS; the certificate must chain to a trusted CA, whatever host name it names.
    case verifyCA = "verify-ca"
    /// TLS; the certificate must chain to a trusted CA and name the host connected to.
    case verifyFull = "verify-full"

    /// Whether the server's certificate is checked against trusted CAs.
    public var verifiesCertificate: Bool { self == .verifyCA || self == .verifyFull }

    static let choices = allCases.map(\.rawValue).joined(separator: ", ")
}

/// A PostgreSQL store's address and TLS settings, read from `[store] url` (libpq's URL form,
/// `postgres://user@host:port/database?sslmode=…&sslrootcert=…`) and `[store] tls` / `ca_file`.
///
/// The TLS mode, when neither the URL nor the configuration names one, is `verify-full` for a
/// server on another host and `prefer` for a loopback address or a socket (what libpq does
/// everywhere: TLS when the server offers it, no failure when it does not). A CA file without a
/// mode means `verify-full` on any host: naming a CA asks for it to be checked.
public struct PostgresEndpoint: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var tls: PostgresTLSMode
    /// PEM file of the CAs trusted by `verify-ca` and `verify-full`; nil: the system's trust store.
    public var caFile: String?
    /// True when `tls` came from the default rule rather than the URL or the configuration.
    public var tlsIsDefault: Bool

    public init(host: String, port: Int = 5432, user: String, database: String, tls: PostgresTLSMode, caFile: String? = nil,
                tlsIsDefault: Bool = false) {
        self.host = host
        self.port = port
        self.user = user
        self.database = database
        self.tls = tls
        self.caFile = caFile
        self.tlsIsDefault = tlsIsDefault
    }

    /// `postgres://user@host:port/database`, as errors name the store (no password, no query).
    public var location: String { Self.location(user: user, host: host, port: port, database: database) }

    static func location(user: String, host: String, port: Int, database: String) -> String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(user)@\(shownHost):\(port)/\(database)"
    }

    /// The query parameters gwops reads from the URL (libpq's names).
    static let urlParameters = ["sslmode", "sslrootcert"]

    /// Reads `url` and settles the TLS mode: the URL's `sslmode` / `sslrootcert`, else `tls` /
    /// `caFile` (from `[store]`), else the default rule. The URL and the configuration may both
    /// name a setting only if they agree.
    /// - Throws: `StorageError.open` with a sentence naming what is wrong.
    public static func parse(url: String, tls configuredMode: PostgresTLSMode? = nil, caFile configuredCA: String? = nil) throws -> PostgresEndpoint {
        guard let parts = URLComponents(string: url), ["postgres", "postgresql"].contains(parts.scheme ?? ""),
              let rawHost = parts.host, !rawHost.isEmpty, let user = parts.user, !parts.path.dropFirst().isEmpty
        else {
            throw StorageError.open(location: redacted(url), reason: "expected postgres://user@host:port/database")
        }
        let host = rawHost.hasPrefix("[") && rawHost.hasSuffix("]") ? String(rawHost.dropFirst().dropLast()) : rawHost
        let database = String(parts.path.dropFirst())
        let port = parts.port ?? 5432
        let location = Self.location(user: user, host: host, port: port, database: database)
        if parts.password != nil {
            throw StorageError.open(
                location: location, reason: "store.url must not contain a password: set PGPASSWORD in the environment instead")
        }
        func failure(_ reason: String) -> StorageError { .open(location: location, reason: reason) }

        var query: [String: String] = [:]
        for item in parts.queryItems ?? [] {
            guard urlParameters.contains(item.name) else {
                throw failure("unknown URL parameter \"\(item.name)\" (gwops reads sslmode and sslrootcert)")
            }
            guard query[item.name] == nil else { throw failure("URL parameter \(item.name) is given twice") }
            guard let value = item.value, !value.isEmpty else { throw failure("URL parameter \(item.name) has no value") }
            query[item.name] = value
        }
        var urlMode: PostgresTLSMode?
        if let text = query["sslmode"] {
            guard let mode = PostgresTLSMode(rawValue: text) else {
                throw failure("sslmode must be one of \(PostgresTLSMode.choices) (got \"\(text)\")")
            }
            urlMode = mode
        }
        if let urlMode, let configuredMode, urlMode != configuredMode {
            throw failure("the URL says sslmode=\(urlMode.rawValue) but [store] tls = \"\(configuredMode.rawValue)\"; set it in one place")
        }
        let urlCA = query["sslrootcert"]
        if let urlCA, let configuredCA, urlCA != configuredCA {
            throw failure("the URL says sslrootcert=\(urlCA) but [store] ca_file = \"\(configuredCA)\"; set it in one place")
        }
        let root = urlCA ?? configuredCA
        let explicitMode = urlMode ?? configuredMode
        let mode = explicitMode ?? defaultMode(host: host, rootGiven: root != nil)
        if let root, !mode.verifiesCertificate {
            // libpq would treat require + a root file as verify-ca and ignore the file otherwise;
            // here a CA file that checks nothing is a mistake worth a sentence.
            throw failure(
                "a CA file (\(root)) is only used by sslmode verify-ca or verify-full; sslmode \(mode.rawValue) does not check the certificate")
        }
        // libpq's `sslrootcert=system`: the system's trust store, which is also what no file means.
        let caFile = root == "system" ? nil : root
        return PostgresEndpoint(
            host: host, port: port, user: user, database: database, tls: mode, caFile: caFile, tlsIsDefault: explicitMode == nil)
    }

    /// The mode when none is set: `verify-full` for another host (or when a CA file is named),
    /// `prefer` for this host.
    public static func defaultMode(host: String, rootGiven: Bool = false) -> PostgresTLSMode {
        rootGiven || !isLocal(host: host) ? .verifyFull : .prefer
    }

    /// Whether `host` is this machine: `localhost`, a loopback address (127.0.0.0/8, ::1) or a
    /// socket directory (an absolute path, as libpq accepts).
    public static func isLocal(host: String) -> Bool {
        let host = host.lowercased()
        if host == "localhost" || host.hasPrefix("/") { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            return UInt32(bigEndian: v4.s_addr) >> 24 == 127
        }
        var v6 = in6_addr()
        var loopback = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1, inet_pton(AF_INET6, "::1", &loopback) == 1 {
            return withUnsafeBytes(of: v6) { a in withUnsafeBytes(of: loopback) { b in a.elementsEqual(b) } }
        }
        return false
    }

    /// The warning to print on every start when traffic to another host is not verified (nil
    /// for verify-ca, verify-full and any mode on this host).
    public var warning: String? {
        guard !tls.verifiesCertificate, !Self.isLocal(host: host) else { return nil }
        let what = switch tls {
        case .disable: "the connection to PostgreSQL at \(host) is not encrypted (verify-full encrypts it and checks the server's certificate)"
        case .prefer: "the connection to PostgreSQL at \(host) is encrypted only if the server offers TLS, and its certificate is not checked (verify-full checks it)"
        default: "the certificate of PostgreSQL at \(host) is not checked (verify-full checks it)"
        }
        return "[store] sslmode \(tls.rawValue): \(what)"
    }

    /// `url` without anything between `://` and `@` that could be a password.
    static func redacted(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url.range(of: "@", range: scheme.upperBound..<url.endIndex),
              let colon = url.range(of: ":", range: scheme.upperBound..<at.lowerBound)
        else { return url }
        return String(url[..<colon.lowerBound]) + String(url[at.lowerBound...])
    }
}
