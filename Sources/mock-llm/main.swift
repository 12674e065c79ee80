import Core
import Dispatch
import Glibc
import HTTPServer

/// mock-llm: an OpenAI-compatible mock upstream. Flags: --listen host:port, --latency-ms N|A-B,
/// --chunks N, --interval-ms N, --require-key KEY, --loops N. Per request: x-mock-* headers or
/// `:key=value` directives in the model name (latency, chunks, interval, padding, status, fault=reset|drop|stall|error-body).
var defaults = MockBehaviour()
var listen = "127.0.0.1:8090"
var requiredKey: String?
var loops = 1
var arguments = Array(CommandLine.arguments.dropFirst())
while !arguments.isEmpty {
    let flag = arguments.removeFirst()
    guard let value = arguments.first else {
        Platform.printError("mock-llm: \(flag) needs a value\n")
        exit(2)
    }
    arguments.removeFirst()
    switch flag {
    case "--listen": listen = value
    case "--require-key": requiredKey = value
    case "--loops": loops = Int(value) ?? 1
    case "--latency-ms", "--chunks", "--interval-ms":
        defaults.apply(String(flag.dropFirst(2)), value)
    default:
        Platform.printError("mock-llm: unknown flag \(flag)\n")
        exit(2)
    }
}
signal(SIGPIPE, SIG_IGN)
guard let address = ListenAddress(listen) else {
    Platform.printError("mock-llm: --listen must be host:port\n")
    exit(2)
}
let server: HTTPServer
do {
    let handler = MockHandler(defaults: defaults, requiredKey: requiredKey)
    server = try HTTPServer(configuration: HTTPServerConfiguration(host: address.host, port: address.port, loopCount: loops),
                            handler: handler, statistics: handler.stats.server)
} catch {
    Platform.printError("mock-llm: \(error)\n")
    exit(1)
}
Platform.printOutput("mock-llm: listening on \(server.url)\n")
let sources = handleTerminationSignals { [server] in
    server.shutdown(graceSeconds: 2)
    exit(0)
}
withExtendedLifetime(sources) { Platform.parkMainThread() }
