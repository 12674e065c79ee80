import Core
import Testing

@Suite struct IdentifierTests {
    @Test func sequentialIdsShareAProcessPrefixAndCountInHex() {
        let first = Identifier.sequential("req"), second = Identifier.sequential("req")
        for id in [first, second] {
            #expect(id.hasPrefix("req_") && id.utf8.count == 4 + 12 + 12)
            #expect(id.dropFirst(4).allSatisfy { $0.isHexDigit && !$0.isUppercase })
        }
        #expect(first.prefix(16) == second.prefix(16))
        #expect(UInt64(first.suffix(12), radix: 16)! < UInt64(second.suffix(12), radix: 16)!)
    }
}
