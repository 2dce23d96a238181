/// Turns fetched archive files into artifacts for the planned deployments.
public enum ArtifactMapper {
    public struct Result: Sendable {
        public var artifacts: [Artifact] = []
        /// Deployments the archive did not contain (or contained unusably), with the reason.
        public var missing: [(deploymentId: String, reason: String)] = []
    }

    public static func map(_ planned: [PlannedFetch], files: [String: [ArchiveFile]]) -> Result {
        var result = Result()
        for fetch in planned {
            let d = fetch.deployment
            let expected = "\(d.kind.archivePrefix)-\(d.artifactId)"
            guard let file = files[d.deploymentId]?.first(where: { $0.fileName == expected + ".yaml" || $0.fileName == expected + ".yml" })
            else {
                result.missing.append((d.deploymentId, "deployment \(d.deploymentId) (\(d.kind.rawValue) \(d.artifactId)) is missing from the archive"))
                continue
            }
            guard let content = String(validating: file.content, as: UTF8.self) else {
                result.missing.append((d.deploymentId, "deployment \(d.deploymentId): \(file.fileName) is not UTF-8"))
                continue
            }
            let meta = YAMLMetadata(yaml: content)
            guard let handle = meta.handle else {
                result.missing.append((d.deploymentId, "deployment \(d.deploymentId): \(file.fileName) has no metadata.name (handle)"))
                continue
            }
            result.artifacts.append(
                Artifact(
                    uuid: d.artifactId, handle: handle, displayName: meta.displayName ?? handle, version: meta.version ?? "",
                    kind: d.kind, desiredState: d.state.desiredState ?? .deployed, deploymentId: d.deploymentId,
                    deployedAt: d.deployedAt, origin: .controlPlane, content: content))
        }
        return result
    }
}
