/// Wire types of the platform API. They stay at the edge: `PlatformClient` converts them.
enum PlatformDTO {
    struct Deployment: Codable {
        var artifactId: String
        var deploymentId: String
        var kind: String
        var state: String
        var deployedAt: String
        var etag: String
    }

    struct DeploymentsResponse: Codable {
        var deployments: [Deployment]

        init(from decoder: any Decoder) throws {
            // Go writes a nil slice as `null`: no deployments. A missing key stays an error (a body
            // without it is no listing, and must not make every local artifact an orphan).
            deployments = try decoder.container(keyedBy: CodingKeys.self).decode([Deployment]?.self, forKey: .deployments) ?? []
        }
    }

    struct BatchFetchRequest: Codable {
        var deploymentIds: [String]
    }

    struct ExistsRequest: Codable {
        var artifactIds: [String]
    }

    struct ExistsEntry: Codable {
        var artifactId: String
        var exists: Bool
    }

    struct ExistsResponse: Codable {
        var artifacts: [ExistsEntry]
    }

    /// `{"code": int, "message", "description"}` from the REST handlers, or
    /// `{"status":"error","code":"UNAUTHORIZED","message"}` from the middleware (the WebSocket's
    /// 401/429): `code` is read as either.
    struct ErrorBody: Decodable {
        var code: String?
        var message: String?
        var description: String?

        enum CodingKeys: String, CodingKey { case code, message, description }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            code = (try? c.decodeIfPresent(String.self, forKey: .code)) ?? (try? c.decodeIfPresent(Int.self, forKey: .code)).map(String.init)
            message = try? c.decodeIfPresent(String.self, forKey: .message)
            description = try? c.decodeIfPresent(String.self, forKey: .description)
        }

        /// The words for an operator: the message (with a symbolic code, when there is one) and
        /// the description.
        var words: (message: String?, detail: String?) {
            guard let symbolic = code.flatMap({ Int($0) == nil ? $0 : nil }) else { return (message, description) }
            return ((message.map { "\($0) " } ?? "") + "(\(symbolic))", description)
        }
    }
}

extension PlatformDTO.DeploymentsResponse {
    /// How far ahead of this host's clock a `deployedAt` may be. A date beyond it would win every
    /// timestamp-guarded write until then, so such an entry is reported, never applied.
    static let futureTolerance: Int64 = 24 * 3600 * 1000

    /// Converts to domain types; bad entries are reported, duplicates are all reported.
    func listing(now: Timestamp = .now) -> DeploymentListing {
        var result = DeploymentListing(deployments: [])
        var counts: [String: Int] = [:]
        for d in deployments { counts[d.artifactId, default: 0] += 1 }
        for d in deployments {
            let id = d.artifactId.isEmpty ? nil : d.artifactId
            guard let id else {
                result.unreadable.append(.init(artifactId: nil, reason: "deployment \(d.deploymentId) has an empty artifactId"))
                continue
            }
            if counts[id, default: 0] > 1 {
                result.unreadable.append(.init(artifactId: id, reason: "artifact \(id) is listed \(counts[id]!) times"))
                continue
            }
            guard let kind = ArtifactKind(rawValue: d.kind) else {
                result.unreadable.append(.init(artifactId: id, reason: "artifact \(id) has unknown kind \"\(d.kind)\""))
                continue
            }
            guard let deployedAt = Timestamp(rfc3339: d.deployedAt) else {
                result.unreadable.append(.init(artifactId: id, reason: "artifact \(id) has deployedAt \"\(d.deployedAt)\", not a date"))
                continue
            }
            guard deployedAt.milliseconds <= now.milliseconds + Self.futureTolerance else {
                result.unreadable.append(.init(
                    artifactId: id, reason: "artifact \(id) has deployedAt \(d.deployedAt), more than a day ahead of this host's clock"))
                continue
            }
            guard !d.deploymentId.isEmpty else {
                result.unreadable.append(.init(artifactId: id, reason: "artifact \(id) has an empty deploymentId"))
                continue
            }
            result.deployments.append(
                RemoteDeployment(
                    artifactId: id, deploymentId: d.deploymentId, kind: kind, state: RemoteState(wire: d.state),
                    deployedAt: deployedAt, etag: d.etag))
        }
        return result
    }
}
