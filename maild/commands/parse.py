"""`maild parse FILE`: parse, extract and classify one mail; store and send nothing."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from maild import classify, parsers, rules
from maild.commands.common import add_json, emit_json, settings_or_defaults
from maild.errors import MaildError
from maild.rules._model import configured
from maild.rules.words import defaults
from maild.views import parsed_json


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("parse", help="parse one mail and print what maild understands")
    p.add_argument("file", metavar="FILE", help="a mail file, or - for stdin")
    add_json(p)
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    # parse needs no database: a missing config file falls back to the defaults
    settings = settings_or_defaults(args.config)
    try:
        if args.file == "-":
            import sys

            data = sys.stdin.buffer.read()
        else:
            with open(args.file, "rb") as f:
                data = f.read()
    except OSError as e:
        raise MaildError(f"cannot read {args.file}: {e.strerror}") from e
    msg = parsers.parse(data, settings.support.language, settings.storage.max_attachment_size)
    kind, why = classify.kind_of(msg, settings.support.address)
    model = configured(settings.rules.model)
    verdict = rules.evaluate(
        msg, rules.context_for(settings, datetime.now(UTC), defaults(), model)
    )
    out = parsed_json(msg, kind, why, verdict)
    if args.json:
        emit_json(out)
    else:
        for key in (
            "message_id",
            "from",
            "subject",
            "language",
            "kind",
            "category",
            "priority",
            "error_codes",
            "environment",
        ):
            print(f"{key:12} {out[key]}")
        print(f"{'attachments':12} {[a['filename'] for a in out['attachments']]}")
        print(f"{'defects':12} {out['defects']}")
        print("--- text ---")
        print(out["text"])
    return 0
