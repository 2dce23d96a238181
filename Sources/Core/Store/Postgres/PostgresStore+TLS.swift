import Foundation
internal import NIOSSL
internal import PostgresNIO

/// The TLS settings PostgresNIO takes, built from a `PostgresEndpoint`.
struct PostgresTLSSettings {
    /// For the pool (it makes its own SSL context from this).
    let client: PostgresClient.Configuration.TLS
    /// For single connections (the first probe, the listening connection).
    let connection: PostgresConnection.Configuration.TLS

    /// - Throws: `StorageError.open` when the CA file cannot be read or holds no certificate.
    init(_ endpoint: PostgresEndpoint) throws {
        func failure(_ reason: String) -> StorageError { .open(location: endpoint.location, reason: reason) }
        var tls = TLSConfiguration.makeClientConfiguration()
        switch endpoint.tls {
        case .disable:
            client = .disable
            connection = .disable
            return
        case .prefer, .require:
            tls.certificateVerification = .none
        case .verifyCA:
            tls.certificateVerification = .noHostnameVerification
        case .verifyFull:
            // The host name is the URL's (PostgresNIO sends it as SNI and NIOSSL checks it); for
            // an IP address, NIOSSL checks the certificate's IP entries against the peer address.
            tls.certificateVerification = .fullVerification
        }
        if let path = endpoint.caFile, endpoint.tls.verifiesCertificate {
            guard FileManager.default.fileExists(atPath: path) else {
                throw failure("the CA file \(path) (sslrootcert / [store] ca_file) does not exist")
            }
            let certificates: [NIOSSLCertificate]
            do {
                certificates = try NIOSSLCertificate.fromPEMFile(path)
            } catch {
                throw failure("the CA file \(path) (sslrootcert / [store] ca_file) cannot be read as PEM certificates (\(error))")
            }
            guard !certificates.isEmpty else {
                throw failure("the CA file \(path) (sslrootcert / [store] ca_file) holds no PEM certificate")
            }
            tls.trustRoots = .certificates(certificates)
        }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: tls)
        } catch {
            throw failure("cannot set up TLS (\(error))")
        }
        switch endpoint.tls {
        case .prefer:
            client = .prefer(tls)
            connection = .prefer(context)
        default:
            client = .require(tls)
            connection = .require(context)
        }
    }
}

extension PostgresStore {
    /// Why a first connection failed, as a sentence: the server's message (bad password, no such
    /// database, TLS required by pg_hba.conf), the TLS handshake's (certificate not trusted, host
    /// name not in the certificate, no TLS on the server) or the network's (refused, unreachable).
    static func describeConnectFailure(_ error: Error, endpoint: PostgresEndpoint) -> String {
        guard let e = error as? PSQLError else { return String(describing: error) }
        if let message = e.serverInfo?[.message] {
            if message.contains("no pg_hba.conf entry"), message.contains("no encryption") {
                return "the server accepts this user and database only over TLS (\(message)); "
                    + "sslmode \(endpoint.tls.rawValue) does not encrypt: use sslmode verify-full (or require)"
            }
            return message
        }
        if e.code == .authMechanismRequiresPassword {
            return "the server asks \(endpoint.user) for a password and none is set: set PGPASSWORD in the environment "
                + "(never in the URL)"
        }
        if e.code == .sslUnsupported {
            return "the server does not offer TLS (ssl = off in its postgresql.conf?) and sslmode \(endpoint.tls.rawValue) requires it"
        }
        if let underlying = e.underlying {
            if let tls = describeTLSFailure(underlying, endpoint: endpoint) { return tls }
            let text = "\(underlying)"
            if text.contains("Connection refused") { return "connection refused: is PostgreSQL running and listening there?" }
            return "cannot connect: \(text)"
        }
        return "cannot connect (\(e.code))"
    }

    /// A TLS handshake failure in words, or nil when `error` is not one.
    static func describeTLSFailure(_ error: Error, endpoint: PostgresEndpoint) -> String? {
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname {
            return "the server's TLS certificate does not name \(endpoint.host) (sslmode verify-full checks the host name): "
                + "connect with a name the certificate lists, or use sslmode verify-ca"
        }
        guard let ssl = error as? NIOSSLError else { return nil }
        let trusted = endpoint.caFile.map { "the CA file \($0)" } ?? "the system's trusted CAs"
        switch ssl {
        case .handshakeFailed(let reason):
            let text = "\(reason)"
            if text.contains("CERTIFICATE_VERIFY_FAILED") {
                return "the server's TLS certificate is not trusted: it does not chain to \(trusted) (certificate verify failed); "
                    + "set sslrootcert or [store] ca_file to the CA that signed it"
            }
            return "the TLS handshake with the server failed (\(text))"
        case .uncleanShutdown:
            return "the server closed the connection during the TLS handshake"
        default:
            return "TLS failed (\(ssl))"
        }
    }
}
