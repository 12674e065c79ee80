import Foundation
import FuzzTargets
import Testing

/// Every seed and every input a fuzzer once crashed on, kept under `Tests/Fuzz/<target>/`, runs through
/// its target on each test run: a fixed crash stays fixed without libFuzzer.
@Suite("Fuzz corpus regressions")
struct FuzzCorpusTests {
    static let corpusRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    @Test("each target runs its committed corpus without a crash or a broken property", arguments: FuzzTarget.allCases)
    func corpus(_ target: FuzzTarget) throws {
        let folder = Self.corpusRoot.appendingPathComponent(target.rawValue)
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
        #expect(!files.isEmpty, "no seeds for \(target.rawValue)")
        for file in files {
            target.run(Array(try Data(contentsOf: file)))
        }
    }
}
