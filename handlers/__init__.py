"""One module per conversation feature, all written against bot.core.engine.Context."""
