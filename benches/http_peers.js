#!/usr/bin/env node
// wechat-api (Node) on the real-HTTP benchmark (BENCHMARKS.md, "Real HTTP"): the same calls as
// benches/http_bench.rs makes, to the loopback server of benches/http_server.rs.
//
// usage: node http_peers.js BASE_URL ROUND [SCALE]
// Prints `HTTP wechat-api SCENARIO CONCURRENCY ROUND CALLS CALLS_PER_S CPU_US_PER_CALL` for
// concurrency 1 and 64 (calls in flight on Node's event loop).
//
// The client is wechat-api's own with its `endpoint` (the base URL its setEndpoint sets, which
// would prefix https://) set to the server, and its default in-memory token store: the first
// call fetches the token from the server's /cgi-bin/token.
'use strict';
const assert = require('assert');
const fs = require('fs');
const path = require('path');

const NM = path.join(process.env.PEER_BENCH_ROOT || '/tmp/peer-bench', 'node', 'node_modules');
const INPUTS = process.env.WECHAT_OA_BENCH_INPUTS || path.join(__dirname, '..', '..', 'shared', 'bench', 'inputs');
const readJson = (name) => JSON.parse(fs.readFileSync(path.join(INPUTS, name), 'utf8'));
const [base, round, scaleArg] = process.argv.slice(2);
const scale = scaleArg ? parseFloat(scaleArg) : 1.0;
const cfg = readJson('config.json');
const t = readJson('template_send_request.json');

const API = require(path.join(NM, 'wechat-api'));
const api = new API(cfg.appid, 'benchsecret');
api.endpoint = base.replace(/\/$/, '');

const promise = (start) => new Promise((resolve, reject) => start((err, data) => (err ? reject(err) : resolve(data))));
const calls = {
  'user-info': [() => promise((cb) => api.getUser(cfg.openid, cb)), 6000],
  'template-send': [() => promise((cb) => api.sendTemplate(t.touser, t.template_id, { url: t.url, miniprogram: t.miniprogram }, t.data, cb)), 5000],
  'user-get-10k': [() => promise((cb) => api.getFollowers(cb)), 300],
};

async function run(op, n, concurrency) {
  let left = n;
  const worker = async () => { while (left-- > 0) await op(); };
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(c0);
  return [n / wall, (cpu.user + cpu.system) / n];
}

(async () => {
  const u = await calls['user-info'][0]();
  assert.strictEqual(u.openid, cfg.openid); assert.strictEqual(u.subscribe, 1); assert.deepStrictEqual(u.tagid_list, [128, 2, 117]);
  assert.strictEqual((await calls['template-send'][0]()).msgid, 200228332);
  const f = await calls['user-get-10k'][0]();
  assert.strictEqual(f.count, 10000); assert.strictEqual(f.data.openid.length, 10000); assert.strictEqual(f.data.openid[9999], f.next_openid);
  for (const [name, [op, base]] of Object.entries(calls)) {
    for (const concurrency of [1, 64]) {
      const n = Math.max(concurrency, Math.floor(base * scale));
      await run(op, Math.max(concurrency, Math.floor(n / 10)), concurrency);
      const [cps, cpu] = await run(op, n, concurrency);
      console.log(`HTTP wechat-api ${name} ${concurrency} ${round} ${n} ${cps.toFixed(1)} ${cpu.toFixed(2)}`);
    }
  }
})().catch((e) => { console.error(e); process.exit(1); });
