"""The database: engine and transactions (`engine`), tables (`models`), migrations."""
