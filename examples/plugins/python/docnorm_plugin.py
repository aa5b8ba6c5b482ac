"""Write a docnorm process plugin in Python, with the standard library only.

docnorm runs the plugin as a child process and speaks ``docnorm.plugin-protocol/1`` with it:
one JSON object per line on stdin and stdout (see docs/plugins.md). This module does the
protocol loop, so a plugin is a class with a ``manifest`` and a ``process`` method::

    import docnorm_plugin

    class Shout(docnorm_plugin.Plugin):
        manifest = {"name": "shout", "version": "1.0.0", "reads": ["title"], "writes": ["title"]}

        def __init__(self, options):
            # The plugin's ``options`` from the config (None when there are none). Raise
            # ValueError to refuse them: docnorm shows the message and refuses to start.
            self.options = options

        def process(self, document, fields):
            # ``fields`` holds exactly the record fields the manifest reads. Return a JSON
            # merge patch for the record (a dict), or None to decline the document.
            if not fields["title"]:
                return None
            return {"title": fields["title"].upper()}

    if __name__ == "__main__":
        docnorm_plugin.run(Shout)

``document`` has ``path``, ``format`` (``text``, ``html``, ``markdown``, ``frontmatter``,
``json``, ``jsonl``, ``xml``, ``binary``), ``text`` (None for binary content), ``bytes`` and
``source`` (the record's ``source`` as a dict). Raise ``Invalid`` (a broken document of the
plugin's kind) or ``Limit`` (a document past a limit the plugin enforces) to fail one
document with a message; any other exception fails the document too, and its traceback goes
to stderr, which docnorm logs. Anything printed to stdout goes to stderr as well: stdout
belongs to the protocol.
"""

import base64
import json
import os
import sys
import traceback

PROTOCOL = "docnorm.plugin-protocol/1"
MAJOR = 1

__all__ = ["PROTOCOL", "Document", "Invalid", "Limit", "Plugin", "PluginError", "run"]


class PluginError(Exception):
    """Fails the document being processed with this message."""

    kind = "other"


class Invalid(PluginError):
    """The document is of the plugin's kind but broken."""

    kind = "invalid"


class Limit(PluginError):
    """The document exceeds a limit the plugin enforces."""

    kind = "limit"


class Document:
    """One document, as docnorm read it."""

    __slots__ = ("path", "format", "text", "source", "_base64")

    def __init__(self, message):
        self.path = message["path"]
        self.format = message["format"]
        self.text = message.get("text")
        self.source = message.get("source", {})
        self._base64 = message.get("bytes")

    @property
    def bytes(self):
        """The content as bytes: the text in UTF-8, or the decoded binary content."""
        if self.text is not None:
            return self.text.encode("utf-8")
        return base64.b64decode(self._base64 or "")


class Plugin:
    """A plugin: set ``manifest`` and override ``process``."""

    #: ``{"name", "version", "reads", "writes"}``: the plugin's name and version, the record
    #: fields it is given and the fields it may write.
    manifest = None

    def __init__(self, options):
        self.options = options

    def process(self, document, fields):
        """Returns a merge patch (a dict) for the record, or None to decline."""
        raise NotImplementedError("a plugin overrides process(document, fields)")


def run(plugin_class, stdin=None, stdout=None):
    """Serves the protocol with a ``plugin_class`` made from the hello's options, until stdin
    ends. By default on this process's stdin and stdout, with ``sys.stdout`` (and file
    descriptor 1) pointed at stderr, so stray prints cannot break the protocol."""
    if stdin is None:
        stdin = sys.stdin.buffer
    if stdout is None:
        stdout = os.fdopen(os.dup(1), "wb")
        os.dup2(2, 1)
        sys.stdout = sys.stderr
    hello = _read(stdin)
    if hello is None:
        return
    plugin = _start(plugin_class, hello, stdout)
    if plugin is None:
        return
    while True:
        request = _read(stdin)
        if request is None:
            return
        _send(stdout, _answer(plugin, request))


def _start(plugin_class, hello, stdout):
    """Makes the plugin and answers the hello: the manifest, or why it cannot start."""
    protocol = str(hello.get("protocol", ""))
    major = protocol.rpartition("/")[2].split(".")[0]
    if not protocol.startswith("docnorm.plugin-protocol/") or major != str(MAJOR):
        _send(stdout, _error(None, "the host speaks %s, this helper speaks %s" % (protocol, PROTOCOL)))
        return None
    try:
        plugin = plugin_class(hello.get("options"))
        manifest = dict(plugin.manifest or {})
        missing = [key for key in ("name", "version", "reads", "writes") if key not in manifest]
        if missing:
            raise ValueError("the manifest has no %s" % ", ".join(missing))
    except Exception as err:  # noqa: BLE001 - every failure to start is reported to the host
        _send(stdout, _error(None, _describe(err)))
        return None
    manifest.update(type="manifest", protocol=PROTOCOL)
    _send(stdout, manifest)
    return plugin


def _answer(plugin, request):
    """The answer to one request."""
    request_id = request.get("id")
    try:
        patch = plugin.process(Document(request["document"]), request.get("fields", {}))
    except PluginError as err:
        return _error(request_id, str(err), err.kind)
    except Exception as err:  # noqa: BLE001 - a failing plugin fails one document
        traceback.print_exc(file=sys.stderr)
        return _error(request_id, _describe(err))
    if patch is None:
        return {"type": "decline", "id": request_id}
    if not isinstance(patch, dict):
        return _error(request_id, "process returned %s, not a dict or None" % type(patch).__name__)
    return {"type": "patch", "id": request_id, "patch": patch}


def _error(request_id, message, kind="other"):
    answer = {"type": "error", "message": message, "kind": kind}
    if request_id is not None:
        answer["id"] = request_id
    return answer


def _describe(err):
    if isinstance(err, (ValueError, PluginError)):
        return str(err)
    return "%s: %s" % (type(err).__name__, err)


def _read(stdin):
    line = stdin.readline()
    if not line:
        return None
    return json.loads(line)


def _send(stdout, message):
    stdout.write(json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    stdout.write(b"\n")
    stdout.flush()
