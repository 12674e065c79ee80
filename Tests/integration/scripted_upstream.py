"""A raw-socket upstream for byte-level tests: each request is answered by the script named by its
`model`, either canned bytes (sent whole or a byte at a time) or a function that writes what it likes to
the socket (stalls, garbage, endless streams) until the server stops."""
import json
import socket
import threading


class ScriptedUpstream:
    """Answers each request with `scripts[model]`, then closes the connection after
    `requests_per_connection` answers (without saying so, as an idle timeout would), or after a script in
    `closing` or any function script."""

    def __init__(self, scripts, requests_per_connection=100, split=False, closing=()):
        self.scripts = scripts
        self.closing = set(closing)
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.base = "http://127.0.0.1:%d" % self.listener.getsockname()[1]
        self.requests_per_connection = requests_per_connection
        self.split = split
        self.connections = 0
        self.stopped = threading.Event()
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self.answer, args=(conn,), daemon=True).start()

    def answer(self, conn):
        buffer = b""
        with conn:
            for _ in range(self.requests_per_connection):
                while b"\r\n\r\n" not in buffer:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buffer += data
                head, _, buffer = buffer.partition(b"\r\n\r\n")
                length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
                while len(buffer) < length:
                    buffer += conn.recv(65536)
                body, buffer = json.loads(buffer[:length]), buffer[length:]
                script = self.scripts[body["model"]]
                try:
                    if callable(script):
                        script(conn, self.stopped)
                        return
                    if self.split:
                        for i in range(len(script)):
                            conn.sendall(script[i:i + 1])
                    else:
                        conn.sendall(script)
                except (BrokenPipeError, ConnectionResetError):
                    return
                if body["model"] in self.closing:
                    return

    def close(self):
        self.stopped.set()
        self.listener.close()
