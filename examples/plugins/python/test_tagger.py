"""Tests of the tagger and of the protocol helper: `python3 -m unittest` in this folder."""

import io
import json
import unittest

import docnorm_plugin
from tagger import Tagger

HELLO = {
    "type": "hello",
    "protocol": "docnorm.plugin-protocol/1",
    "name": "tagger",
    "options": {"tags": {"climate": ["climate", "carbon emissions"], "energy": ["oil", "gas"]}},
}


def request(request_id, fields, text="", **document):
    document = dict({"path": "inbox/a.md", "format": "markdown", "text": text, "source": {}}, **document)
    return {"type": "process", "id": request_id, "document": document, "fields": fields}


def serve(plugin_class, *messages):
    """Runs the protocol loop over `messages` and returns the answers."""
    stdin = io.BytesIO(b"".join(json.dumps(m).encode() + b"\n" for m in messages))
    stdout = io.BytesIO()
    docnorm_plugin.run(plugin_class, stdin, stdout)
    return [json.loads(line) for line in stdout.getvalue().splitlines()]


class TaggerTest(unittest.TestCase):
    def test_tags_whole_words_and_phrases_in_title_and_body(self):
        fields = {"title": "Climate talks stall", "body": "Carbon\nemissions rose. Gas prices fell; the gasket held."}
        answers = serve(Tagger, HELLO, request(7, fields))
        self.assertEqual(answers[0]["type"], "manifest")
        self.assertEqual(answers[0]["writes"], ["extra"])
        self.assertEqual(answers[1], {"type": "patch", "id": 7, "patch": {"extra": {"tags": ["climate", "energy"]}}})

    def test_declines_a_document_without_text(self):
        answers = serve(Tagger, HELLO, request(1, {"title": None, "body": ""}))
        self.assertEqual(answers[1], {"type": "decline", "id": 1})

    def test_a_misspelled_option_is_refused_at_the_handshake(self):
        hello = dict(HELLO, options={"tags": {"a": ["b"]}, "min_mention": 2})
        answers = serve(Tagger, hello)
        self.assertEqual(answers, [{"type": "error", "message": "unknown option `min_mention`", "kind": "other"}])


class Moody(docnorm_plugin.Plugin):
    manifest = {"name": "moody", "version": "1", "reads": [], "writes": ["extra"]}

    def process(self, document, fields):
        mood = document.text
        if mood == "invalid":
            raise docnorm_plugin.Invalid("broken front matter")
        if mood == "limit":
            raise docnorm_plugin.Limit("too many tags")
        if mood == "bug":
            return 1 / 0
        if mood == "list":
            return ["not", "a", "patch"]
        return {"extra": {"bytes": len(document.bytes), "format": document.format}}


class HelperTest(unittest.TestCase):
    def test_errors_fail_one_document_each_with_their_kind(self):
        answers = serve(
            Moody,
            HELLO,
            request(1, {}, "invalid"),
            request(2, {}, "limit"),
            request(3, {}, "bug"),
            request(4, {}, "list"),
            request(5, {}, "fine"),
        )
        self.assertEqual(answers[1], {"type": "error", "id": 1, "message": "broken front matter", "kind": "invalid"})
        self.assertEqual(answers[2]["kind"], "limit")
        self.assertEqual(answers[3]["message"], "ZeroDivisionError: division by zero")
        self.assertEqual(answers[4]["message"], "process returned list, not a dict or None")
        self.assertEqual(answers[5]["patch"], {"extra": {"bytes": 4, "format": "markdown"}})

    def test_binary_content_arrives_as_bytes(self):
        binary = request(1, {}, format="binary", bytes="AJ//AQ==")
        del binary["document"]["text"]
        answers = serve(Moody, HELLO, binary)
        self.assertEqual(answers[1]["patch"], {"extra": {"bytes": 4, "format": "binary"}})

    def test_another_major_version_is_refused(self):
        answers = serve(Moody, dict(HELLO, protocol="docnorm.plugin-protocol/2"))
        self.assertEqual(answers[0]["type"], "error")
        self.assertIn("docnorm.plugin-protocol/2", answers[0]["message"])


if __name__ == "__main__":
    unittest.main()
