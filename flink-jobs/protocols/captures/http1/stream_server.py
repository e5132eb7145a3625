#!/usr/bin/env python3
"""Small real streaming HTTP server for the HTTP/1 captures (captures/http1.sh).

Usage: stream_server.py PORT11 PORT10
  PORT11 speaks HTTP/1.1: chunked SSE (/sse), chunked NDJSON (/ndjson), Ollama-style streamed application/json
         (POST /api/generate), an echo that honours Expect: 100-continue (POST /echo), a 500 (/boom).
  PORT10 speaks HTTP/1.0: an SSE stream with no length, ended by closing the connection (/sse).
Every event is written by its own send() with a short sleep, as real token streams are.
"""
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


SSE_EVENTS = [
    b'data: {"choices":[{"delta":{"content":"Hel"}}]}\n\n',
    b': keep-alive comment\n\n',
    b'event: message\ndata: {"choices":[{"delta":{"content":"lo"}}]}\n\n',
    b'data: first line\ndata: second line\n\n',
]


class Handler11(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def stream(self, content_type, parts, sleep=0.03):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        for p in parts:
            time.sleep(sleep)
            self.wfile.write(chunk(p))
        time.sleep(sleep)
        self.wfile.write(b"0\r\n\r\n")

    def do_GET(self):
        if self.path == "/sse":
            # the last event arrives in two chunks, two calls apart: its time is that of the second
            parts = SSE_EVENTS + [b'event: done\ndata: {"fin', b'ish_reason":"stop"}\n\n', b'data: [DONE]\n\n']
            self.stream("text/event-stream", parts)
        elif self.path == "/ndjson":
            lines = [json.dumps({"model": "tiny", "response": t, "done": False}).encode() + b"\n"
                     for t in ["The", " sky", " is"]]
            # one line split across two chunks, and two lines in one chunk
            last = json.dumps({"model": "tiny", "response": " blue", "done": True, "eval_count": 4}).encode()
            parts = [lines[0], lines[1] + lines[2], last[:20], last[20:] + b"\n"]
            self.stream("application/x-ndjson", parts)
        elif self.path == "/boom":
            body = b'{"error":"upstream exploded"}'
            self.send_response(500)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_error(404)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        req = self.rfile.read(length)
        if self.path == "/api/generate":
            model = json.loads(req).get("model", "?")
            parts = [json.dumps({"model": model, "response": t, "done": False}).encode() + b"\n"
                     for t in ["Why", " not", "?"]]
            parts.append(json.dumps({"model": model, "response": "", "done": True}).encode() + b"\n")
            self.stream("application/json; charset=utf-8", parts)
        elif self.path == "/echo":
            body = json.dumps({"received": len(req)}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_error(404)


class Handler10(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for e in SSE_EVENTS:
            time.sleep(0.03)
            self.wfile.write(e)


if __name__ == "__main__":
    s11 = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler11)
    s10 = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), Handler10)
    import threading
    threading.Thread(target=s10.serve_forever, daemon=True).start()
    s11.serve_forever()
