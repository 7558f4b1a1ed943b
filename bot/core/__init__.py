"""The shared core: message model, dialog engine, clock, configuration, texts, parsing, roles."""
