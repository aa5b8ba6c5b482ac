#!/usr/bin/env python3
"""misbehave: a test-only process plugin that misbehaves on request, speaking the protocol by
hand (no helper) so that it can break it.

It reads nothing, writes `extra`, and patches `extra.misbehave` with its process id on a
document without a marker. A line of the document's text chooses what it does instead:

- `docnorm-test-exit`: exits (status 3) in the middle of the document;
- `docnorm-test-hang`: never answers;
- `docnorm-test-garbage`: answers with a line that is not JSON;
- `docnorm-test-wrong-id`: answers with another request's id;
- `docnorm-test-huge`: answers with a 100 MB line;
- `docnorm-test-flood`: writes to stderr without end and never answers;
- `docnorm-test-undeclared`: patches `title`, which it does not declare;
- `docnorm-test-chatty`: writes three lines to stderr, then answers.
"""

import json
import os
import sys
import time

out = sys.stdout.buffer


def send(message):
    out.write(json.dumps(message).encode() + b"\n")
    out.flush()


def huge(request_id):
    head = b'{"type":"patch","id":%d,"patch":{"extra":{"misbehave":"' % request_id
    out.write(head)
    chunk = b"x" * (1 << 20)
    for _ in range(100):
        out.write(chunk)
    out.write(b'"}}}\n')
    out.flush()


def main():
    hello = json.loads(sys.stdin.readline())
    assert hello["type"] == "hello", hello
    send({"type": "manifest", "protocol": "docnorm.plugin-protocol/1", "name": "misbehave",
          "version": "1.0.0", "reads": [], "writes": ["extra"]})
    for line in sys.stdin:
        request = json.loads(line)
        request_id = request["id"]
        text = request["document"].get("text") or ""
        marks = {word for word in text.split() if word.startswith("docnorm-test-")}
        if "docnorm-test-exit" in marks:
            os._exit(3)
        if "docnorm-test-hang" in marks:
            time.sleep(3600)
        if "docnorm-test-garbage" in marks:
            out.write(b"this is not JSON\n")
            out.flush()
            continue
        if "docnorm-test-wrong-id" in marks:
            send({"type": "decline", "id": request_id + 1000})
            continue
        if "docnorm-test-huge" in marks:
            huge(request_id)
            continue
        if "docnorm-test-flood" in marks:
            n = 0
            while True:
                n += 1
                sys.stderr.write("flood line %d of a plugin that writes to stderr without end\n" % n)
        if "docnorm-test-undeclared" in marks:
            send({"type": "patch", "id": request_id, "patch": {"title": "not mine to write"}})
            continue
        if "docnorm-test-chatty" in marks:
            for n in range(3):
                sys.stderr.write("chatty line %d about %s\n" % (n, request["document"]["path"]))
            sys.stderr.flush()
        send({"type": "patch", "id": request_id, "patch": {"extra": {"misbehave": os.getpid()}}})


main()
