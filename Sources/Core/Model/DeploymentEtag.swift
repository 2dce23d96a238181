import Crypto

/// The platform's deterministic, UUIDv7-shaped deployment etag (DESIGN §2).
///
/// Used as the `event_id` of sync-originated events so that publishing the same deployment twice
/// dedupes in the event hub.
public enum DeploymentEtag {
    public static func make(deploymentId: String, deployedAt: Timestamp) -> String {
        var b = [UInt8](repeating: 0, count: 16)
        let ms = UInt64(bitPattern: deployedAt.milliseconds) & 0xFFFF_FFFF_FFFF
        for i in 0..<6 { b[i] = UInt8((ms >> (8 * (5 - i))) & 0xFF) }
        let digest = Array(SHA256.hash(data: Array(deploymentId.utf8)))
        for i in 0..<10 { b[6 + i] = digest[i] }
        b[6] = (b[6] & 0x0F) | 0x70
        b[8] = (b[8] & 0x3F) | 0x80
        let hex = b.map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        let c = Array(hex)
        return String(c[0..<8]) + "-" + String(c[8..<12]) + "-" + String(c[12..<16]) + "-"
            + String(c[16..<20]) + "-" + String(c[20..<32])
    }
}
