#!/usr/bin/python3
"""Ping-flood client for tests/e2e/ping_flood_e2e_test.cpp.

Connects with Python's websockets library (an independent frame parser), with or without
permessage-deflate, and while it receives a dense stream of event frames floods the gateway with
WebSocket pings (each needs its pong) and JSON {"type":"ping"} requests (each needs a JSON pong).
Any protocol error (a control frame inside a data frame, a bad header, RSV1 on a frame that was
not negotiated, an undecompressable payload, invalid UTF-8) makes the library close the
connection with an error, which this client reports.

It writes one JSON line to --out: {"extensions": [...], "events": N, "ws_pings": N,
"ws_pongs": N, "json_pings": N, "json_pongs": N, "order_ok": bool}.

Exit codes: 0 done, 2 timeout, 3 a frame the client cannot use, 4 the connection failed.
Run it with /usr/bin/python3: a pyenv python3 on PATH may lack the library.
"""
import argparse
import asyncio
import json
import sys

import websockets


async def flood(ws, args, counters, done):
    waiters = []
    i = 0
    while not done.is_set() and i < args.pings:
        waiters.append(await ws.ping(i.to_bytes(4, "big")))
        counters["ws_pings"] += 1
        if i % 4 == 0:
            await ws.send(json.dumps({"type": "ping"}))
            counters["json_pings"] += 1
        i += 1
        if i % 64 == 0:
            await asyncio.sleep(0)  # let the receiver run
    for waiter in waiters:
        await asyncio.wait_for(waiter, timeout=args.timeout)
        counters["ws_pongs"] += 1


async def run(args: argparse.Namespace) -> int:
    compression = "deflate" if args.compression == "deflate" else None
    counters = {"ws_pings": 0, "ws_pongs": 0, "json_pings": 0, "json_pongs": 0, "events": 0}
    last_seq = {}
    order_ok = True
    try:
        async with websockets.connect(
            args.url, compression=compression, max_size=2**24, ping_interval=None,
            open_timeout=20, max_queue=None
        ) as ws:
            extensions = [ext.name for ext in ws.extensions]
            done = asyncio.Event()
            flooder = asyncio.create_task(flood(ws, args, counters, done))
            loop = asyncio.get_running_loop()
            deadline = loop.time() + args.timeout
            while not (counters["events"] >= args.events and flooder.done()
                       and counters["json_pongs"] >= counters["json_pings"]):
                if loop.time() > deadline:
                    print(f"timeout: {counters}", file=sys.stderr)
                    return 2
                try:
                    frame = await asyncio.wait_for(ws.recv(), timeout=1.0)
                except asyncio.TimeoutError:
                    continue
                if isinstance(frame, bytes):
                    print("binary frame received", file=sys.stderr)
                    return 3
                message = json.loads(frame)
                kind = message.get("type")
                if kind == "device_data":
                    counters["events"] += 1
                    device = message["data"]["device"]
                    seq = int(device["sensors"]["seq"]["value"])
                    if seq <= last_seq.get(device["device_id"], -1):
                        order_ok = False
                    last_seq[device["device_id"]] = seq
                elif kind == "pong":
                    counters["json_pongs"] += 1
            done.set()
            await flooder
    except (websockets.exceptions.WebSocketException, OSError) as error:
        print(f"connection failed: {type(error).__name__}: {error}; {counters}", file=sys.stderr)
        return 4
    with open(args.out, "w", encoding="utf-8") as out:
        out.write(json.dumps({"extensions": extensions, "order_ok": order_ok, **counters}) + "\n")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--compression", choices=["deflate", "none"], required=True)
    parser.add_argument("--events", type=int, required=True)
    parser.add_argument("--pings", type=int, default=3000)
    parser.add_argument("--out", required=True)
    parser.add_argument("--timeout", type=float, default=60.0)
    return asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
