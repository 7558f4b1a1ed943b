"""The bot's web server: personal links to the files it makes, and pages for those who steer.

Enabled by `[web] public_url`. One aiohttp server in the bot's own process serves it, and
takes Zalo's webhook too when Zalo runs in webhook mode (bot/web/server.py).
"""
