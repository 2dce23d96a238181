import Core
import Foundation

/// A hostile change to a response body or to how it is sent, for the reliability campaign.
/// Each one targets the endpoint named by its prefix (`listing-`, `exists-`, `archive-`);
/// the `connection-` ones work on any endpoint.
public enum SimMutation: String, Sendable, Codable, CaseIterable {
    // The deployments listing
    case listingInvalidJSON = "listing-invalid-json"
    case listingNotAnObject = "listing-not-an-object"
    case listingWrongTypes = "listing-wrong-types"
    case listingMissingFields = "listing-missing-fields"
    case listingExtraFields = "listing-extra-fields"
    case listingDuplicateIds = "listing-duplicate-ids"
    case listingUnknownKind = "listing-unknown-kind"
    case listingUnknownState = "listing-unknown-state"
    case listingFutureDate = "listing-future-date"
    case listingNotADate = "listing-not-a-date"
    case listingMillionEntries = "listing-million-entries"
    case listingEmpty = "listing-empty"
    // The exists check
    case existsInvalidJSON = "exists-invalid-json"
    case existsFewer = "exists-fewer"
    case existsMore = "exists-more"
    case existsReordered = "exists-reordered"
    case existsWrongTypes = "exists-wrong-types"
    case existsDuplicateIds = "exists-duplicate-ids"
    // The batch archive
    case archiveNotGzip = "archive-not-gzip"
    case archiveCorruptGzip = "archive-corrupt-gzip"
    case archiveTruncatedTar = "archive-truncated-tar"
    case archiveDotDotPath = "archive-dotdot-path"
    case archiveAbsolutePath = "archive-absolute-path"
    case archiveSymlink = "archive-symlink"
    case archiveHardLink = "archive-hard-link"
    case archiveDevice = "archive-device"
    case archiveOversizeEntry = "archive-oversize-entry"
    case archiveBomb = "archive-bomb"
    case archiveEntryBomb = "archive-entry-bomb"
    case archiveYAMLFlood = "archive-yaml-flood"
    case archiveDuplicateDirectories = "archive-duplicate-directories"
    case archiveMissingDeployment = "archive-missing-deployment"
    case archiveExtraDeployment = "archive-extra-deployment"
    case archiveNonUTF8YAML = "archive-non-utf8-yaml"
    case archiveEmptyFile = "archive-empty-file"
    case archiveEmpty = "archive-empty"
    // How the body is sent (any endpoint)
    case connectionResetMidBody = "connection-reset-mid-body"
    case connectionOneBytePerSecond = "connection-one-byte-per-second"
    case connectionTruncatedBody = "connection-truncated-body"

    var isConnection: Bool { rawValue.hasPrefix("connection-") }
}

/// Applies `SimMutation`s to the simulator's responses.
enum SimMutator {
    // MARK: Listing

