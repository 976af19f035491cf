/// Opened once the database is migrated and the server listens: background work that reads
/// the schema waits for it instead of failing on a database that has no tables yet.
actor StartupGate {
    private(set) var isOpen = false

    func open() { isOpen = true }

    /// Returns once the gate is open; throws if the task is cancelled first.
    func wait() async throws {
        while !isOpen { try await Task.sleep(for: .milliseconds(50)) }
    }
}
