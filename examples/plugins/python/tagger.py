#!/usr/bin/env python3
"""tagger: a docnorm plugin that tags documents from a keyword list.

Its options map each tag to the words or phrases that signal it; it writes the tags whose
words the title or body mention (whole words, any case) to ``extra.tags``, sorted:

    options:
      tags:
        climate: [climate, carbon emissions]
        energy: [oil, gas, coal]
      min_mentions: 1      # mentions a tag needs (default 1)
"""

import re

import docnorm_plugin


class Tagger(docnorm_plugin.Plugin):
    manifest = {
        "name": "tagger",
        "version": "1.0.0",
        "reads": ["title", "body"],
        "writes": ["extra"],
    }

    def __init__(self, options):
        options = dict(options or {})
        tags = options.pop("tags", None)
        self.min_mentions = options.pop("min_mentions", 1)
        if options:
            raise ValueError("unknown option `%s`" % sorted(options)[0])
        if not isinstance(tags, dict) or not tags:
            raise ValueError("`tags` must map each tag to a list of words or phrases")
        if not isinstance(self.min_mentions, int) or self.min_mentions < 1:
            raise ValueError("`min_mentions` must be a whole number from 1")
        self.patterns = {}
        for tag, phrases in tags.items():
            if not isinstance(phrases, list) or not all(isinstance(p, str) and p.strip() for p in phrases):
                raise ValueError("tag `%s`: expected a list of words or phrases" % tag)
            # Whole words, any case; the words of a phrase may be split by any white space.
            alternatives = (r"\s+".join(map(re.escape, p.split())) for p in phrases)
            self.patterns[tag] = re.compile(r"\b(?:%s)\b" % "|".join(alternatives), re.IGNORECASE)

    def process(self, document, fields):
        text = "\n".join(part for part in (fields.get("title"), fields.get("body")) if part)
        if not text:
            return None
        tags = sorted(
            tag for tag, pattern in self.patterns.items()
            if len(pattern.findall(text)) >= self.min_mentions
        )
        # A merge patch: only `extra.tags` changes, the rest of `extra` stays.
        return {"extra": {"tags": tags}}


if __name__ == "__main__":
    docnorm_plugin.run(Tagger)
