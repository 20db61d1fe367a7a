"""The public chat's HTTP side.

POST /api/chat/visitor  — trades the signed ticket the chat page got from its state for the
     visitor's HttpOnly cookie (services/visitor_cookie.py). Our own pages only (Origin).
GET  /widget.js         — the embeddable widget: any site may load it (a plain <script src>
     sends no Origin and no credentials matter: it is the same file for everyone). It adds a
     launcher button that opens /a/<slug>?embed=1 in an iframe panel (full screen on phones)
     and closes it when the chat inside says so (postMessage from our origin only).
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from crm_app import routes
from crm_app.api.deps import NO_STORE, from_our_pages
from crm_app.services import visitor_cookie
from crm_app.settings import get_settings

router = APIRouter(prefix=routes.API_CHAT, tags=["chat"])
widget_router = APIRouter(tags=["chat"])


@router.post(routes.CHAT_VISITOR, response_model=None)
async def set_visitor_cookie(request: Request) -> Response:
    """Body: {"ticket": "..."} (read by hand: anything else is a plain 400)."""
    if not from_our_pages(request):
        return PlainTextResponse("Only the chat page may do this.", status_code=403)
    try:
        body = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        body = None
    ticket = body.get("ticket") if isinstance(body, dict) else None
    token = visitor_cookie.redeem_ticket(ticket) if isinstance(ticket, str) else None
    if not token:  # signed by the chat state: its token is one new_visitor_token made
        return PlainTextResponse("This ticket is not valid.", status_code=400, headers=NO_STORE)
    response = Response(status_code=204, headers=NO_STORE)
    response.set_cookie(
        visitor_cookie.COOKIE_NAME,
        token,
        max_age=visitor_cookie.COOKIE_DAYS * 86400,
        httponly=True,
        secure=get_settings().cookie_secure,
        samesite="lax",
        path="/",
    )
    return response


WIDGET_JS = r"""(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var slug = (script.getAttribute("data-agent") || "").toLowerCase();
  if (!/^[a-z0-9-]{1,60}$/.test(slug)) { console.warn("Agent CRM widget: data-agent is missing"); return; }
  var registry = (window.__crmChatWidgets = window.__crmChatWidgets || {});
  if (registry[slug]) return;
  registry[slug] = true;
  var origin = new URL(script.src, location.href).origin;
  var color = script.getAttribute("data-color") || "#12a594";
  if (!/^#[0-9a-fA-F]{3,8}$/.test(color)) color = "#12a594";
  var label = script.getAttribute("data-label") || "Chat with us";
  var id = "crm-chat-" + slug;

  var style = document.createElement("style");
  style.textContent =
    "#" + id + "-button{position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;" +
    "border:0;cursor:pointer;background:" + color + ";color:#fff;box-shadow:0 6px 20px rgba(0,0,0,.22);" +
    "display:flex;align-items:center;justify-content:center;z-index:2147483000;padding:0}" +
    "#" + id + "-button:focus-visible{outline:3px solid #111;outline-offset:3px}" +
    "#" + id + "-panel{position:fixed;right:20px;bottom:88px;width:380px;height:min(640px,calc(100vh - 110px));" +
    "border-radius:16px;overflow:hidden;box-shadow:0 12px 40px rgba(0,0,0,.25);background:#fff;" +
    "z-index:2147483001;display:none}" +
    "#" + id + "-panel.open{display:block}" +
    "#" + id + "-panel iframe{width:100%;height:100%;border:0;display:block}" +
    "@media (max-width:480px){#" + id + "-panel{inset:0;width:100%;height:100%;border-radius:0}" +
    "#" + id + "-button.open{display:none}}";
  document.head.appendChild(style);

  var chatIcon = '<svg width="26" height="26" viewBox="0 0 24 24" fill="none" stroke="currentColor" ' +
    'stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">' +
    '<path d="M7.9 20A9 9 0 1 0 4 16.1L2 22Z"/></svg>';
  var closeIcon = '<svg width="24" height="24" viewBox="0 0 24 24" fill="none" stroke="currentColor" ' +
    'stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">' +
    '<path d="M18 6 6 18"/><path d="m6 6 12 12"/></svg>';

  var button = document.createElement("button");
  button.id = id + "-button";
  button.type = "button";
  button.innerHTML = chatIcon;
  button.setAttribute("aria-label", label);
  button.setAttribute("aria-expanded", "false");
  var panel = document.createElement("div");
  panel.id = id + "-panel";
  var frame = null;

  function open() {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.src = origin + "/a/" + encodeURIComponent(slug) + "?embed=1&close=1";
      frame.title = label;
      frame.allow = "clipboard-write";
      panel.appendChild(frame);
    }
    panel.classList.add("open");
    button.classList.add("open");
    button.innerHTML = closeIcon;
    button.setAttribute("aria-expanded", "true");
    button.setAttribute("aria-label", "Close chat");
  }
  function close() {
    panel.classList.remove("open");
    button.classList.remove("open");
    button.innerHTML = chatIcon;
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-label", label);
    button.focus();
  }
  button.addEventListener("click", function () {
    if (panel.classList.contains("open")) close(); else open();
  });
  window.addEventListener("message", function (event) {
    if (event.origin !== origin || !frame || event.source !== frame.contentWindow) return;
    if (event.data && event.data.type === "crm-chat-close") close();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && panel.classList.contains("open")) close();
  });
  function mount() { document.body.appendChild(panel); document.body.appendChild(button); }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
"""


@widget_router.get(routes.WIDGET_JS, include_in_schema=False)
def widget_js() -> Response:
    return Response(
        WIDGET_JS,
        media_type="application/javascript; charset=utf-8",
        headers={
            "Cache-Control": "public, max-age=3600",
            "X-Content-Type-Options": "nosniff",
            "Cross-Origin-Resource-Policy": "cross-origin",
        },
    )
