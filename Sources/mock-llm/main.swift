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
guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]) else {
    Platform.printError("mock-llm: --listen must be host:port\n")
    exit(2)
}
let server: HTTPServer
do {
    let handler = MockHandler(defaults: defaults, requiredKey: requiredKey)
    server = try HTTPServer(configuration: HTTPServerConfiguration(host: String(listen[..<colon]), port: port, loopCount: loops),
                            handler: handler, statistics: handler.stats.server)
} catch {
    Platform.printError("mock-llm: \(error)\n")
    exit(1)
}
let line = Array("mock-llm: listening on \(server.url)\n".utf8)
_ = line.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
signal(SIGTERM, SIG_IGN)
signal(SIGINT, SIG_IGN)
let sources = [SIGTERM, SIGINT].map { number in
    let source = DispatchSource.makeSignalSource(signal: number, queue: .main)
    source.setEventHandler {
        server.shutdown(graceSeconds: 2)
        exit(0)
    }
    source.resume()
    return source
}
withExtendedLifetime(sources) { dispatchMain() }
