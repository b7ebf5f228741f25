#!/usr/bin/env python3
"""Records a HAR 1.2 file of a page as headless Chromium loads and runs it.

Usage: record-har.py --url URL --out FILE [--chromium PATH] [--done-title TITLE] [--timeout S]

Chromium is driven over its DevTools protocol (PyPI websocket-client, in the venv that
scripts/python-tools makes): the page is opened, the recorder waits until the page sets its
title to --done-title (the embedded target's /shop does when it has shopped) and until
every request has finished, then writes what the browser sent and received, as the
DevTools Network panel's "Save all as HAR" does: the headers on the wire (the ExtraInfo
events, so Host, Connection and Cookie are there as a browser sends them), request
bodies, response bodies and timings. Every wait is bounded by --timeout.
"""
import argparse
import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timezone

import websocket


class DevTools:
    """One page's DevTools connection: calls, and the events that arrive meanwhile."""

    def __init__(self, url, deadline):
        self.deadline = deadline
        self.socket = websocket.create_connection(url, timeout=5, suppress_origin=True)
        self.next_id = 0
        self.events = []

    def call(self, method, **params):
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = self.receive()
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def receive(self):
        if time.monotonic() > self.deadline:
            raise TimeoutError("the recording took longer than --timeout")
        message = json.loads(self.socket.recv())
        if "method" in message:
            self.events.append(message)
        return message


