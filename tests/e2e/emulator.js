#!/usr/bin/env node
/*
 * Launcher for the telegram-test-api@4.2.1 emulator used by the e2e tests.
 *
 *   node emulator.js PORT        (PORT 0 = let the OS choose)
 *
 * Prints "READY port=<n>" on stdout once it listens on 127.0.0.1, and exits cleanly on SIGTERM,
 * on SIGINT, and, with EMULATOR_EXIT_ON_STDIN_EOF=1, when its stdin closes (the fixture sets it,
 * so the emulator never outlives the pytest process that started it).
 *
 * Why a Node launcher and not a Python reverse proxy: the quirks below live in the emulator's
 * own data (timestamps it stores, objects it builds, updates it forgets). A proxy would have to
 * parse and rewrite every request and response in both directions and still could not change
 * what the emulator keeps in memory; patching at the source is a few dozen lines in one place.
 *
 * The package is loaded from tests/e2e/.emulator/node_modules (installed by conftest.py), or
 * from the directory in TELEGRAM_TEST_API_DIR.
 *
 * What is adapted, and why (each block below is marked "QUIRK n"):
 *   1. getMe omits is_bot (and can_join_groups ...): python-telegram-bot refuses the User.
 *   2. Bot messages come back with `date` in milliseconds; edit* and answerCallbackQuery answer
 *      `result: null`, which python-telegram-bot cannot turn into a Message.
 *   3. Callback queries omit `chat_instance` (required by python-telegram-bot).
 *   4. getUpdates ignores `offset` and `timeout`: an update is forgotten as soon as it has been
 *      returned once, so a bot killed between fetching and handling loses it. Real Telegram keeps
 *      an update until a later getUpdates confirms it with offset > update_id, and long-polls.
 *      Both are reproduced here, so crash/restart tests see real redelivery.
 *   5. Edits and deletions of bot messages were invisible to the client side. Here an edited or
 *      deleted bot message is flagged (`edited` / `deleted`) and marked unread again, so the
 *      client's POST /getUpdates returns its new state.
 *   6. editMessageText without reply_markup kept the old inline keyboard; on Telegram it removes
 *      it. editMessageReplyMarkup without reply_markup was ignored; on Telegram it removes it.
 *   7. Telegram's checks that catch real bot bugs and that the emulator skipped: message text
 *      empty or over 4096 characters, caption over 1024, callback_data over 64 bytes, "message is
 *      not modified", editing or deleting a message that does not exist, answering a callback
 *      query twice. They answer 400 with Telegram's wording.
 *   8. Unknown methods answered HTTP 500. Harmless set-up methods (setMyCommands, sendChatAction
 *      ...) are accepted and recorded; files (sendDocument, sendPhoto, getFile and downloads) are
 *      emulated in memory. Anything else still answers 500 and is reported on stderr.
 *   9. Client-side posts were not awaited: a post without botToken crashed the emulator with an
 *      unhandled rejection. Here they answer 400 instead and return the ids they were given.
 *  10. Stored messages were dropped after 60 s (storeTimeout); raised to an hour.
 *
 * Extra harness-only routes (never called by a bot):
 *   POST /harness/calls {token, method?, since?}   the bot API calls made with that token
 *   POST /harness/callbackAnswer {callbackQueryId}  how the bot answered a callback query
 *   POST /harness/upload {token, filename, mimeType, dataBase64}  a user's file -> file meta
 *   GET  /harness/files/:fileId                     the bytes of any stored file
 */
'use strict';

const crypto = require('crypto');
const path = require('path');

const MODULE_DIR = process.env.TELEGRAM_TEST_API_DIR
  || path.join(__dirname, '.emulator', 'node_modules', 'telegram-test-api');
const TelegramServer = require(MODULE_DIR);
// Same module instance the server reads its route list from at construction time.
const { routes } = require(path.join(MODULE_DIR, 'lib', 'routes', 'index.js'));

const MAX_TEXT = 4096;
const MAX_CAPTION = 1024;
const MAX_CALLBACK_DATA_BYTES = 64;
const MAX_LONG_POLL_S = 50;
const MAX_CALL_LOG = 50000;

