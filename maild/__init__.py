"""maild: the email channel of a technical-support desk.

Mail comes in (IMAP, Maildir, MTA pipe), is stored raw, parsed, triaged into a ticket and
acknowledged through an outbox; see README.md for the whole story.
"""

__version__ = "0.1.0"
