extension Result where Failure == any Error {
    /// The outcome of `body`, a failure kept as a value (to finish something before it is thrown).
    public init(awaiting body: () async throws -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}
