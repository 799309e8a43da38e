/*
 * api_events: GET /api/events, the signed-in user's event stream
 * (Server-Sent Events; what it carries is described in events.h). The
 * browser reads it with fetch and the Authorization header, so no token
 * ever goes in a URL; the stream ends when that token expires.
 */
#include "http/api_int.h"

#include <string.h>

void api_events(api_call *call, http_response *res)
{
    if (!call->api->events) {
        api_error(res, 503, "events are not available on this server");
        return;
    }
    http_response_header(res, "Cache-Control", "no-store");
    http_response_header(res, "X-Accel-Buffering", "no"); /* proxies: do not buffer */
    if (!strcmp(call->req->method, "HEAD")) {
        http_response_body(res, 200, "text/event-stream", "", 0);
        return;
    }
    http_stream *st = http_response_stream(res, 200, "text/event-stream");
    events_hub_subscribe(call->api->events, st, call->me.uuid, call->token_exp,
                         http_request_header(call->req, "Last-Event-ID"));
}
