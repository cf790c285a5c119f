#!/usr/bin/python3
"""Interoperability client for tests/e2e/interop_e2e_test.cpp.

Connects to the gateway with Python's websockets library (Debian's python3-websockets), with or
without permessage-deflate, and writes what it receives to a file: a first line
{"extensions": [...negotiated extension names...], "pong": true|false}, then every received text
frame as one line (frames are JSON, so they hold no raw newline). It stops once it has received
--events event frames (device_data or alert), then checks that ping still gets a pong.

Exit codes: 0 done, 2 timeout waiting for a frame, 3 binary frame received.
Run it with /usr/bin/python3: a pyenv python3 on PATH may lack the library.
"""
import argparse
import asyncio
import json
import sys

import websockets


async def run(args: argparse.Namespace) -> int:
    compression = "deflate" if args.compression == "deflate" else None
    async with websockets.connect(
        args.url, compression=compression, max_size=2**24, ping_interval=None, open_timeout=20
    ) as ws:
        extensions = [ext.name for ext in ws.extensions]
        frames = []
        events = 0
        while events < args.events:
            try:
                frame = await asyncio.wait_for(ws.recv(), timeout=args.timeout)
            except asyncio.TimeoutError:
                print(f"timeout after {events} events", file=sys.stderr)
                return 2
            if isinstance(frame, bytes):
                print("binary frame received", file=sys.stderr)
                return 3
            frames.append(frame)
            if json.loads(frame).get("type") in ("device_data", "alert"):
                events += 1
        await ws.send(json.dumps({"type": "ping"}))
        pong = False
        while not pong:
            try:
                reply = await asyncio.wait_for(ws.recv(), timeout=args.timeout)
            except asyncio.TimeoutError:
                break
            pong = json.loads(reply).get("type") == "pong"
    with open(args.out, "w", encoding="utf-8") as out:
        out.write(json.dumps({"extensions": extensions, "pong": pong}) + "\n")
        for frame in frames:
            out.write(frame + "\n")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--compression", choices=["deflate", "none"], required=True)
    parser.add_argument("--events", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--timeout", type=float, default=60.0)
    return asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
