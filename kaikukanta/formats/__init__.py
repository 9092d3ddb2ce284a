"""Date formats per language (FORMAT_MODULE_PATH): the Finnish way, 27.11.2026, in all three."""
