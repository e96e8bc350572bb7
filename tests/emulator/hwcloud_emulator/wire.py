"""Connection-level helpers for faults that do not end in a normal response.

aiohttp always wants a response back from a handler, even after the fault
has aborted the connection or written raw bytes itself; ``DROPPED`` is the
placeholder for that case and ``SENT_STATUS`` tells the statistics what the
client actually received.
"""

import socket
import struct

from aiohttp import web

#: Status of the placeholder response returned after dropping a connection (nginx's
#: "client closed request"); it is never delivered, aiohttp ignores the failed write.
DROPPED = 499
#: Request key: the status a fault delivered by hand (raw bytes) before closing the connection.
#: (``web.RequestKey`` exists from aiohttp 3.12 on; older versions take a string.)
SENT_STATUS = (web.RequestKey("sent_status", int) if hasattr(web, "RequestKey")
               else "hwcloud_emulator.sent_status")


def client_gone(request):
    transport = request.transport
    return transport is None or transport.is_closing()


def drop_connection(request, response=None):
    """Abort the TCP connection with an RST (SO_LINGER 0), so the client sees a reset."""
    transport = request.transport
    if transport is not None:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
    return response or web.Response(status=DROPPED)


def close_after_raw(request, status):
    """The fault wrote a whole HTTP message itself: close gracefully (flushing it)."""
    request[SENT_STATUS] = status
    if request.transport is not None:
        request.transport.close()
    return web.Response(status=DROPPED)
