"""A minimal python-telegram-bot bot that proves the e2e harness (not part of the product).

Run as the real bot will be: a separate process, token from ANTT_TELEGRAM_TOKEN, API base from
SMOKE_BASE_URL (the emulator's root URL, like config.toml's telegram.base_url).

- /start: a greeting with two inline buttons; pressing one answers the callback and edits the
  greeting; "Count" also sends a new message with this process's count of presses.
- /doc: sends a small text document.
- a photo: the bot downloads it and says how many bytes it got.
- any other text: echoed back as "echo: <text>".
"""

from __future__ import annotations

import os

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

presses = 0


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.effective_user is not None
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Say hi", callback_data="hi"),
                InlineKeyboardButton("Count", callback_data="count"),
            ]
        ]
    )
    await update.message.reply_text(
        f"Hello <b>{update.effective_user.first_name}</b>!",
        parse_mode="HTML",
        reply_markup=keyboard,
    )


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    global presses
    query = update.callback_query
    assert query is not None
    presses += 1
    await query.answer(f"pressed {query.data}")
    await query.edit_message_text(f"You pressed {query.data}")
    if query.data == "count" and query.message is not None:
        await context.bot.send_message(query.message.chat.id, f"presses in this process: {presses}")


async def doc(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_document(b"report,1\n", filename="report.csv", caption="your report")


async def photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.photo
    file = await update.message.photo[-1].get_file()
    data = await file.download_as_bytearray()
    await update.message.reply_text(f"got a photo of {len(data)} bytes")


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_text(f"echo: {update.message.text}")


async def post_init(app: Application) -> None:
    await app.bot.set_my_commands([("start", "Start"), ("doc", "A document")])
    print(f"smoke bot polling as @{app.bot.username}, pid {os.getpid()}", flush=True)


def main() -> None:
    token = os.environ["ANTT_TELEGRAM_TOKEN"]
    base = os.environ["SMOKE_BASE_URL"].rstrip("/")
    app = (
        Application.builder()
        .token(token)
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .post_init(post_init)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("doc", doc))
    app.add_handler(CallbackQueryHandler(button))
    app.add_handler(MessageHandler(filters.PHOTO, photo))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.run_polling(poll_interval=0.0, timeout=2, allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
