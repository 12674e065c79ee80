import Core
import Dispatch
import Glibc
import HTTPServer

/// `switchyard serve`: argument parsing, wiring and signals; nothing else.
let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "seed-requests" {
    do {
        try SeedRequests.run(Array(arguments.dropFirst()))
        exit(0)
    } catch {
        Platform.printError("switchyard: \(error)\n")
        exit(2)
    }
}
guard arguments.first == "serve" else {
    let text = arguments.first == "--help" || arguments.first == "help" || arguments.isEmpty ? ServeOptions.usage() : "switchyard: unknown command '\(arguments[0])'\n" + ServeOptions.usage()
    Platform.printError(text)
    exit(arguments.isEmpty || arguments.first == "--help" || arguments.first == "help" ? 0 : 2)
}
if arguments.contains("--help") {
    Platform.printOutput(ServeOptions.usage())
    exit(0)
}

signal(SIGPIPE, SIG_IGN)
let gateway: Gateway
do {
    let options = try ServeOptions(arguments: Array(arguments.dropFirst()), environment: Platform.environment)
    gateway = try Gateway(options: options)
} catch {
    Platform.printError("switchyard: \(error)\n")
    exit(error is ServeOptions.UsageError ? 2 : 1)
}

let signalSources = handleTerminationSignals { [gateway] in
    gateway.stop()
    exit(0)
}
withExtendedLifetime(signalSources) { dispatchMain() }
