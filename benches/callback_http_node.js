#!/usr/bin/env node
// The Node peer of benches/callback_http.rs: the `wechat` middleware (the connect/express
// callback middleware, installed by ../shared/bench/setup.sh) serving the shared encrypted inputs
// on 127.0.0.1, with the same handler (reply "echo: " + Content). Node's own http server, no
// framework in front: express would only add its routing on top of the same middleware call.
// usage: node benches/callback_http_node.js [WORKERS]   (prints `LISTENING <port>`)
// WORKERS > 1 runs that many processes with node:cluster sharing the port (Node is single-threaded;
// the Rust server uses both cores).
'use strict';
const cluster = require('cluster');
const fs = require('fs');
const http = require('http');
const path = require('path');

const NM = path.join(process.env.PEER_BENCH_ROOT || '/tmp/peer-bench', 'node', 'node_modules');
const INPUTS = process.env.WECHAT_OA_BENCH_INPUTS || path.join(__dirname, '..', '..', 'shared', 'bench', 'inputs');
const cfg = JSON.parse(fs.readFileSync(path.join(INPUTS, 'config.json'), 'utf8'));
const workers = parseInt(process.argv[2] || '1', 10);

function serve(port, onListening) {
  const wechat = require(path.join(NM, 'wechat'));
  const mw = wechat({ token: cfg.token, appid: cfg.appid, encodingAESKey: cfg.encoding_aes_key },
    (req, res) => res.reply('echo: ' + req.weixin.Content));
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url, 'http://127.0.0.1');
      req.query = Object.fromEntries(u.searchParams);
      req.rawBody = Buffer.concat(chunks);
      mw(req, res, (err) => { res.writeHead(500); res.end(String(err || 'next() called')); });
    });
  });
  server.keepAliveTimeout = 60000;
  server.listen(port, '127.0.0.1', () => onListening(server.address().port));
}

if (workers <= 1) {
  serve(0, (port) => console.log('LISTENING ' + port));
} else if (cluster.isPrimary) {
  // Workers share one port: find a free one first.
  const probe = http.createServer().listen(0, '127.0.0.1', () => {
    const port = probe.address().port;
    probe.close(() => {
      let up = 0;
      for (let i = 0; i < workers; i++) {
        cluster.fork({ CB_PORT: String(port) }).on('message', () => { if (++up === workers) console.log('LISTENING ' + port); });
      }
    });
  });
} else {
  serve(parseInt(process.env.CB_PORT, 10), () => process.send('up'));
}
