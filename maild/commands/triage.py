"""`maild triage train` and `maild triage check`: learn the triage model from labelled mail,
and measure the configured triage against labelled mail (maild/learn.py)."""

from __future__ import annotations

import argparse
import gzip
import json
import os
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from maild.commands.common import add_json, emit_json, settings_or_defaults
from maild.errors import MaildError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("triage", help="train or measure the priority and category triage")
    verbs = p.add_subparsers(dest="verb", required=True)
    train = verbs.add_parser(
        "train", help="learn a triage model from labelled mail (JSON lines: subject, body, "
        "from, priority, category); needs maild[train]"
    )
    train.add_argument("files", nargs="+", metavar="FILE", type=Path)
    train.add_argument("--out", required=True, type=Path,
                       help="model file to write (.json or .json.gz); set rules.model to it")
    train.add_argument("--held-out", action="store_true",
                       help="also judge each file by a model trained on the other files")
    add_json(train)
    train.set_defaults(handler=handle_train)
    check = verbs.add_parser(
        "check", help="how often the configured triage agrees with labelled mail"
    )
    check.add_argument("files", nargs="+", metavar="FILE", type=Path)
    check.add_argument("--misses", action="store_true", help="list every disagreement")
    add_json(check)
    check.set_defaults(handler=handle_check)
    export = verbs.add_parser(
        "export", help="the tickets an agent re-prioritised or re-categorised, as labelled mail"
    )
    export.add_argument("--since", metavar="DATE", help="tickets created since (YYYY-MM-DD)")
    export.add_argument("--out", type=Path, help="file to write (default: standard output)")
    export.set_defaults(handler=handle_export)


def handle_train(args: argparse.Namespace) -> int:
    from maild import learn
    from maild.rules import _model

    mails = learn.read(args.files)
    if len(mails) < 10:
        raise MaildError(f"{len(mails)} labelled mails are too few to learn from")
    data = learn.fit(mails)
    data["labelled"] = {"files": sorted(p.name for p in args.files),
                        "sha256": learn.fingerprint(args.files),
                        "each": sorted(learn.fingerprint([p]) for p in args.files)}
    held = learn.held_out(mails) if args.held_out and len(args.files) > 1 else {}
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    if args.out.name.endswith(".gz"):
        raw = gzip.compress(raw, mtime=0)
    tmp = args.out.with_name(args.out.name + ".tmp")
    try:
        tmp.write_bytes(raw)
        os.replace(tmp, args.out)
    except OSError as e:
        raise MaildError(f"cannot write {args.out}: {e.strerror}") from e
    model = _model.load(args.out)
    out: dict[str, Any] = {
        "model": str(args.out),
        "trained_on": len(mails),
        "terms": len(model.index),
        "training_accuracy": learn.accuracy(model, mails),
        "held_out": held,
    }
    if args.json:
        emit_json(out)
        return 0
    print(f"wrote {args.out}: {len(mails)} labelled mails, {len(model.index)} terms")
    for source, acc in held.items():
        print(f"  {source}: judged by a model trained without it: "
              f"priority {acc['priority']:.1%}, category {acc['category']:.1%}")
    return 0


def handle_check(args: argparse.Namespace) -> int:
    from maild import learn, parsers, rules
    from maild.rules._model import configured
    from maild.rules.words import defaults
    from maild.settings import PRIORITIES

    settings = settings_or_defaults(args.config)
    model = configured(settings.rules.model)
    words = defaults()
    files: dict[str, dict[str, Any]] = {}
    misses: list[dict[str, str]] = []
    confusion: dict[str, Counter[tuple[str, str]]] = {"priority": Counter(),
                                                      "category": Counter()}
    now = datetime.now(UTC)
    for path in args.files:
        right = {"priority": 0, "category": 0}
        n = 0
        for record in learn.records(path):
            msg = parsers.parse(learn.mail_bytes(record), settings.support.language,
                                settings.storage.max_attachment_size)
            v = rules.evaluate(msg, rules.context_for(settings, now, words, model))
            n += 1
            for q, got in (("priority", v.priority), ("category", v.category)):
                want = record[q]
                confusion[q][(want, got)] += 1
                if got == want:
                    right[q] += 1
                else:
                    misses.append({"id": str(record.get("id", "")), "question": q,
                                   "want": want, "got": got,
                                   "subject": str(record.get("subject", ""))[:80]})
        seen = model is not None and learn.fingerprint([path]) in model.trained_files
        files[str(path)] = {"mails": n, "trained_on": seen,
                            **{q: right[q] / n if n else 0.0 for q in right}}
    total = sum(f["mails"] for f in files.values())
    out: dict[str, Any] = {
        "model": model.source if model else None,
        "files": files,
        "total": {
            "mails": total,
            **{q: sum(f[q] * f["mails"] for f in files.values()) / total if total else 0.0
               for q in ("priority", "category")},
        },
        "confusion": {q: [{"want": w, "got": g, "mails": c}
                          for (w, g), c in sorted(confusion[q].items())]
                      for q in confusion},
        "misses": misses if args.misses else len(misses),
    }
    if args.json:
        emit_json(out)
        return 0
    for name, f in files.items():
        print(f"{name}: {f['mails']} mails, priority {f['priority']:.1%}, "
              f"category {f['category']:.1%}"
              + ("  (the model was trained on this file: this says nothing about unseen "
                 "mail)" if f["trained_on"] else ""))
    t = out["total"]
    print(f"all: {t['mails']} mails, priority {t['priority']:.1%}, category {t['category']:.1%}")
    _table("priority", PRIORITIES, confusion["priority"])
    if args.misses:
        for m in misses:
            print(f"  {m['id']} {m['question']}: want {m['want']}, got {m['got']}  "
                  f"{m['subject']}")
    return 0


def _table(question: str, labels: tuple[str, ...], counts: Counter[tuple[str, str]]) -> None:
    print(f"{question}: rows are the label, columns what maild gave")
    print("      " + "".join(f"{g:>6}" for g in labels))
    for w in labels:
        print(f"{w:>6}" + "".join(f"{counts[(w, g)]:>6}" for g in labels))


def handle_export(args: argparse.Namespace) -> int:
    import sys
    from zoneinfo import ZoneInfo

    from maild.commands.common import App
    from maild.corrected import labelled

    app = App.load(args).ready()
    since = None
    if args.since:
        try:
            day = datetime.fromisoformat(args.since)
        except ValueError:
            raise MaildError(f"--since: not a date {args.since!r} (use YYYY-MM-DD)") from None
        since = day.replace(tzinfo=day.tzinfo or ZoneInfo(app.settings.support.timezone))
    with app.sessions() as s:
        lines = [json.dumps(r, ensure_ascii=False) + "\n" for r in labelled(s, since)]
    if args.out is None:
        sys.stdout.writelines(lines)
    else:
        try:
            args.out.write_text("".join(lines), encoding="utf-8")
        except OSError as e:
            raise MaildError(f"cannot write {args.out}: {e.strerror}") from e
        print(f"wrote {len(lines)} labelled mails to {args.out}", file=sys.stderr)
    return 0
