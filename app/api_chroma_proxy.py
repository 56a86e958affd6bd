"""A token-checking reverse proxy in front of a Chroma server that listens on loopback only.

Chroma 1.5.9's `chroma run` (the Rust server) authenticates no one: its auth layer is a no-op in the open
source build, and every release from 1.0.0 to 1.5.9 has a pre-authentication remote code execution flaw
(CVE-2026-45829, collection creation with `trust_remote_code`). So the deployment runs `chroma run --host
127.0.0.1` and puts this proxy (or nginx/Caddy/Envoy doing the same) in front of it:

    COPYDESK_CHROMA_TOKEN=... python -m app.api_chroma_proxy --listen 0.0.0.0:8001 --upstream http://127.0.0.1:8000

Every request needs `Authorization: Bearer <token>` or `X-Chroma-Token: <token>` (what chromadb's
TokenAuthClientProvider sends, and what copydesk sends when $COPYDESK_CHROMA_TOKEN is set); a request body
that asks for `trust_remote_code` is refused whoever sends it; the upstream must be a loopback address.
"""
from __future__ import annotations

import argparse
import hmac
import os
import sys
from typing import Any
from urllib.parse import urlparse

from app.api import JsonFormatter, _log, is_loopback

TOKEN_ENV = "COPYDESK_CHROMA_TOKEN"
MAX_BODY = 64_000_000
HOP_HEADERS = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
               "transfer-encoding", "upgrade", "host", "content-length", "authorization", "x-chroma-token"}


def create_proxy(upstream: str, token: str) -> Any:
    import httpx
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    if not token:
        raise SystemExit(f"copydesk chroma proxy: error: set {TOKEN_ENV}: the proxy exists to require a token")
    host = urlparse(upstream).hostname or ""
    if not is_loopback(host):
        raise SystemExit(f"copydesk chroma proxy: error: the upstream Chroma server must listen on loopback, not {host!r}")
    client = httpx.AsyncClient(base_url=upstream.rstrip("/"), timeout=120)

    def authorised(request: Request) -> bool:
        given = request.headers.get("x-chroma-token", "")
        bearer = request.headers.get("authorization", "")
        if bearer.lower().startswith("bearer "):
            given = given or bearer[7:].strip()
        return bool(given) and hmac.compare_digest(given.encode(), token.encode())

    async def forward(request: Request) -> Response:
        if not authorised(request):
            _log("refused", event="chroma_proxy", reason="token", method=request.method, path=request.url.path)
            return JSONResponse({"error": "missing or wrong token"}, status_code=401,
                                headers={"WWW-Authenticate": "Bearer"})
        body = await request.body()
        if len(body) > MAX_BODY:
            return JSONResponse({"error": "request body too large"}, status_code=413)
        if b"trust_remote_code" in body:
            _log("refused", event="chroma_proxy", reason="trust_remote_code", path=request.url.path)
            return JSONResponse({"error": "trust_remote_code is never allowed"}, status_code=403)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
        reply = await client.request(request.method, request.url.path, params=request.query_params, content=body,
                                     headers=headers)
        out_headers = {k: v for k, v in reply.headers.items()
                       if k.lower() not in HOP_HEADERS and k.lower() != "content-encoding"}
        return Response(reply.content, status_code=reply.status_code, headers=out_headers)

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
    return Starlette(routes=[Route("/{path:path}", forward, methods=methods)])


def main(argv: list[str] | None = None) -> int:
    import logging

    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m app.api_chroma_proxy", description=__doc__.splitlines()[0])
    parser.add_argument("--listen", default="127.0.0.1:8001", help="HOST:PORT to listen on")
    parser.add_argument("--upstream", default="http://127.0.0.1:8000", help="the Chroma server (loopback)")
    args = parser.parse_args(argv)
    host, _, port = args.listen.rpartition(":")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    for name in ("copydesk", "uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = [handler]
        logging.getLogger(name).setLevel("INFO")
        logging.getLogger(name).propagate = False
    app = create_proxy(args.upstream, os.environ.get(TOKEN_ENV, ""))
    _log("starting", event="chroma_proxy", listen=args.listen, upstream=args.upstream)
    uvicorn.run(app, host=host.strip("[]") or "127.0.0.1", port=int(port), log_config=None, access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
