"""Sources: where mail comes from (Maildir, IMAP; the MTA pipe is `maild ingest`)."""
