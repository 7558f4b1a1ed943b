"""One module per conversation feature, all written against bot.engine.Context."""
