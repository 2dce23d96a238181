/// Checks an artifact before it is written.
public enum ArtifactValidation {
    /// A sentence naming what is wrong, or nil when the artifact can be stored.
    public static func problem(_ a: Artifact) -> String? {
        if a.uuid.isEmpty { return "artifact has no id" }
        if a.handle.unicodeScalars.allSatisfy({ $0.properties.isWhitespace }) { return "artifact \(a.uuid) has no handle" }
        if a.origin == .controlPlane, a.deployedAt == nil { return "artifact \(a.uuid) has no deployedAt" }
        return nil
    }
}
