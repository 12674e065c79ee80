import Dispatch
import Glibc

/// Runs `action` on a background queue when SIGTERM or SIGINT arrives, instead of dying at once;
/// keep the returned sources alive.
public func handleTerminationSignals(_ action: @escaping @Sendable () -> Void) -> [DispatchSourceSignal] {
    let queue = DispatchQueue(label: "switchyard.signals")
    return [SIGTERM, SIGINT].map { number in
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
        source.setEventHandler(handler: action)
        source.resume()
        return source
    }
}