def iso(wall_time):
    return datetime.fromtimestamp(wall_time, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def header_list(headers):
    # DevTools joins repeated headers (Set-Cookie) with newlines; HAR lists each.
    return [{"name": name, "value": line} for name, value in headers.items() for line in str(value).split("\n")]


def har_entries(tools):
    """The network events, request by request, as HAR entries in the order they started."""
    requests = {}
    # The wire headers may arrive before or after the request they belong to.
    extras = {event["params"]["requestId"]: event["params"]["headers"] for event in tools.events
              if event["method"] == "Network.requestWillBeSentExtraInfo"}
    extra_responses = {event["params"]["requestId"]: event["params"]["headers"] for event in tools.events
                       if event["method"] == "Network.responseReceivedExtraInfo"}
    for event in tools.events:
        method, params = event["method"], event["params"]
        request_id = params.get("requestId")
        if method == "Network.requestWillBeSent":
            if request_id in requests and "redirectResponse" in params:
                # The same id goes on after a redirect: close the hop that was redirected.
                hop = requests.pop(request_id)
                hop["response"] = params["redirectResponse"]
                hop["end"] = params["timestamp"]
                requests[f"{request_id}/{len(requests)}"] = hop
            requests[request_id] = {"sent": params, "extra": extras.get(request_id), "response": None,
                                    "extraResponse": extra_responses.get(request_id), "end": None}
        elif request_id in requests:
            record = requests[request_id]
            if method == "Network.responseReceived":
                record["response"] = params["response"]
            elif method in ("Network.loadingFinished", "Network.loadingFailed"):
                record["end"] = params["timestamp"]
                record["failed"] = method == "Network.loadingFailed"
    return requests


def entry(tools, request_id, record):
    sent = record["sent"]
    request = sent["request"]
    response = record["response"] or {}
    started = sent["timestamp"]
    elapsed = max(0.0, ((record["end"] or started) - started) * 1000)
    post = request.get("postData")
    if post is None and request.get("hasPostData"):
        try:
            post = tools.call("Network.getRequestPostData", requestId=request_id.split("/")[0]).get("postData")
        except RuntimeError:
            post = None
    headers = record["extra"] or request.get("headers", {})
    content = {"size": 0, "mimeType": response.get("mimeType", "")}
    if record["response"] is not None and not record.get("failed") and "/" not in request_id:
        try:
            body = tools.call("Network.getResponseBody", requestId=request_id)
            content["text"] = body["body"]
            if body.get("base64Encoded"):
                content["encoding"] = "base64"
            content["size"] = len(base64.b64decode(body["body"]) if body.get("base64Encoded") else body["body"].encode())
        except RuntimeError:
            pass  # no body kept (a redirect, a 204)
    timing = response.get("timing") or {}
    wait = max(0.0, timing.get("receiveHeadersEnd", 0) - timing.get("sendEnd", 0)) if timing else 0.0
    har_request = {
        "method": request["method"], "url": request["url"] + request.get("urlFragment", ""), "httpVersion": response.get("protocol", "http/1.1"),
        "cookies": [], "headers": header_list(headers), "queryString": [], "headersSize": -1,
        "bodySize": len(post.encode()) if post else 0,
    }
    if post is not None:
        mime = next((value for name, value in headers.items() if name.lower() == "content-type"), "")
        har_request["postData"] = {"mimeType": mime, "text": post}
    response_headers = record["extraResponse"] or response.get("headers", {})
    location = next((value for name, value in response_headers.items() if name.lower() == "location"), "")
    return {
        "pageref": "page_1",
        "startedDateTime": iso(sent["wallTime"]),
        "time": elapsed,
        "request": har_request,
        "response": {
            "status": response.get("status", 0), "statusText": response.get("statusText", ""),
            "httpVersion": response.get("protocol", "http/1.1"), "cookies": [], "headers": header_list(response_headers),
            "content": content, "redirectURL": location, "headersSize": -1, "bodySize": content["size"],
        },
        "cache": {},
        "timings": {"blocked": -1, "dns": -1, "connect": -1, "send": 0, "wait": wait, "receive": max(0.0, elapsed - wait), "ssl": -1},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--done-title", default="done")
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args()
    deadline = time.monotonic() + args.timeout

    profile = tempfile.mkdtemp(prefix="record-har-")
    browser = subprocess.Popen(
        [args.chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
         "--disable-extensions", "--disable-background-networking", "--disable-component-update",
         f"--user-data-dir={profile}", "--remote-debugging-port=0", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        # Chromium writes the port it chose, and its browser endpoint, to this file.
        port_file = os.path.join(profile, "DevToolsActivePort")
        while not (os.path.exists(port_file) and len(open(port_file).read().split()) >= 2):
            if browser.poll() is not None:
                sys.exit(f"record-har: chromium exited with {browser.returncode}: {browser.stderr.read().decode(errors='replace')[-2000:]}")
            if time.monotonic() > deadline:
                sys.exit("record-har: chromium did not open its DevTools port within --timeout")
            time.sleep(0.1)
        port = open(port_file).read().split()[0]
        base = f"http://127.0.0.1:{port}"
        version = json.load(urllib.request.urlopen(f"{base}/json/version", timeout=5))
        page = next(target for target in json.load(urllib.request.urlopen(f"{base}/json/list", timeout=5)) if target["type"] == "page")
        tools = DevTools(page["webSocketDebuggerUrl"], deadline)
        tools.call("Network.enable", maxPostDataSize=65536)
        tools.call("Page.enable")
        tools.call("Page.navigate", url=args.url)
        started = time.time()
        title = ""
        while title != args.done_title:
            if title == "failed":
                sys.exit("record-har: the page reported that it failed")
            time.sleep(0.2)
            title = tools.call("Runtime.evaluate", expression="document.title", returnByValue=True)["result"].get("value", "")
        # The page is done; wait for the last responses to finish loading.
        records = har_entries(tools)
        while any(record["end"] is None for record in records.values()):
            tools.call("Runtime.evaluate", expression="1")
            time.sleep(0.1)
            records = har_entries(tools)
        entries = sorted((entry(tools, request_id, record) for request_id, record in records.items()), key=lambda e: e["startedDateTime"])
        browser_name, _, browser_version = version.get("Browser", "Chromium/").partition("/")
        har = {"log": {
            "version": "1.2",
            "creator": {"name": "stampede scripts/record-har.py", "version": "1"},
            "browser": {"name": browser_name, "version": browser_version},
            "pages": [{"startedDateTime": iso(started), "id": "page_1", "title": args.url, "pageTimings": {}}],
            "entries": entries,
        }}
        with open(args.out, "w") as file:
            json.dump(har, file, indent=2)
        print(f"record-har: {len(entries)} requests recorded to {args.out}")
    finally:
        # The browser and its helpers (renderer, zygote) are a process group of their own, a
        # throwaway profile's: killed at once rather than waited on through a clean shutdown.
        os.killpg(browser.pid, signal.SIGKILL)
        browser.wait()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
