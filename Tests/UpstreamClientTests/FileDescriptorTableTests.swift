@testable import HTTPServer
import Testing

@Suite("File descriptor table")
struct FileDescriptorTableTests {
    @Test("holds, replaces and removes values by descriptor like a dictionary, and counts them")
    func behavesLikeADictionary() {
        var table = FileDescriptorTable<String>()
        var reference: [Int32: String] = [:]
        #expect(table.isEmpty && table[0] == nil && table[-1] == nil && table[1_000] == nil)
        let steps: [(Int32, String?)] = [(5, "a"), (3, "b"), (5, "c"), (40, "d"), (3, nil), (7, nil), (500, nil), (0, "e"), (40, nil), (41, "f")]
        for (fd, value) in steps {
            table[fd] = value
            reference[fd] = value
            #expect(table.count == reference.count)
            for probe: Int32 in [-1, 0, 3, 5, 7, 40, 41, 500, 10_000] { #expect(table[probe] == reference[probe], "\(probe) after \(fd)") }
        }
        #expect(table.values == reference.keys.sorted().map { reference[$0]! })
        #expect(table.removeValue(forKey: 41) == "f" && table.removeValue(forKey: 41) == nil && table.count == 2)
        #expect(!table.isEmpty)
    }
}
