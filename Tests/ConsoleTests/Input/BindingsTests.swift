import Testing
@testable import Console

struct BindingsTests {
    @Test func noTwoBindingsInAScopeShareAKey() {
        for view in ConsoleView.allCases {
            let keys = Bindings.active(in: view, readonly: false).flatMap(\.keys)
            let duplicates = Dictionary(grouping: keys, by: { $0 }).filter { $0.value.count > 1 }.keys
            #expect(duplicates.isEmpty, "\(view): \(duplicates.map(\.description)) bound twice")
        }
    }

    @Test func mutationsAreShiftLettersNeverControlChords() {
        for binding in Bindings.all where binding.mutates {
            for key in binding.keys {
                guard case .char(let c) = key else {
                    Issue.record("\(binding.help) is bound to \(key), not a letter")
                    continue
                }
                #expect(c.isUppercase, "\(binding.help) must be a Shift letter")
            }
        }
    }

    @Test func readOnlyHidesEveryMutation() {
        for view in ConsoleView.allCases {
            #expect(!Bindings.active(in: view, readonly: true).contains { $0.mutates })
        }
    }
}
