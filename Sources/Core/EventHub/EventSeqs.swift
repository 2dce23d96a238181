import Foundation

/// How a published batch gets its seqs, as one rule for every backend: under the hub's lock, each
/// new event takes the next seq; an event whose id is taken (already retained, or earlier in
/// the batch) is a duplicate, skipped with no seq, unless the batch `describesChanges`: then
/// every event describes a row change that did happen and must reach the replicas, so a taken
/// id gets a fresh suffix instead (e.g. the CREATE of an artifact deleted and listed again).
enum EventSeqs {
    static func assign(
        _ events: [NewEvent], after head: Int64, taken: Set<String>, describesChanges: Bool, freshSuffix: () -> String = { UUID().uuidString.lowercased() }
    ) -> (rows: [(seq: Int64, event: NewEvent)], seqs: [Int64?]) {
        var taken = taken, head = head
        var rows: [(seq: Int64, event: NewEvent)] = []
        var seqs: [Int64?] = []
        for var event in events {
            if !taken.insert(event.eventId).inserted {
                guard describesChanges else {
                    seqs.append(nil)
                    continue
                }
                event.eventId += ":\(freshSuffix())"
            }
            head += 1
            seqs.append(head)
            rows.append((head, event))
        }
        return (rows, seqs)
    }
}