class TelegramError extends Error {
  constructor(code, description) {
    super(description);
    this.code = code;
  }
}
const badRequest = (what) => new TelegramError(400, `Bad Request: ${what}`);

const harness = {
  calls: [], // {seq, time, token, method, params}
  callSeq: 0,
  callbackAnswers: new Map(), // callback_query_id -> answer params
  commands: new Map(), // token -> BotCommand[]
  files: new Map(), // file_id -> {meta, data, token}
  fileSeq: 1,
  waiters: new Set(), // pending long polls, released on shutdown
};

// ---------------------------------------------------------------- helpers

const JSON_PARAMS = [
  'reply_markup', 'entities', 'caption_entities', 'link_preview_options', 'reply_parameters',
  'commands', 'scope', 'allowed_updates', 'menu_button',
];

/** python-telegram-bot posts form fields with JSON-encoded objects; decode the known ones. */
function decodeParams(params) {
  const out = { ...params };
  for (const key of JSON_PARAMS) {
    if (typeof out[key] === 'string') {
      try {
        out[key] = JSON.parse(out[key]);
      } catch (_e) {
        throw badRequest(`can't parse ${key} JSON object`);
      }
    }
  }
  return out;
}

function botUser(token) {
  // QUIRK 1: getMe lacked is_bot and the capability flags. The id is the token's numeric
  // prefix, as on Telegram, so two bots on one emulator differ.
  const m = /^(\d+):/.exec(token);
  return {
    id: m ? Number(m[1]) : 666,
    is_bot: true,
    first_name: 'Test First name',
    username: 'TestNameBot',
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
  };
}

const toSeconds = (t) => (t > 1e11 ? Math.floor(t / 1000) : t);

