"""A real reverse proxy of a few lines, in a thread, that forwards as nginx with
`proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for` does: whatever the client sent, then
the address the client connected from. The most trusting choice a proxy can make, so a test through
it shows the app, not the proxy, refusing a forged hop.

One request per connection (it asks the app for `Connection: close`); enough for a test client.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "x-forwarded-for", "x-forwarded-proto"}


@contextmanager
def appending_proxy(upstream: str, *, source_host: str) -> Iterator[str]:
    """A proxy on a free loopback port in front of `upstream`, which it reaches from `source_host`
    (an address of the loopback range: the proxy's address the app is told to trust); yields its URL."""
    target = urlsplit(upstream)
    loop = asyncio.new_event_loop()

    async def forward(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Copy one request upstream with the hop appended, and the answer back."""
        peer = writer.get_extra_info("peername")[0]
        try:
            request = await _read_request(reader, peer)
            up_reader, up_writer = await asyncio.open_connection(
                target.hostname, target.port, local_addr=(source_host, 0))
            up_writer.write(request)
            await up_writer.drain()
            while chunk := await up_reader.read(65536):
                writer.write(chunk)
                await writer.drain()
            up_writer.close()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the client went away (httpx closes idle connections): nothing to forward
        finally:
            writer.close()

    server = loop.run_until_complete(asyncio.start_server(forward, "127.0.0.1", 0))
    port = server.sockets[0].getsockname()[1]
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        asyncio.run_coroutine_threadsafe(_stop(server), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()


async def _stop(server: asyncio.Server) -> None:
    """Stop listening and end the connections still open, before the loop goes."""
    server.close()
    others = asyncio.all_tasks() - {asyncio.current_task()}
    for task in others:
        task.cancel()
    await asyncio.gather(*others, return_exceptions=True)


async def _read_request(reader: asyncio.StreamReader, peer: str) -> bytes:
    """The client's request as the app should get it: X-Forwarded-For with `peer` appended."""
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin1")
    request_line, *lines = [line for line in head.split("\r\n") if line]
    headers = [(name.strip(), value.strip()) for name, value in (line.split(":", 1) for line in lines)]
    forwarded = [value for name, value in headers if name.lower() == "x-forwarded-for"]
    length = sum(int(value) for name, value in headers if name.lower() == "content-length")
    body = await reader.readexactly(length)
    kept = [(name, value) for name, value in headers if name.lower() not in HOP_BY_HOP]
    kept += [("X-Forwarded-For", ", ".join([*forwarded, peer])), ("X-Forwarded-Proto", "http"),
             ("Connection", "close")]
    lines_out = [request_line, *(f"{name}: {value}" for name, value in kept), "", ""]
    return "\r\n".join(lines_out).encode("latin1") + body
