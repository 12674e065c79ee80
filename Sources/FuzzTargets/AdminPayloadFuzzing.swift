import ControlPlane

/// The admin payload validators: the first byte picks one, the rest is the body. Anything refused is a
/// 400 (not JSON, not an object) or a 422 naming the field.
enum AdminPayloadFuzzing {
    static func run(_ input: [UInt8]) {
        guard let selector = input.first else { return }
        let payloads = AdminPayloadCheck.allCases
        let check = payloads[Int(selector) % payloads.count]
        do {
            try check.validate(Array(input.dropFirst()))
        } catch let error as AdminError {
            guard error.status == 400 || (error.status == 422 && error.field != nil) else {
                fatalError("\(check) refused with status \(error.status), field \(error.field ?? "none"): \(error.message)")
            }
        } catch {
            fatalError("\(check) threw an undocumented error: \(error)")
        }
    }
}
