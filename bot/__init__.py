"""antt-bot: daily field reports for grassroots security teams."""
