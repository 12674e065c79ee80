#!/usr/bin/env python3
"""Writes stream.wire.eventstream: a ConverseStream answer in AWS's binary event-stream framing, built
independently of the gateway's encoder (CRC-32 from Python's zlib) from the events listed below."""
import json
import os
import struct
import zlib

EVENTS = [
    ("messageStart", {"p": "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVW", "role": "assistant"}),
    ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "Let me check"}, "p": "abcdefghij"}),
    ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": " the weather."}, "p": "abcdefghijklm"}),
    ("contentBlockStop", {"contentBlockIndex": 0, "p": "abcd"}),
    ("contentBlockStart", {"contentBlockIndex": 1, "start": {"toolUse": {"name": "get_weather", "toolUseId": "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q"}},
                           "p": "abcdefghijklmnopqr"}),
    ("contentBlockDelta", {"contentBlockIndex": 1, "delta": {"toolUse": {"input": "{\"city\": "}}, "p": "abc"}),
    ("contentBlockDelta", {"contentBlockIndex": 1, "delta": {"toolUse": {"input": "\"Paris\"}"}}, "p": "abcdefg"}),
    ("contentBlockStop", {"contentBlockIndex": 1, "p": "abcdefghijklmnopqrstuvwxyzABCDEFG"}),
    ("messageStop", {"p": "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0", "stopReason": "tool_use"}),
    ("metadata", {"metrics": {"latencyMs": 1260}, "p": "abcdefghijklmnopqrstuvwxyzABCDEF",
                  "usage": {"cacheReadInputTokens": 256, "cacheWriteInputTokens": 0, "inputTokens": 174, "outputTokens": 57, "totalTokens": 487}}),
]


def frame(event_type, payload):
    headers = b""
    for name, value in ((":event-type", event_type), (":content-type", "application/json"), (":message-type", "event")):
        headers += bytes([len(name)]) + name.encode() + b"\x07" + struct.pack(">H", len(value)) + value.encode()
    body = json.dumps(payload, separators=(",", ":")).encode()
    prelude = struct.pack(">II", 12 + len(headers) + len(body) + 4, len(headers))
    message = prelude + struct.pack(">I", zlib.crc32(prelude)) + headers + body
    return message + struct.pack(">I", zlib.crc32(message))


with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "stream.wire.eventstream"), "wb") as out:
    for event_type, payload in EVENTS:
        out.write(frame(event_type, payload))
