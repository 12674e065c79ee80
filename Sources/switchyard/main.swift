import Core
import Dispatch
import Glibc
import HTTPServer
import Synchronization

/// `switchyard serve`: argument parsing, wiring and signals; nothing else.
let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "seed-requests" || arguments.first == "rotate-master-key" {
    do {
        if arguments.first == "seed-requests" {
            try SeedRequests.run(Array(arguments.dropFirst()))
        } else {
            try RotateMasterKey.run(Array(arguments.dropFirst()), environment: Platform.environment)
        }
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
/// The running gateway, once started; signals are handled from before it starts (its ready lines may be
/// followed by a SIGTERM at once), and one that comes earlier just exits.
let running = Mutex<Gateway?>(nil)
let signalSources = handleTerminationSignals {
    running.withLock { $0 }?.stop()
    exit(0)
}
do {
    let options = try ServeOptions(arguments: Array(arguments.dropFirst()), environment: Platform.environment)
    let gateway = try Gateway(options: options)
    running.withLock { $0 = gateway }
} catch {
    Platform.printError("switchyard: \(error)\n")
    exit(error is ServeOptions.UsageError ? 2 : 1)
}
withExtendedLifetime(signalSources) { Platform.parkMainThread() }
