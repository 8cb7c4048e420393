"""Files under `storage.path`: raw mail, attachments, and the incoming journal."""
