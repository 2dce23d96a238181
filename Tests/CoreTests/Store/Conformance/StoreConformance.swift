import Testing

/// The storage conformance suite: every method of every store protocol, on SQLite and on a real
/// PostgreSQL. One test at a time: each makes its own database, and run all at once they would
/// crowd out the timing-sensitive tests that run beside them.
@Suite(.serialized) enum StoreConformance {}
