import Core
import Providers

/// AWS's binary event-stream framing (Bedrock): the same messages for every split, refusals typed.
enum EventStreamFuzzing {
    static func run(_ input: [UInt8]) {
        let outcomes = Splits.of(input).map(decode)
        for other in outcomes.dropFirst() where other != outcomes[0] { violated("event-stream messages differ by split", outcomes[0], other) }
        // A message framed by the encoder decodes back to itself.
        let headers = [(":event-type", "chunk"), (":content-type", "application/json")]
        var decoder = AWSEventStream.Decoder()
        let framed = AWSEventStream.encode(headers: headers, payload: input)
        let messages = framed.withUnsafeBytes { try? decoder.feed($0) }
        guard messages == [AWSEventStream.Message(headers: Dictionary(uniqueKeysWithValues: headers), payload: input)] else {
            violated("an encoded message does not decode to itself", input, messages as Any)
        }
    }

    struct Outcome: Equatable {
        var messages: [AWSEventStream.Message] = []
        var partial = false
        var refusal: AWSEventStream.FramingError?

        /// Messages are compared only when both streams were read to the end: a refusal drops the messages of the piece that failed.
        static func == (a: Outcome, b: Outcome) -> Bool {
            a.refusal == b.refusal && (a.refusal != nil || (a.messages == b.messages && a.partial == b.partial))
        }
    }

    static func decode(_ pieces: [ArraySlice<UInt8>]) -> Outcome {
        var decoder = AWSEventStream.Decoder()
        var outcome = Outcome()
        for piece in pieces {
            do {
                outcome.messages += try piece.withUnsafeBytes { try decoder.feed($0) }
            } catch let error as AWSEventStream.FramingError {
                outcome.refusal = error
                return outcome
            } catch {
                fatalError("undocumented error \(error)")
            }
        }
        outcome.partial = decoder.hasPartialMessage
        return outcome
    }
}

/// Each provider's stream decoder: the same chunks and usage for every split; a malformed stream is
/// refused with a `GatewayError`, never a crash.
enum StreamDecoderFuzzing {
    static func run(_ input: [UInt8], kind: ProviderKind) {
        let translator: any ChatTranslator = chatTranslator(for: kind) ?? OpenAITranslator()
        let outcomes = Splits.of(input).map { decode($0, translator) }
        for other in outcomes.dropFirst() where other != outcomes[0] { violated("\(kind) stream differs by split", outcomes[0], other) }
    }

    struct Outcome: Equatable, CustomStringConvertible {
        var chunks: [ChatCompletionChunk] = []
        var refused = false
        var complete = false
        var usage: TokenUsage?

        var description: String { "\(chunks.count) chunks \(chunks.map(\.json)), refused \(refused), complete \(complete), usage \(usage as Any)" }

        /// Chunks are compared only when both streams were read to the end: a refusal drops the chunks of the piece that failed.
        static func == (a: Outcome, b: Outcome) -> Bool {
            a.refused == b.refused && (a.refused || (a.chunks == b.chunks && a.complete == b.complete && a.usage == b.usage))
        }
    }

    /// A chunk without its creation time, which is the wall clock when the provider does not send one.
    static func undated(_ chunk: ChatCompletionChunk) -> ChatCompletionChunk {
        var chunk = chunk
        chunk.created = 0
        return chunk
    }

    static func decode(_ pieces: [ArraySlice<UInt8>], _ translator: any ChatTranslator) -> Outcome {
        let decoder = translator.streamDecoder(model: "fuzz-model", fallbackID: "chatcmpl-fuzz", providerName: "fuzz")
        var outcome = Outcome()
        do {
            for piece in pieces {
                outcome.chunks += try piece.withUnsafeBytes { try decoder.feed($0) }.map(undated)
            }
            outcome.chunks += try decoder.finish().map(undated)
        } catch let error as GatewayError {
            guard (400...599).contains(error.status) else { fatalError("undocumented status \(error.status)") }
            outcome.refused = true
        } catch {
            fatalError("undocumented error \(error)")
        }
        outcome.complete = decoder.isComplete
        outcome.usage = decoder.usage
        return outcome
    }
}
