"""wechatpy's WeChatClient on the real-HTTP benchmark (BENCHMARKS.md, "Real HTTP"): the same calls
as benches/http_bench.rs makes, to the loopback server of benches/http_server.rs.

usage: python http_peers.py BASE_URL ROUND [SCALE]
Prints `HTTP wechatpy SCENARIO 1 ROUND CALLS CALLS_PER_S CPU_US_PER_CALL` per scenario (one
thread: requests' Session is used from one thread, as wechatpy documents it).

The client is wechatpy's own: `API_BASE_URL` (its base-URL setting) points at the server, and
`fetch_access_token` asks the server's /cgi-bin/token (wechatpy has that URL fixed to the
platform's host, so this subclass only changes the URL). The token is fetched by the first
call and cached in wechatpy's memory session, as in an application."""
import json
import os
import sys
import time

from wechatpy import WeChatClient

HERE = os.path.dirname(os.path.abspath(__file__))
INPUTS = os.environ.get("WECHAT_OA_BENCH_INPUTS", os.path.join(HERE, "..", "..", "shared", "bench", "inputs"))


def read_json(name):
    with open(os.path.join(INPUTS, name), "rb") as f:
        return json.loads(f.read())


base, rnd = sys.argv[1].rstrip("/"), sys.argv[2]
scale = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
cfg = read_json("config.json")
t = read_json("template_send_request.json")


class Client(WeChatClient):
    API_BASE_URL = base + "/cgi-bin/"

    def fetch_access_token(self):
        return self._fetch_access_token(
            url=base + "/cgi-bin/token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )


client = Client(cfg["appid"], "benchsecret")

calls = {
    "user-info": (lambda: client.user.get(cfg["openid"]), 2000),
    "template-send": (lambda: client.message.send_template(t["touser"], t["template_id"], t["data"], url=t["url"],
                                                           mini_program=t["miniprogram"]), 2000),
    "user-get-10k": (lambda: client.user.get_followers(), 150),
}

r = calls["user-info"][0]()
assert r["openid"] == cfg["openid"] and r["subscribe"] == 1 and r["tagid_list"] == [128, 2, 117], r
assert calls["template-send"][0]()["msgid"] == 200228332
r = calls["user-get-10k"][0]()
assert r["count"] == 10000 and len(r["data"]["openid"]) == 10000 and r["data"]["openid"][-1] == r["next_openid"]

for name, (op, n) in calls.items():
    n = max(1, int(n * scale))
    for _ in range(max(1, n // 10)):
        op()
    c0, t0 = time.process_time(), time.perf_counter()
    for _ in range(n):
        op()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print("HTTP wechatpy %s 1 %s %d %.1f %.2f" % (name, rnd, n, n / wall, cpu / n * 1e6), flush=True)
