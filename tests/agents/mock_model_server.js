#!/usr/bin/env node
// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
//
// A mock model server for the tests that drive real agent CLIs (label `agents`): the Anthropic
// Messages API (streaming and not), the OpenAI Responses API (streaming) and Gemini's
// generateContent, on 127.0.0.1 only. No dependency beyond Node's own modules.
//
//   node mock_model_server.js --port-file F [--log L] [--idle-seconds N] [--parent-pid P]
//
// It writes its port to F once it listens, appends one JSON line per model request to L, and
// exits by itself after N seconds without a request (default 300), or once process P (the
// test that started it) is gone.
//
// What it answers is scripted by the request's own text (the task's prompt), so that each
// agent of a plan can be told what to do:
//
//   mock-write PATH WORD    first turn: a tool call Write {file_path: <work dir>/PATH, content: WORD};
//                           the turn after the tool's result: a final text
//   mock-bash WORD          first turn: a tool call Bash {command: "echo WORD > bash.txt"}
//   mock-status CODE N KEY  the first N requests carrying KEY get HTTP CODE (429, 529, 401, 400)
//                           with the provider's error body (and `retry-after: 1` on 429/529)
//   mock-slow MS            waits MS milliseconds before answering
//
// Without a directive a request gets a final text. Every turn reports the same usage
// (input 100, output 20, cache creation 50, cache read 1000), so a test can check the sums.
'use strict';

const http = require('http');
const fs = require('fs');

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const portFile = option('--port-file', null);
const logFile = option('--log', null);
const idleSeconds = Number(option('--idle-seconds', '300'));
const parentPid = Number(option('--parent-pid', '0'));
if (!portFile) {
  process.stderr.write('mock_model_server: --port-file is required\n');
  process.exit(2);
}

const usage = { input_tokens: 100, output_tokens: 20, cache_creation_input_tokens: 50, cache_read_input_tokens: 1000 };
const faultsSeen = new Map(); // KEY -> requests answered with its fault so far

function log(entry) {
  if (!logFile) return;
  fs.appendFileSync(logFile, JSON.stringify({ ms: Date.now(), ...entry }) + '\n');
}

function directive(text, name) {
  const m = text.match(new RegExp(name + ' ([^\\s"\\\\]+)(?: ([^\\s"\\\\]+))?(?: ([^\\s"\\\\]+))?'));
  return m ? m.slice(1) : null;
}

