"""Small Sphinx extensions the book's ``_config.yml`` loads; nothing here trains or reads records."""