function plainLength(text, parseMode) {
  let t = String(text);
  if (String(parseMode || '').toUpperCase() === 'HTML') {
    t = t.replace(/<[^>]*>/g, '').replace(/&(lt|gt|amp|quot|#\d+|#x[0-9a-f]+);/gi, '_');
  }
  return t.length; // UTF-16 code units, as Telegram counts
}

function checkText(text, parseMode) {
  if (text === undefined || text === null || String(text).trim() === '') {
    throw badRequest('message text is empty');
  }
  if (plainLength(text, parseMode) > MAX_TEXT) throw badRequest('message is too long');
}

function checkCaption(caption, parseMode) {
  if (caption !== undefined && plainLength(caption, parseMode) > MAX_CAPTION) {
    throw badRequest('message caption is too long');
  }
}

function checkMarkup(markup) {
  if (!markup || typeof markup !== 'object' || !Array.isArray(markup.inline_keyboard)) return;
  for (const row of markup.inline_keyboard) {
    for (const button of row) {
      if (!button || typeof button.text !== 'string' || button.text === '') {
        throw badRequest('text buttons are unallowed in the inline keyboard');
      }
      if ('callback_data' in button) {
        const size = Buffer.byteLength(String(button.callback_data), 'utf8');
        if (size < 1 || size > MAX_CALLBACK_DATA_BYTES) throw badRequest('BUTTON_DATA_INVALID');
      }
    }
  }
}

const inlineOnly = (markup) => (markup && typeof markup === 'object' && 'inline_keyboard' in markup
  ? markup : undefined);

function findBotEntry(server, token, chatId, messageId) {
  return server.storage.botMessages.find((u) => u.botToken === token
    && String(u.messageId) === String(messageId)
    && String(u.message.chat_id) === String(chatId));
}

/** The chat object Telegram would show for chatId: built from that user's last update. */
function chatFor(server, token, chatId) {
  const id = Number(chatId);
  for (let i = server.storage.userMessages.length - 1; i >= 0; i--) {
    const u = server.storage.userMessages[i];
    if (u.botToken !== token) continue;
    const chat = u.message ? u.message.chat : u.callbackQuery && u.callbackQuery.message
      && u.callbackQuery.message.chat;
    if (chat && Number(chat.id) === id) return { ...chat, id };
  }
  return id < 0 ? { id, type: 'group', title: 'Test group' }
    : { id, type: 'private', first_name: 'User' };
}

/** The Message object Telegram would return for a stored bot message. */
function apiMessage(server, token, entry) {
  const m = entry.message;
  const out = {
    message_id: entry.messageId,
    from: botUser(token),
    chat: chatFor(server, token, m.chat_id),
    // QUIRK 2: the emulator answered with milliseconds; Telegram uses Unix seconds.
    date: toSeconds(entry.time),
  };
  if (entry.editTime) out.edit_date = toSeconds(entry.editTime);
  for (const key of ['text', 'entities', 'caption', 'caption_entities', 'document', 'photo']) {
    if (m[key] !== undefined) out[key] = m[key];
  }
  const markup = inlineOnly(m.reply_markup);
  if (markup) out.reply_markup = markup;
  return out;
}

function markChanged(entry) {
  // QUIRK 5: make the new state visible to the client's POST /getUpdates.
  entry.isRead = false;
}

function storeFile(token, kind, name, mimeType, data) {
  const n = harness.fileSeq++;
  const fileId = `F${n}-${crypto.randomBytes(6).toString('hex')}`;
  const ext = path.extname(name || '') || (kind === 'photos' ? '.jpg' : '');
  const meta = {
    file_id: fileId,
    file_unique_id: `U${n}`,
    file_size: data.length,
    file_path: `${kind}/file_${n}${ext}`,
  };
  if (name) meta.file_name = name;
  if (mimeType) meta.mime_type = mimeType;
  harness.files.set(fileId, { meta, data, token });
  return meta;
}

async function readMultipart(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const form = await new Response(Buffer.concat(chunks), {
    headers: { 'content-type': req.headers['content-type'] },
  }).formData();
  const params = {};
  const uploads = {};
  for (const [key, value] of form) {
    if (typeof value === 'string') {
      params[key] = value;
    } else {
      uploads[key] = {
        name: value.name, type: value.type, data: Buffer.from(await value.arrayBuffer()),
      };
    }
  }
  return { params, uploads };
}

// ---------------------------------------------------------------- bot API (token in URL)

function installBotRoutes(app, server) {
  // Every bot call goes through here first: recorded for /harness/calls.
  app.all('/bot:token/:method', (req, res, next) => {
    const entry = {
      seq: ++harness.callSeq,
      time: Date.now() / 1000,
      token: req.params.token,
      method: req.params.method,
      params: { ...req.query, ...(req.body || {}) },
    };
    harness.calls.push(entry);
    if (harness.calls.length > MAX_CALL_LOG) harness.calls.splice(0, harness.calls.length / 2);
    req.harnessCall = entry;
    next();
  });

  const handle = (method, fn) => {
    app.all(`/bot:token/${method}`, async (req, res) => {
      const { token } = req.params;
      try {
        let params = { ...req.query, ...(req.body || {}) };
        let uploads = {};
        if (String(req.headers['content-type'] || '').startsWith('multipart/form-data')) {
          ({ params, uploads } = await readMultipart(req));
          req.harnessCall.params = { ...params, ...Object.fromEntries(
            Object.entries(uploads).map(([k, v]) => [k, `<file ${v.name} ${v.data.length}B>`])) };
        }
        const result = await fn(decodeParams(params), token, { req, res, uploads });
        res.json({ ok: true, result });
      } catch (error) {
        if (error instanceof TelegramError) {
          res.status(error.code).json({ ok: false, error_code: error.code, description: error.message });
        } else {
          process.stderr.write(`emulator: ${method} failed: ${error && error.stack}\n`);
          res.status(500).json({ ok: false, error_code: 500, description: String(error) });
        }
      }
    });
  };

  handle('getMe', (_p, token) => botUser(token));

  // QUIRK 4: getUpdates with Telegram's offset confirmation and long polling.
  handle('getUpdates', async (p, token, { res }) => {
    const offset = Number(p.offset || 0);
    const limit = Math.min(Math.max(Number(p.limit || 100), 1), 100);
    const timeout = Math.min(Math.max(Number(p.timeout || 0), 0), MAX_LONG_POLL_S);
    const own = (u) => u.botToken === token;
    if (offset > 0) {
      for (const u of server.storage.userMessages) {
        if (own(u) && u.updateId < offset) u.confirmed = true;
      }
    }
    const pending = () => server.storage.userMessages
      .filter((u) => own(u) && !u.confirmed && !(offset > 0 && u.updateId < offset))
      .sort((a, b) => a.updateId - b.updateId)
      .slice(0, limit);
    let found = pending();
    if (found.length === 0 && timeout > 0) {
      await new Promise((resolve) => {
        const events = ['AddedUserMessage', 'AddedUserCommand', 'AddedUserCallbackQuery'];
        let timer = null;
        const done = () => {
          clearTimeout(timer);
          for (const e of events) server.off(e, done);
          harness.waiters.delete(done);
          resolve();
        };
        timer = setTimeout(done, timeout * 1000);
        for (const e of events) server.on(e, done);
        harness.waiters.add(done);
        res.on('close', done);
      });
      found = pending();
    }
    return found.map((u) => {
      u.isRead = true;
      return TelegramServer.formatUpdate(u);
    });
  });

  handle('sendMessage', (p, token) => {
    checkText(p.text, p.parse_mode);
    checkMarkup(p.reply_markup);
    const msg = server.addBotMessage(p, token);
    return apiMessage(server, token, findBotEntry(server, token, p.chat_id, msg.message_id));
  });

  const sendFile = (field, kind) => (p, token, { uploads }) => {
    checkCaption(p.caption, p.parse_mode);
    checkMarkup(p.reply_markup);
    let meta;
    if (uploads[field]) {
      const up = uploads[field];
      meta = storeFile(token, kind, up.name, up.type, up.data);
    } else if (typeof p[field] === 'string' && harness.files.has(p[field])) {
      meta = harness.files.get(p[field]).meta;
    } else {
      throw badRequest('wrong file identifier/HTTP URL specified');
    }
    const body = { ...p };
    delete body[field];
    if (kind === 'photos') {
      body.photo = [{
        file_id: meta.file_id, file_unique_id: meta.file_unique_id, file_size: meta.file_size,
        width: 1, height: 1,
      }];
    } else {
      body.document = { ...meta };
      delete body.document.file_path;
    }
    const msg = server.addBotMessage(body, token);
    return apiMessage(server, token, findBotEntry(server, token, p.chat_id, msg.message_id));
  };
  handle('sendDocument', sendFile('document', 'documents'));
  handle('sendPhoto', sendFile('photo', 'photos'));

  handle('getFile', (p) => {
    const file = harness.files.get(String(p.file_id));
    if (!file) throw badRequest('invalid file_id');
    return { ...file.meta };
  });

  const editTarget = (p, token) => {
    if (p.inline_message_id) throw badRequest('inline messages are not emulated');
    const entry = findBotEntry(server, token, p.chat_id, p.message_id);
    if (!entry || entry.deleted) throw badRequest('message to edit not found');
    return entry;
  };
  const notModified = () => badRequest('message is not modified: specified new message content '
    + 'and reply markup are exactly the same as a current content and reply markup of the message');
  const sameJson = (a, b) => JSON.stringify(a || null) === JSON.stringify(b || null);

  // QUIRK 2 + 6 + 7: edits return the Message, replace the keyboard, and check as Telegram does.
  handle('editMessageText', (p, token) => {
    const entry = editTarget(p, token);
    checkText(p.text, p.parse_mode);
    checkMarkup(p.reply_markup);
    const markup = inlineOnly(p.reply_markup);
    const old = entry.message;
    if (old.text === p.text && sameJson(inlineOnly(old.reply_markup), markup)
        && (old.parse_mode || '') === (p.parse_mode || '')) {
      throw notModified();
    }
    entry.message = {
      ...old, text: p.text, parse_mode: p.parse_mode, entities: p.entities, reply_markup: markup,
    };
    entry.edited = true;
    entry.editTime = Date.now();
    markChanged(entry);
    server.emit('EditedMessageText');
    return apiMessage(server, token, entry);
  });

  handle('editMessageCaption', (p, token) => {
    const entry = editTarget(p, token);
    checkCaption(p.caption, p.parse_mode);
    checkMarkup(p.reply_markup);
    const markup = inlineOnly(p.reply_markup);
    const old = entry.message;
    if (old.caption === p.caption && sameJson(inlineOnly(old.reply_markup), markup)) {
      throw notModified();
    }
    entry.message = { ...old, caption: p.caption, parse_mode: p.parse_mode, reply_markup: markup };
    entry.edited = true;
    entry.editTime = Date.now();
    markChanged(entry);
    return apiMessage(server, token, entry);
  });

  handle('editMessageReplyMarkup', (p, token) => {
    const entry = editTarget(p, token);
    checkMarkup(p.reply_markup);
    const markup = inlineOnly(p.reply_markup);
    if (sameJson(inlineOnly(entry.message.reply_markup), markup)) throw notModified();
    entry.message = { ...entry.message, reply_markup: markup };
    entry.edited = true;
    entry.editTime = Date.now();
    markChanged(entry);
    server.emit('EditedMessageReplyMarkup');
    return apiMessage(server, token, entry);
  });

  handle('deleteMessage', (p, token) => {
    const entry = findBotEntry(server, token, p.chat_id, p.message_id);
    if (entry && !entry.deleted) {
      entry.deleted = true;
      markChanged(entry);
      return true;
    }
    const user = server.storage.userMessages.find((u) => u.botToken === token && u.message
      && !u.deleted && String(u.messageId) === String(p.message_id)
      && String(u.message.chat && u.message.chat.id) === String(p.chat_id));
    if (!user) throw badRequest('message to delete not found');
    user.deleted = true;
    return true;
  });

  handle('answerCallbackQuery', (p, token) => {
    const id = String(p.callback_query_id);
    const known = server.storage.userMessages.some((u) => u.botToken === token
      && u.callbackQuery && String(u.callbackId) === id);
    if (!known || harness.callbackAnswers.has(id)) {
      throw badRequest('query is too old and response timeout expired or query ID is invalid');
    }
    harness.callbackAnswers.set(id, {
      text: p.text, show_alert: String(p.show_alert) === 'true', url: p.url, time: Date.now() / 1000,
    });
    return true;
  });

  // QUIRK 8: set-up methods a bot calls at start-up; accepted and recorded.
  handle('setMyCommands', (p, token) => {
    harness.commands.set(token, p.commands || []);
    return true;
  });
  handle('getMyCommands', (_p, token) => harness.commands.get(token) || []);
  handle('deleteMyCommands', (_p, token) => {
    harness.commands.delete(token);
    return true;
  });
  for (const method of ['setMyDescription', 'setMyShortDescription', 'setMyName',
    'setChatMenuButton', 'setMyDefaultAdministratorRights', 'sendChatAction']) {
    handle(method, () => true);
  }

  // Downloads of stored files, as https://api.telegram.org/file/bot<token>/<file_path>.
  app.get('/file/bot:token/*', (req, res) => {
    const wanted = req.params[0];
    for (const file of harness.files.values()) {
      if (file.meta.file_path === wanted) {
        res.type(file.meta.mime_type || 'application/octet-stream').send(file.data);
        return;
      }
    }
    res.status(404).json({ ok: false, error_code: 404, description: 'Not Found' });
  });

  // Methods the stock emulator implements itself after this point; anything else answers 500.
  const stockMethods = new Set(['deleteMessage', 'getUpdates', 'answerCallbackQuery', 'getMe',
    'editMessageText', 'editMessageReplyMarkup', 'sendMessage', 'setWebhook', 'deleteWebhook']);
  app.all('/bot:token/:method', (req, _res, next) => {
    if (stockMethods.has(req.params.method)) {
      next();
      return;
    }
    const bot = String(req.params.token).split(':')[0];
    process.stderr.write(`emulator: UNSUPPORTED bot method ${req.params.method} called by bot ${bot}`
      + ' (answered HTTP 500)\n');
    next();
  });
}

// ---------------------------------------------------------------- client side and harness

function installClientRoutes(app, server) {
  // QUIRK 9: await the emulator's own handlers and answer with the ids assigned.
  const post = (route, fn) => {
    app.post(route, async (req, res) => {
      const body = req.body || {};
      if (!body.botToken && !body.token && route.startsWith('/send')) {
        res.status(400).json({ ok: false, description: 'botToken is required' });
        return;
      }
      try {
        res.json({ ok: true, result: await fn(body) });
      } catch (error) {
        res.status(400).json({ ok: false, description: String(error && error.message) });
      }
    });
  };
  const userMessage = (add) => async (body) => {
    const message = { ...body, date: toSeconds(body.date || Date.now()) };
    const ids = { update_id: server.updateId, message_id: server.messageId };
    await add(message);
    return ids;
  };
  post('/sendMessage', userMessage((m) => server.addUserMessage(m)));
  post('/sendCommand', userMessage((m) => server.addUserCommand(m)));
  post('/sendCallback', async (body) => {
    const query = { ...body };
    if (query.message) query.message = { ...query.message, date: toSeconds(query.message.date) };
    const ids = { update_id: server.updateId, callback_query_id: String(server.callbackId) };
    await server.addUserCallback(query);
    return ids;
  });

  post('/harness/calls', (body) => harness.calls.filter((c) => (!body.token || c.token === body.token)
    && (!body.method || c.method === body.method)
    && (!body.since || c.time >= Number(body.since))));
  post('/harness/callbackAnswer', (body) => harness.callbackAnswers.get(String(body.callbackQueryId))
    || null);
  post('/harness/upload', (body) => {
    const kind = String(body.mimeType || '').startsWith('image/') ? 'photos' : 'documents';
    return storeFile(body.token, kind, body.filename, body.mimeType,
      Buffer.from(String(body.dataBase64 || ''), 'base64'));
  });
  app.get('/harness/files/:fileId', (req, res) => {
    const file = harness.files.get(req.params.fileId);
    if (!file) {
      res.status(404).json({ ok: false, description: 'no such file' });
      return;
    }
    res.type(file.meta.mime_type || 'application/octet-stream').send(file.data);
  });
  app.get('/harness/health', (_req, res) => res.json({ ok: true }));
}

// QUIRK 3: callback queries get chat_instance; user messages lose the emulator's botToken field.
const originalFormatUpdate = TelegramServer.formatUpdate;
TelegramServer.formatUpdate = (update) => {
  const out = originalFormatUpdate(update);
  if (out.callback_query) {
    const msg = out.callback_query.message;
    out.callback_query.chat_instance = String(msg && msg.chat ? msg.chat.id : out.callback_query.from.id);
  }
  if (out.message) delete out.message.botToken;
  return out;
};

// ---------------------------------------------------------------- start and stop

async function main() {
  const port = Number(process.argv[2] || 0);
  // Registered before the emulator's own routes, so these win where both match.
  routes.unshift(installClientRoutes, installBotRoutes);
  const server = new TelegramServer({ host: '127.0.0.1', port: port || 9000, storeTimeout: 3600 });
  server.setMaxListeners(0);
  server.config.port = port; // 0 -> an ephemeral port (normalizeConfig turns 0 into 9000)

  let stopping = false;
  const shutdown = async (why) => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(0), 2000).unref();
    for (const done of [...harness.waiters]) done();
    try {
      await server.stop();
    } catch (error) {
      process.stderr.write(`emulator: stop after ${why} failed: ${error}\n`);
    }
    process.exit(0);
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('unhandledRejection', (error) => {
    process.stderr.write(`emulator: unhandled rejection: ${error && error.stack}\n`);
  });
  if (process.env.EMULATOR_EXIT_ON_STDIN_EOF === '1') {
    // The test fixture holds our stdin open; EOF means it is gone, even after a SIGKILL.
    process.stdin.on('end', () => shutdown('stdin closed'));
    process.stdin.on('error', () => shutdown('stdin error'));
    process.stdin.resume();
  }

  await server.start();
  process.stdout.write(`READY port=${server.server.address().port}\n`);
}

main().catch((error) => {
  process.stderr.write(`emulator: failed to start: ${error && error.stack}\n`);
  process.exit(1);
});