function workDir(text) {
  const m = text.match(/(?:Primary working directory|CWD): ([^\s"\\]+)/);
  return m ? m[1] : process.cwd();
}

// What to do with a request whose whole body is `text`: a fault, a tool call or a final text.
function plan(text) {
  const status = directive(text, 'mock-status');
  if (status) {
    const [code, times, key] = status;
    const seen = faultsSeen.get(key) || 0;
    if (seen < Number(times)) {
      faultsSeen.set(key, seen + 1);
      return { fault: Number(code), key };
    }
  }
  const answered = text.includes('tool_result') || text.includes('function_call_output') ||
                   text.includes('functionResponse');
  const write = directive(text, 'mock-write');
  if (write && !answered) {
    const path = workDir(text) + '/' + write[0];
    return { tool: 'Write', input: { file_path: path, content: write[1] + '\n' } };
  }
  const bash = directive(text, 'mock-bash');
  if (bash && !answered) {
    return { tool: 'Bash', input: { command: 'echo ' + bash[0] + ' > bash.txt', description: 'write bash.txt' } };
  }
  return { text: 'mock: done' };
}

const anthropicErrors = {
  429: ['rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit'],
  529: ['overloaded_error', 'Overloaded'],
  401: ['authentication_error', 'invalid x-api-key'],
  400: ['invalid_request_error', 'prompt is too long'],
};

function sendFault(res, code, shape) {
  const headers = { 'content-type': 'application/json' };
  if (code === 429 || code === 529) headers['retry-after'] = '1';
  res.writeHead(code, headers);
  const [type, message] = anthropicErrors[code] || ['api_error', 'error'];
  if (shape === 'anthropic') res.end(JSON.stringify({ type: 'error', error: { type, message } }));
  else if (shape === 'openai') res.end(JSON.stringify({ error: { type, code: type, message } }));
  else res.end(JSON.stringify({ error: { code, message, status: code === 429 ? 'RESOURCE_EXHAUSTED' : 'UNAVAILABLE' } }));
}

// --- Anthropic Messages API ------------------------------------------------------------------

function sse(res, events) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const [event, data] of events) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  res.end();
}

let ids = 0;
function anthropic(res, body, what) {
  const id = `msg_mock_${++ids}`;
  const model = body.model || 'mock';
  const content = what.tool
    ? [{ type: 'tool_use', id: `toolu_mock_${ids}`, name: what.tool, input: what.input }]
    : [{ type: 'text', text: what.text }];
  const stop = what.tool ? 'tool_use' : 'end_turn';
  if (!body.stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id, type: 'message', role: 'assistant', model, content, stop_reason: stop,
                             stop_sequence: null, usage }));
    return;
  }
  const events = [['message_start', { type: 'message_start', message: { id, type: 'message', role: 'assistant', model,
    content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } } }]];
  if (what.tool) {
    events.push(['content_block_start', { type: 'content_block_start', index: 0,
      content_block: { type: 'tool_use', id: content[0].id, name: what.tool, input: {} } }]);
    const json = JSON.stringify(what.input);
    const half = Math.floor(json.length / 2);
    for (const part of [json.slice(0, half), json.slice(half)]) {
      events.push(['content_block_delta', { type: 'content_block_delta', index: 0,
        delta: { type: 'input_json_delta', partial_json: part } }]);
    }
  } else {
    events.push(['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }]);
    events.push(['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: what.text } }]);
  }
  events.push(['content_block_stop', { type: 'content_block_stop', index: 0 }]);
  events.push(['message_delta', { type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null },
    usage: { output_tokens: usage.output_tokens } }]);
  events.push(['message_stop', { type: 'message_stop' }]);
  sse(res, events);
}

// --- OpenAI Responses API (codex) ------------------------------------------------------------

function openai(res, body, what) {
  const id = `resp_mock_${++ids}`;
  const u = { input_tokens: usage.input_tokens + usage.cache_read_input_tokens,
              input_tokens_details: { cached_tokens: usage.cache_read_input_tokens },
              output_tokens: usage.output_tokens, output_tokens_details: { reasoning_tokens: 0 },
              total_tokens: usage.input_tokens + usage.cache_read_input_tokens + usage.output_tokens };
  const item = { id: `msg_${ids}`, type: 'message', role: 'assistant', status: 'completed',
                 content: [{ type: 'output_text', text: what.text || 'mock: done', annotations: [] }] };
  const response = { id, object: 'response', status: 'completed', model: body.model || 'mock', output: [item], usage: u };
  if (!body.stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(response));
    return;
  }
  sse(res, [
    ['response.created', { type: 'response.created', response: { ...response, status: 'in_progress', output: [] } }],
    ['response.output_item.added', { type: 'response.output_item.added', output_index: 0, item: { ...item, content: [] } }],
    ['response.output_text.delta', { type: 'response.output_text.delta', item_id: item.id, output_index: 0,
      content_index: 0, delta: item.content[0].text }],
    ['response.output_item.done', { type: 'response.output_item.done', output_index: 0, item }],
    ['response.completed', { type: 'response.completed', response }],
  ]);
}

// --- Gemini generateContent ------------------------------------------------------------------

function gemini(res, url, what) {
  const payload = {
    candidates: [{ content: { role: 'model', parts: [{ text: what.text || 'mock: done' }] }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { promptTokenCount: usage.input_tokens + usage.cache_read_input_tokens,
                     cachedContentTokenCount: usage.cache_read_input_tokens,
                     candidatesTokenCount: usage.output_tokens,
                     totalTokenCount: usage.input_tokens + usage.cache_read_input_tokens + usage.output_tokens },
    modelVersion: 'mock',
  };
  if (url.includes('streamGenerateContent')) {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(`data: ${JSON.stringify(payload)}\r\n\r\n`);
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(payload));
}

// --- the server ------------------------------------------------------------------------------

let idle = null;
function stayAwake() {
  if (idle) clearTimeout(idle);
  idle = setTimeout(() => process.exit(0), idleSeconds * 1000);
}

const server = http.createServer((req, res) => {
  if (req.headers.upgrade) log({ api: 'upgrade', url: req.url || '', upgrade: req.headers.upgrade });
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    stayAwake();
    const text = Buffer.concat(chunks).toString('utf8');
    const url = req.url || '';
    let shape = null;
    if (req.method === 'POST' && /\/v1\/messages(\?|$)/.test(url)) shape = 'anthropic';
    else if (req.method === 'POST' && /\/responses(\?|$)/.test(url)) shape = 'openai';
    else if (req.method === 'POST' && /:(stream)?[gG]enerateContent/.test(url)) shape = 'gemini';
    if (!shape) {  // HEAD /api/hello, token counts, telemetry: an empty success
      log({ api: 'other', method: req.method, url });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(url.includes('count_tokens') ? JSON.stringify({ input_tokens: usage.input_tokens }) : '{}');
      return;
    }
    let body = {};
    try { body = JSON.parse(text); } catch (e) { /* a body that is not JSON: answered all the same */ }
    const what = plan(text);
    const answer = () => {
      log({ api: shape, fault: what.fault || 0, key: what.key || null, tool: what.tool || null, url });
      if (what.fault) return sendFault(res, what.fault, shape);
      if (shape === 'anthropic') return anthropic(res, body, what);
      if (shape === 'openai') return openai(res, body, what);
      return gemini(res, url, what);
    };
    const slow = directive(text, 'mock-slow');
    if (slow) setTimeout(answer, Number(slow[0]));
    else answer();
  });
});

server.listen(0, '127.0.0.1', () => {
  const tmp = portFile + '.tmp';
  fs.writeFileSync(tmp, String(server.address().port));
  fs.renameSync(tmp, portFile);
  stayAwake();
});
if (parentPid > 0) {
  setInterval(() => {
    try { process.kill(parentPid, 0); } catch (e) { process.exit(0); }
  }, 500).unref();
}
