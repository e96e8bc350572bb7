"""Faults of a hostile server: redirects, dripped bodies, compression bombs, huge bodies.

They test what a client does when the server, not the network, is the
problem: whether it follows a redirect (and takes its credentials along to
another host), whether a slow body trips its read timeout, and whether it
caps what it is willing to read or decompress.  None of them may block the
event loop: they write in bounded chunks, sleep between them and stop when
the client has gone.
"""

import asyncio
import email.utils
import math
import uuid

from aiohttp import web

from . import bombs
from .errors import JSON_CONTENT_TYPE
from .shapes import empty_document
from .wire import client_gone, close_after_raw, drop_connection

#: A second loopback address the server also listens on (same port), so a default
#: redirect goes to "another host" that still answers.
ALIAS_HOST = "127.0.0.2"
REDIRECT_STATUSES = (301, 302, 307, 308)
#: Bytes written per chunk of an ``oversize`` body; the loop is yielded every few chunks.
OVERSIZE_CHUNK = b" " * 65536
YIELD_EVERY = 16


def default_location(request):
    """The same request target on ``ALIAS_HOST``, same port and scheme."""
    sockname = request.transport.get_extra_info("sockname") if request.transport else None
    port = sockname[1] if sockname else request.url.port
    return f"{request.scheme}://{ALIAS_HOST}:{port}{request.raw_path}"


async def redirect(opts, exchange):
    location = opts["location"] or default_location(exchange.request)
    return web.Response(status=opts["status"], headers={"Location": location})


async def drip(opts, exchange):
    """The genuine response, ``bytes`` every ``interval_ms``; closed after ``max_seconds``.

    ``fit_seconds`` (set by chaos only) raises the chunk size so the whole
    body arrives within about that time.
    """
    request = exchange.request
    response = await exchange.genuine()
    if not isinstance(response, web.Response) or client_gone(request):
        return response
    body = response.body or b""
    interval = opts["interval_ms"] / 1000
    step = opts["bytes"]
    if opts.get("fit_seconds"):
        ticks = max(int(opts["fit_seconds"] / max(interval, 0.001)), 1)
        step = max(step, math.ceil(len(body) / ticks))
    deadline = asyncio.get_running_loop().time() + opts["max_seconds"]
    if opts["headers"]:
        return await _drip_raw(request, response, body, step, interval, deadline)
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
    stream = web.StreamResponse(status=response.status, reason=response.reason, headers=headers)
    stream.content_length = len(body)
    await stream.prepare(request)
    for start in range(0, len(body), step):
        if start:
            await asyncio.sleep(interval)
        if client_gone(request):
            return stream
        if asyncio.get_running_loop().time() > deadline:
            return drop_connection(request, stream)
        try:
            await stream.write(body[start:start + step])
        except ConnectionError:
            return stream
    return stream


async def _drip_raw(request, response, body, step, interval, deadline):
    """Status line and headers dripped too: the message is written to the transport by hand."""
    headers = {k: v for k, v in response.headers.items() if k.lower() not in ("content-length", "connection")}
    headers.setdefault("X-Request-Id", uuid.uuid4().hex)
    headers["Date"] = email.utils.formatdate(usegmt=True)
    headers["Content-Length"] = str(len(body))
    headers["Connection"] = "close"
    head = f"HTTP/1.1 {response.status} {response.reason}\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n"
    message = head.encode("latin-1") + body
    loop = asyncio.get_running_loop()
    for start in range(0, len(message), step):
        if start:
            await asyncio.sleep(interval)
        if client_gone(request):
            return web.Response(status=response.status)
        if loop.time() > deadline:
            return drop_connection(request)
        request.transport.write(message[start:start + step])
    return close_after_raw(request, response.status)


async def gzip_bomb(opts, exchange):
    prefix, suffix = empty_document(exchange.route, exchange.request)
    body = bombs.bomb(prefix, opts["expanded_bytes"], suffix, opts["encoding"])
    return web.Response(body=body, status=200,
                        headers={"Content-Type": "application/json", "Content-Encoding": opts["encoding"]})


async def oversize(opts, exchange):
    """A valid, honest, huge body, streamed: it never exists whole in memory."""
    request = exchange.request
    prefix, suffix = empty_document(exchange.route, request)
    padding = max(opts["bytes"] - len(prefix) - len(suffix), 0)
    stream = web.StreamResponse(status=200, headers={"Content-Type": JSON_CONTENT_TYPE})
    stream.content_length = len(prefix) + padding + len(suffix)
    await stream.prepare(request)
    try:
        await stream.write(prefix)
        written = 0
        while written < padding:
            if client_gone(request):
                return stream
            piece = OVERSIZE_CHUNK[: padding - written]
            await stream.write(piece)
            written += len(piece)
            if written // len(OVERSIZE_CHUNK) % YIELD_EVERY == 0:
                await asyncio.sleep(0)  # a fast reader never makes write() wait: let others run
        await stream.write(suffix)
    except ConnectionError:
        pass
    return stream
