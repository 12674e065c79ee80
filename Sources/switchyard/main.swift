import Core
import Dispatch
import Foundation
import Glibc

/// `switchyard serve`: argument parsing, wiring and signals; nothing else.
let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.first == "serve" else {
    let text = arguments.first == "--help" || arguments.first == "help" || arguments.isEmpty ? ServeOptions.usage() : "switchyard: unknown command '\(arguments[0])'\n" + ServeOptions.usage()
    FileHandle.standardError.write(Data(text.utf8))
    exit(arguments.isEmpty || arguments.first == "--help" || arguments.first == "help" ? 0 : 2)
}
if arguments.contains("--help") {
    print(ServeOptions.usage())
    exit(0)
}

signal(SIGPIPE, SIG_IGN)
let gateway: Gateway
do {
    let options = try ServeOptions(arguments: Array(arguments.dropFirst()), environment: ProcessInfo.processInfo.environment)
    gateway = try Gateway(options: options)
} catch {
    FileHandle.standardError.write(Data("switchyard: \(error)\n".utf8))
    exit(error is ServeOptions.UsageError ? 2 : 1)
}

signal(SIGTERM, SIG_IGN)
signal(SIGINT, SIG_IGN)
let signalQueue = DispatchQueue(label: "switchyard.signals")
let signalSources = [SIGTERM, SIGINT].map { number in
    let source = DispatchSource.makeSignalSource(signal: number, queue: signalQueue)
    source.setEventHandler {
        gateway.stop()
        exit(0)
    }
    source.resume()
    return source
}
withExtendedLifetime(signalSources) { dispatchMain() }
