/// The sync diff: a pure function of the remote listing and the local artifacts (DESIGN §3).
public enum SyncDiff {
    /// - Parameters:
    ///   - remote: the platform's listing.
    ///   - local: every local artifact; only `control_plane` ones take part.
    ///   - protectedIds: artifact ids listed but unreadable; they are never orphan candidates.
    public static func plan(remote: [RemoteDeployment], local: [ArtifactSummary], protectedIds: Set<String> = []) -> SyncPlan {
        var plan = SyncPlan()
        var localById: [String: ArtifactSummary] = [:]
        localById.reserveCapacity(local.count)
        for artifact in local where artifact.origin == .controlPlane { localById[artifact.uuid] = artifact }
        var listed = Set<String>()
        listed.reserveCapacity(remote.count)

        for entry in remote {
            listed.insert(entry.artifactId)
            guard let mine = localById[entry.artifactId] else {
                switch entry.state {
                case .deployed: plan.fetches.append(PlannedFetch(deployment: entry, reason: .new))
                case .undeployed: plan.ignoredUndeployed += 1
                case .unknown: plan.unknownState.append(entry)
                }
                continue
            }
            if mine.deploymentId != entry.deploymentId {
                // Stores the remote state, whatever it is: the row is replaced by the remote one.
                guard entry.state.desiredState != nil else {
                    plan.unknownState.append(entry)
                    continue
                }
                plan.fetches.append(PlannedFetch(deployment: entry, reason: .deploymentChanged))
                continue
            }
            guard let remoteState = entry.state.desiredState else {
                plan.unknownState.append(entry)
                continue
            }
            if remoteState != mine.desiredState {
                plan.statusUpdates.append(
                    StatusChange(
                        uuid: entry.artifactId, kind: entry.kind, state: remoteState, deploymentId: entry.deploymentId,
                        deployedAt: entry.deployedAt))
                continue
            }
            guard let localAt = mine.deployedAt else {
                plan.fetches.append(PlannedFetch(deployment: entry, reason: .localUndated))
                continue
            }
            if localAt < entry.deployedAt {
                plan.fetches.append(PlannedFetch(deployment: entry, reason: .newerRemote))
            } else if localAt > entry.deployedAt {
                plan.drift.append(Drift(artifactId: entry.artifactId, localDeployedAt: localAt, remoteDeployedAt: entry.deployedAt))
            } else {
                plan.inSync += 1
            }
        }
        plan.orphanCandidates = localById.values
            .filter { !listed.contains($0.uuid) && !protectedIds.contains($0.uuid) }
            .sorted { $0.uuid < $1.uuid }
        return plan
    }
}
