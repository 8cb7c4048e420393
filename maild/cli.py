"""The `maild` command line: parses arguments, loads the config once, runs one command.

Exit status (CONTRACT.md): 0 ok, 1 the work failed, 2 usage or configuration error,
75 `ingest` could not store the mail durably (the MTA retries).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from maild import __version__
from maild.commands import COMMANDS
from maild.errors import ConfigError, MaildError, NotFound, StorageUnavailable
from maild.observe import setup_logging

EX_OK, EX_FAIL, EX_USAGE, EX_TEMPFAIL = 0, 1, 2, 75


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="maild", description="maild: support mail in, tickets out, acknowledged at once."
    )
    p.add_argument("--version", action="version", version=f"maild {__version__}")
    p.add_argument(
        "--config",
        metavar="PATH",
        help="config file (default: $MAILD_CONFIG, ./maild.toml, /etc/maild/maild.toml)",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log debug messages to stderr")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMANDS:
        module.register(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    setup_logging(args.verbose)
    try:
        code: int = args.handler(args)
        return code
    except BrokenPipeError:
        # `maild tickets list | head`: the reader left; not an error of ours
        sys.stderr.close()
        return EX_OK
    except ConfigError as e:
        print(f"maild: config error in {e.path}: {'; '.join(e.problems)}", file=sys.stderr)
        return EX_USAGE
    except StorageUnavailable as e:
        print(f"maild: {e}", file=sys.stderr)
        return EX_TEMPFAIL if args.command == "ingest" else EX_FAIL
    except NotFound as e:
        print(f"maild: {e}", file=sys.stderr)
        return EX_FAIL
    except MaildError as e:
        print(f"maild: {e}", file=sys.stderr)
        return EX_FAIL
    except KeyboardInterrupt:
        return 130
