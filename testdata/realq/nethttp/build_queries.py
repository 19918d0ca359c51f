#!/usr/bin/env python3
"""Build queries.jsonl from a hand-written spec.

Questions and target choices were written by reading the net/http sources.
This script only fills in line / doc_line / end_line for each named target,
using a simple line-based locator (the independent check is verify.py).
Usage: build_queries.py [CORPUS_DIR]   (default: $(go env GOROOT)/src/net/http)
"""
import json, os, re, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))

# (id, style, query, [(file, name, grade), ...])
SPEC = [
 # ---------------- nl (24) ----------------
 ("h001", "nl", "why does my POST turn into a GET when the server answers with a 302",
  [("client.go", "redirectBehavior", 2), ("client.go", "Client.do", 1)]),
 ("h002", "nl", "is my bearer token still sent when a redirect points the client at a different domain",
  [("client.go", "Client.makeHeadersCopier", 2), ("client.go", "shouldCopyHeaderOnRedirect", 2),
   ("client.go", "isDomainOrSubdomain", 1)]),
 ("h003", "nl", "when does the client silently resend a request after the server closed a reused keep-alive connection",
  [("transport.go", "persistConn.shouldRetryRequest", 2), ("request.go", "Request.isReplayable", 1),
   ("transport.go", "rewindBody", 1), ("transport.go", "Transport.roundTrip", 1)]),
 ("h004", "nl", "how can I get callbacks with timings for the DNS lookup, TCP connect and TLS handshake of an outgoing request",
  [("httptrace/trace.go", "ClientTrace", 2), ("httptrace/trace.go", "WithClientTrace", 2),
   ("transport.go", "persistConn.addTLS", 1)]),
 ("h005", "nl", "how does the server guess whether my response is html, json or an image when the handler never declares it",
  [("sniff.go", "DetectContentType", 2), ("server.go", "chunkWriter.writeHeader", 2)]),
 ("h006", "nl", "what happens to the connection and what gets logged when one of my handlers panics",
  [("server.go", "conn.serve", 2)]),
 ("h007", "nl", "how does the server wait for in-flight requests to finish during a graceful stop",
  [("server.go", "Server.Shutdown", 2), ("server.go", "Server.closeIdleConns", 2)]),
 ("h008", "nl", "how does the static file handler answer a request for only part of a file, like bytes=500-999",
  [("fs.go", "parseRange", 2), ("fs.go", "serveContent", 2), ("fs.go", "httpRange.contentRange", 1)]),
 ("h009", "nl", "when does serving a file answer 304 without a body instead of sending the content again",
  [("fs.go", "checkPreconditions", 2), ("fs.go", "checkIfNoneMatch", 1),
   ("fs.go", "checkIfModifiedSince", 1), ("fs.go", "writeNotModified", 1)]),
 ("h010", "nl", "how does the client cookie store choose which saved cookies go on a request to a given URL",
  [("cookiejar/jar.go", "Jar.cookies", 2), ("cookiejar/jar.go", "entry.shouldSend", 1),
   ("cookiejar/jar.go", "entry.pathMatch", 1), ("cookiejar/jar.go", "entry.domainMatch", 1)]),
 ("h011", "nl", "what stops a website from setting a cookie for a whole registry suffix like co.uk",
  [("cookiejar/jar.go", "Jar.domainAndType", 2), ("cookiejar/jar.go", "jarKey", 1),
   ("cookiejar/jar.go", "Jar.newEntry", 1)]),
 ("h012", "nl", "which headers get stripped by the proxy before the request is passed to the upstream server",
  [("httputil/reverseproxy.go", "removeHopByHopHeaders", 2), ("httputil/reverseproxy.go", "ReverseProxy.ServeHTTP", 1)]),
 ("h013", "nl", "how does the proxy package pass a websocket upgarde through to the backend",
  [("httputil/reverseproxy.go", "ReverseProxy.handleUpgradeResponse", 2), ("httputil/reverseproxy.go", "upgradeType", 1),
   ("httputil/reverseproxy.go", "switchProtocolCopier", 1)]),
 ("h014", "nl", "how does a fastcgi app read and dispatch the messages nginx sends over the socket",
  [("fcgi/child.go", "child.serve", 2), ("fcgi/child.go", "child.handleRecord", 2), ("fcgi/fcgi.go", "record.read", 1)]),
 ("h015", "nl", "how is request smuggling prevented when a message carries both chunked encoding and a length header",
  [("transfer.go", "fixLength", 2), ("transfer.go", "transferReader.parseTransferEncoding", 2),
   ("transfer.go", "readTransfer", 1)]),
 ("h016", "nl", "how is the hex size line in front of each piece of a Transfer-Encoding body parsed and checked",
  [("internal/chunked.go", "chunkedReader.beginChunk", 2), ("internal/chunked.go", "readChunkLine", 1),
   ("internal/chunked.go", "parseHexUint", 1)]),
 ("h017", "nl", "why does my program panic at startup complaining that two of my routes match the same requests",
  [("pattern.go", "pattern.conflictsWith", 2), ("server.go", "ServeMux.registerErr", 2), ("pattern.go", "describeConflict", 1)]),
 ("h018", "nl", "how are cross-site form posts blocked using the fetch metadata headers browsers send",
  [("csrf.go", "CrossOriginProtection.Check", 2), ("csrf.go", "CrossOriginProtection.isRequestExempt", 1)]),
 ("h019", "nl", "in a unit test, how do I capture the status, headers and body my handler writes without opening a socket",
  [("httptest/recorder.go", "ResponseRecorder", 2), ("httptest/recorder.go", "ResponseRecorder.Result", 2),
   ("httptest/recorder.go", "NewRecorder", 1)]),
 ("h020", "nl", "how are the environment variables built when a request is handed to an external cgi program",
  [("cgi/host.go", "Handler.ServeHTTP", 2), ("cgi/host.go", "upperCaseAndUnderscore", 1),
   ("cgi/host.go", "removeLeadingDuplicates", 1)]),
 ("h021", "nl", "what does the http2 client do when the server says it is shutting the connection down and will accept no new streams",
  [("h2_bundle.go", "http2clientConnReadLoop.processGoAway", 2), ("h2_bundle.go", "http2ClientConn.setGoAway", 2),
   ("h2_bundle.go", "http2clientConnReadLoop.cleanup", 1)]),
 ("h022", "nl", "how do I give one long streaming handler more time to send its output than the server-wide limit allows",
  [("responsecontroller.go", "ResponseController.SetWriteDeadline", 2), ("server.go", "response.SetWriteDeadline", 1)]),
 ("h023", "nl", "how much of an uploaded file is kept in RAM before the rest spills to a temp file on disk",
  [("request.go", "Request.ParseMultipartForm", 2), ("request.go", "Request.multipartReader", 1),
   ("request.go", "Request.FormFile", 1)]),
 ("h024", "nl", "does the client automaticaly unpack compressed responses, and why is the length header gone afterwards",
  [("transport.go", "persistConn.roundTrip", 2), ("transport.go", "persistConn.readLoop", 2),
   ("transport.go", "gzipReader", 1), ("transport.go", "gzipReader.Read", 1)]),
 # ---------------- identifier (8) ----------------
 ("h025", "identifier", "what does MaxConnsPerHost do once every connection to that host is busy",
  [("transport.go", "Transport.queueForDial", 2), ("transport.go", "Transport.decConnsPerHost", 1),
   ("transport.go", "Transport", 1)]),
 ("h026", "identifier", "ReadHeaderTimeout vs ReadTimeout: which deadline covers reading the request body",
  [("server.go", "conn.readRequest", 2), ("server.go", "Server.readHeaderTimeout", 2), ("server.go", "conn.serve", 1)]),
 ("h027", "identifier", "ProxyRequest.SetXForwarded X-Forwarded-For appends client ip",
  [("httputil/reverseproxy.go", "ProxyRequest.SetXForwarded", 2), ("httputil/reverseproxy.go", "ProxyRequest", 1)]),
 ("h028", "identifier", "r.PathValue returns empty string for my {id} wildcard",
  [("request.go", "Request.PathValue", 2), ("request.go", "Request.patIndex", 1), ("request.go", "Request.SetPathValue", 1)]),
 ("h029", "identifier", "ExpectContinueTimeout: how long does the client wait for 100 Continue before sending the body",
  [("transport.go", "persistConn.waitForContinue", 2), ("request.go", "Request.write", 1)]),
 ("h030", "identifier", "GODEBUG=httpmuxgo121=1 restore old ServeMux pattern matching",
  [("servemux121.go", "init", 2), ("servemux121.go", "serveMux121", 2), ("server.go", "ServeMux.findHandler", 1)]),
 ("h031", "identifier", "Transport.NewClientConn: does it share the connection pool or count against MaxConnsPerHost",
  [("clientconn.go", "Transport.NewClientConn", 2), ("clientconn.go", "ClientConn", 1)]),
 ("h032", "identifier", "SameSiteDefaultMode cookie has no SameSite attribute in Set-Cookie",
  [("cookie.go", "Cookie.String", 2), ("cookie.go", "SameSite", 1)]),
 # ---------------- error (4) ----------------
 ("h033", "error", "http: superfluous response.WriteHeader call from main.(*api).createUser (users.go:88)",
  [("server.go", "response.WriteHeader", 2), ("server.go", "relevantCaller", 1)]),
 ("h034", "error", "Get \"https://api.example.com/v1/items\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
  [("client.go", "Client.do", 2), ("client.go", "setRequestCancel", 1), ("transport.go", "timeoutError", 1)]),
 ("h035", "error", "2025/03/02 14:07:55 http: proxy error: dial tcp 10.0.2.15:8080: connect: connection refused",
  [("httputil/reverseproxy.go", "ReverseProxy.defaultErrorHandler", 2),
   ("httputil/reverseproxy.go", "ReverseProxy.getErrorHandler", 1), ("httputil/reverseproxy.go", "ReverseProxy.ServeHTTP", 1)]),
 ("h036", "error", "http: message cannot contain multiple Content-Length headers; got [\"42\" \"57\"]",
  [("transfer.go", "fixLength", 2), ("transfer.go", "readTransfer", 1)]),
 # ---------------- maintenance (4) ----------------
 ("h037", "maintenance", "where would I add a new HTTP status code and its reason phrase",
  [("status.go", "StatusText", 2)]),
 ("h038", "maintenance", "where would I add a byte signature so content sniffing recognizes a new file format",
  [("sniff.go", "DetectContentType", 2), ("sniff.go", "exactSig", 1), ("sniff.go", "maskedSig", 1), ("sniff.go", "sniffSig", 1)]),
 ("h039", "maintenance", "where would I change how the proxy combines the target's base path with the incoming request path",
  [("httputil/reverseproxy.go", "joinURLPath", 2), ("httputil/reverseproxy.go", "singleJoiningSlash", 1),
   ("httputil/reverseproxy.go", "rewriteRequestURL", 1), ("httputil/reverseproxy.go", "ProxyRequest.SetURL", 1)]),
 ("h040", "maintenance", "where would I change how many idle keep-alive connections are kept per host when the option is left at zero",
  [("transport.go", "Transport.maxIdleConnsPerHost", 2), ("transport.go", "Transport.tryPutIdleConn", 1)]),
]