    /// The listing body for `entries` with `mutation` applied.
    static func listing(_ entries: [SimWire.Deployment], _ mutation: SimMutation) throws -> [UInt8] {
        var objects = entries.map(object)
        switch mutation {
        case .listingInvalidJSON:
            return Array(#"{"deployments": [{"artifactId": "a", "kind": "RestApi",,]"#.utf8)
        case .listingNotAnObject:
            return Array("[]".utf8)
        case .listingWrongTypes:
            for i in objects.indices.prefix(3) {
                objects[i]["deployedAt"] = 1_700_000_000
                objects[i]["state"] = 1
            }
        case .listingMissingFields:
            for (i, key) in ["artifactId", "deploymentId", "kind", "state", "deployedAt"].enumerated() where i < objects.count {
                objects[i].removeValue(forKey: key)
            }
        case .listingExtraFields:
            for i in objects.indices {
                objects[i]["region"] = "eu-west-1"
                objects[i]["labels"] = ["tier": "gold"]
            }
        case .listingDuplicateIds:
            if var copy = objects.first {
                copy["deploymentId"] = "dep-duplicate"
                copy["deployedAt"] = "2025-06-01T00:00:00.000Z"
                objects.append(copy)
            }
        case .listingUnknownKind:
            if !objects.isEmpty { objects[0]["kind"] = "GraphQLApi" }
        case .listingUnknownState:
            if !objects.isEmpty { objects[0]["state"] = "EXPLODED" }
        case .listingFutureDate:
            if !objects.isEmpty { objects[0]["deployedAt"] = "2999-01-01T00:00:00.000Z" }
        case .listingNotADate:
            if !objects.isEmpty { objects[0]["deployedAt"] = "yesterday" }
        case .listingMillionEntries:
            return millionEntries(objects)
        case .listingEmpty:
            objects = []
        default:
            break
        }
        return try JSONSerialization.data(withJSONObject: ["deployments": objects]).bytes
    }

    private static func object(_ d: SimWire.Deployment) -> [String: Any] {
        ["artifactId": d.artifactId, "deploymentId": d.deploymentId, "kind": d.kind, "state": d.state,
         "deployedAt": d.deployedAt, "etag": d.etag]
    }

    /// The real entries followed by a million made-up ones (about 150 MB).
    private static func millionEntries(_ objects: [[String: Any]]) -> [UInt8] {
        var out = Array(#"{"deployments":["#.utf8)
        for o in objects {
            out += (try? JSONSerialization.data(withJSONObject: o).bytes) ?? []
            out.append(UInt8(ascii: ","))
        }
        return out + ghosts + Array("]}".utf8)
    }

    /// A million listing entries for artifacts nobody has, built once.
    private static let ghosts: [UInt8] = {
        var out: [UInt8] = []
        out.reserveCapacity(160 << 20)
        for i in 0..<1_000_000 {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out += #"{"artifactId":"ghost-"#.utf8
            out += String(i).utf8
            out += #"","deploymentId":"dep-ghost-"#.utf8
            out += String(i).utf8
            out += #"","kind":"RestApi","state":"DEPLOYED","deployedAt":"2026-01-01T00:00:00.000Z","etag":"e"}"#.utf8
        }
        return out
    }()

    // MARK: Exists

    static func exists(_ entries: [SimWire.ExistsEntry], _ mutation: SimMutation) throws -> [UInt8] {
        var objects: [[String: Any]] = entries.map { ["artifactId": $0.artifactId, "exists": $0.exists] }
        switch mutation {
        case .existsInvalidJSON: return Array(#"{"artifacts": [{"artifactId": "#.utf8)
        case .existsFewer: objects.removeLast(min(1, objects.count))
        case .existsMore: objects.append(["artifactId": "never-asked-for", "exists": false])
        case .existsReordered: objects.reverse()
        case .existsWrongTypes: for i in objects.indices { objects[i]["exists"] = "no" }
        case .existsDuplicateIds:
            if let first = entries.first { objects.append(["artifactId": first.artifactId, "exists": !first.exists]) }
        default: break
        }
        return try JSONSerialization.data(withJSONObject: ["artifacts": objects]).bytes
    }

    // MARK: Archive

    /// The batch archive for `contents` with `mutation` applied.
    static func archive(_ contents: [(SimArtifact, SimDeployment)], _ mutation: SimMutation) throws -> [UInt8] {
        var tar = TarWriter()
        func yamlName(_ a: SimArtifact, _ d: SimDeployment) -> String { "\(d.deploymentId)/\(a.kind.archivePrefix)-\(a.id).yaml" }
        for (index, (artifact, deployment)) in contents.enumerated() {
            let name = yamlName(artifact, deployment)
            var yaml = Array(ContentGenerator.yaml(for: artifact).utf8)
            tar.addDirectory(deployment.deploymentId + "/")
            guard index == 0 else {
                tar.addFile(name, content: yaml)
                continue
            }
            // The first deployment of the batch carries the damage.
            switch mutation {
            case .archiveDotDotPath: tar.addFile("../../\(name)", content: yaml)
            case .archiveAbsolutePath: tar.addFile("/\(name)", content: yaml)
            case .archiveSymlink: tar.addEntry(name: name, type: TarWriter.symbolicLinkType, content: [], linkName: "/etc/passwd")
            case .archiveHardLink: tar.addEntry(name: name, type: TarWriter.hardLinkType, content: [], linkName: "/etc/shadow")
            case .archiveDevice: tar.addEntry(name: name, type: TarWriter.characterDeviceType, content: [])
            case .archiveOversizeEntry: tar.addFile(name, content: yaml + [UInt8](repeating: UInt8(ascii: "#"), count: 9 << 20))
            case .archiveDuplicateDirectories:
                tar.addDirectory(deployment.deploymentId + "/")
                tar.addFile(name, content: yaml)
            case .archiveMissingDeployment: break
            case .archiveNonUTF8YAML:
                yaml.insert(contentsOf: [0xFF, 0xFE, 0xC0], at: min(10, yaml.count))
                tar.addFile(name, content: yaml)
            case .archiveEmptyFile: tar.addFile(name, content: [])
            case .archiveYAMLFlood:
                // Files of a requested deployment, each under the entry cap, past the kept-files cap.
                let zeros = [UInt8](repeating: 0, count: 1 << 20)
                for i in 0..<40 { tar.addFile("\(deployment.deploymentId)/api-flood-\(i).yaml", content: zeros) }
                tar.addFile(name, content: yaml)
            default: tar.addFile(name, content: yaml)
            }
        }
        if mutation == .archiveExtraDeployment {
            tar.addDirectory("dep-not-requested/")
            tar.addFile("dep-not-requested/api-not-requested.yaml", content: Array("metadata:\n  name: intruder\n".utf8))
        }
        var plain = tar.finish()
        switch mutation {
        case .archiveEmpty: plain = [UInt8](repeating: 0, count: 1024)
        case .archiveTruncatedTar: plain = Array(plain.prefix(max(0, plain.count / 2 - 100)))
        case .archiveNotGzip: return plain
        case .archiveBomb: return try bomb
        case .archiveEntryBomb: return try entryBomb
        default: break
        }
        var gzipped = try TarWriter.gzip(plain)
        if mutation == .archiveCorruptGzip, gzipped.count > 40 {
            for i in 10..<40 { gzipped[i] ^= 0x5A }
        }
        return gzipped
    }

    /// Builds the slow bodies ahead (they are built once per process).
    static func prepare(_ mutation: SimMutation) throws {
        switch mutation {
        case .archiveBomb: _ = try bomb
        case .archiveEntryBomb: _ = try entryBomb
        case .listingMillionEntries: _ = ghosts.count
        default: break
        }
    }

    /// About 1 MiB of gzip that inflates to a 630 MiB tar (90 files of 7 MiB of zeros, each
    /// under the per-entry cap), past the 512 MiB decompressed-size cap. Built once.
    static var bomb: [UInt8] {
        get throws { try bombCache.get() }
    }
    private static let bombCache = Result {
        var tar = TarWriter()
        let zeros = [UInt8](repeating: 0, count: 7 << 20)
        for i in 0..<90 { tar.addFile("dep-bomb/api-bomb-\(i).yaml", content: zeros) }
        return try TarWriter.gzip(tar.finish())
    }

    /// About 4.5 MiB of gzip (BestSpeed) holding one entry of 1 GiB of zeros: its header alone is over the 8 MiB
    /// entry cap. Built once, without holding the gigabyte.
    static var entryBomb: [UInt8] {
        get throws { try entryBombCache.get() }
    }
    private static let entryBombCache = Result {
        let size = 1 << 30
        var header = TarWriter()
        header.addEntry(name: "dep-bomb/api-bomb.yaml", type: TarWriter.regularType, content: [], sizeOverride: size)
        let end = TarWriter().finish()  // the two zero blocks
        return try TarWriter.gzip(prefix: Array(header.finish().dropLast(end.count)), zeros: size, suffix: end)
    }
}

extension Data {
    var bytes: [UInt8] { [UInt8](self) }
}
