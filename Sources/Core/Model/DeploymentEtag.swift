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
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (i, byte) in b.enumerated() {
            if i == 4 || i == 6 || i == 8 || i == 10 { text.append(UInt8(ascii: "-")) }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
