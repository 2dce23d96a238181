import Logging

extension Logger {
    /// A logger that drops everything: the default for library types when none is injected, so
    /// the engine never writes to a terminal on its own.
    public static func silent(_ label: String) -> Logger {
        Logger(label: label, factory: { _ in SwiftLogNoOpLogHandler() })
    }
}
