import Foundation

/// A certificate authority made with `openssl` for one test, and server certificates it signs.
/// Files live in `directory`: `NAME.crt` and `NAME.key` (PEM, P-256 keys, unencrypted).
public struct ThrowawayCA: Sendable {
    public let name: String
    public let directory: TemporaryDirectory

    /// The CA's certificate, for a client's trust roots.
    public var certificate: String { directory.file("\(name).crt") }
    var key: String { directory.file("\(name).key") }

    /// Makes a self-signed CA called `name` (its subject is `CN=name`).
    public init(name: String, in directory: TemporaryDirectory) throws {
        self.name = name
        self.directory = directory
        try Self.openssl(
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", key, "-out", certificate, "-days", "2", "-subj", "/CN=\(name)",
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
            in: directory)
    }

    /// A server certificate signed by this CA for `names` (`DNS:localhost`, `IP:127.0.0.1`);
    /// returns the certificate and key files.
    public func issueServerCertificate(_ file: String, names: [String]) throws -> (certificate: String, key: String) {
        let (cert, key, request, extensions) = (
            directory.file("\(file).crt"), directory.file("\(file).key"), directory.file("\(file).csr"), directory.file("\(file).ext")
        )
        try Self.openssl(
            ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", request,
             "-subj", "/CN=\(file)"],
            in: directory)
        try """
            subjectAltName=\(names.joined(separator: ","))
            basicConstraints=critical,CA:FALSE
            keyUsage=critical,digitalSignature
            extendedKeyUsage=serverAuth

            """.write(toFile: extensions, atomically: true, encoding: .utf8)
        try Self.openssl(
            ["x509", "-req", "-in", request, "-CA", certificate, "-CAkey", self.key, "-CAcreateserial", "-out", cert, "-days", "2",
             "-extfile", extensions],
            in: directory)
        return (cert, key)
    }

    private static func openssl(_ arguments: [String], in directory: TemporaryDirectory) throws {
        let (out, err) = (directory.file("openssl.out"), directory.file("openssl.err"))
        let status = try ChildProcess.run(["/usr/bin/openssl"] + arguments, environment: [:], stdout: out, stderr: err)
        guard status == 0 else {
            let text = (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
            throw HarnessError.process("openssl \(arguments[0]) exited \(status): \(text.suffix(500))")
        }
    }
}