def locate(lines, name):
    """Return 0-based index of the decl line for name, or raise."""
    if "." in name:
        recv, meth = name.split(".", 1)
        rx = re.compile(r"^func \(\s*\w*\s*\*?" + re.escape(recv) + r"(\[[^\]]*\])?\s*\)\s*" + re.escape(meth) + r"\s*[\[(]")
        hits = [i for i, l in enumerate(lines) if rx.match(l)]
    else:
        rf = re.compile(r"^func " + re.escape(name) + r"\s*[\[(]")
        rt = re.compile(r"^type " + re.escape(name) + r"\b")
        hits = [i for i, l in enumerate(lines) if rf.match(l) or rt.match(l)]
    if len(hits) != 1:
        raise SystemExit(f"locate {name}: {len(hits)} hits")
    return hits[0]


def main():
    corpus = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        subprocess.check_output(["go", "env", "GOROOT"], text=True).strip(), "src/net/http")
    out = []
    for qid, style, query, targets in SPEC:
        ts = []
        for f, name, grade in targets:
            lines = open(os.path.join(corpus, f), encoding="utf-8").read().split("\n")
            i = locate(lines, name)
            # end: single-line or brace-less decl, else first "}" at column 0 after it
            if (lines[i].startswith("type ") and "{" not in lines[i]) or \
               (lines[i].rstrip().endswith("}") and lines[i].count("{") == lines[i].count("}")):
                e = i
            else:
                e = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("}"))
            d = i
            while d > 0 and lines[d - 1].startswith("//"):
                d -= 1
            t = {"file": f, "name": name, "line": i + 1}
            if d < i:
                t["doc_line"] = d + 1
            t["end_line"] = e + 1
            t["grade"] = grade
            ts.append(t)
        out.append({"id": qid, "query": query, "style": style, "targets": ts})
    with open(os.path.join(HERE, "queries.jsonl"), "w") as fh:
        for o in out:
            fh.write(json.dumps(o, ensure_ascii=False) + "\n")
    print(f"wrote {len(out)} queries")


if __name__ == "__main__":
    main()
