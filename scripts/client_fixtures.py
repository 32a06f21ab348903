"""Regenerate tests/fixtures/real_clients with real client software against a mock API.

Run it in a throwaway virtualenv, never the project's (these clients are not dependencies):

    python3 -m venv /tmp/clients && /tmp/clients/bin/pip install litellm[proxy] \
        opentelemetry-sdk opentelemetry-exporter-otlp-proto-common \
        openinference-instrumentation-openai opentelemetry-instrumentation-openai-v2 openai
    /tmp/clients/bin/python scripts/client_fixtures.py litellm OUT_DIR
    /tmp/clients/bin/python scripts/client_fixtures.py openinference OUT_DIR
    /tmp/clients/bin/python scripts/client_fixtures.py openai_v2 OUT_DIR

Each run is its own process: the two OpenTelemetry instrumentations patch the same client.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

PORT = 18991
MESSAGES = [
    {"role": "system", "content": "You are the billing assistant."},
    {"role": "user", "content": "hello"},
]
ANTHROPIC_RESPONSE = {
    "id": "msg_01MockAnthropic1h", "type": "message", "role": "assistant",
    "content": [{"type": "text", "text": "ok"}], "stop_reason": "end_turn",
    "stop_sequence": None,
    "usage": {
        "input_tokens": 1200, "cache_read_input_tokens": 20000,
        "cache_creation_input_tokens": 50000,
        "cache_creation": {"ephemeral_5m_input_tokens": 10000,
                           "ephemeral_1h_input_tokens": 40000},
        "output_tokens": 800, "service_tier": "standard",
    },
}
OPENAI_RESPONSE = {
    "id": "chatcmpl-MockOpenAI0001", "object": "chat.completion", "created": 1764500000,
    "model": "gpt-4o-2024-08-06", "system_fingerprint": "fp_x", "service_tier": "default",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"},
                 "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 2000, "completion_tokens": 300, "total_tokens": 2300,
              "prompt_tokens_details": {"cached_tokens": 1536},
              "completion_tokens_details": {"reasoning_tokens": 0}},
}


class MockApi(BaseHTTPRequestHandler):
    """Anthropic's /v1/messages and OpenAI's /v1/chat/completions, fixed usage."""

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802 - the http.server hook name
        body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
        if self.path.endswith("/messages"):
            out = {**ANTHROPIC_RESPONSE, "model": body.get("model")}
        else:
            out = OPENAI_RESPONSE
        data = json.dumps(out).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def serve() -> None:
    server = HTTPServer(("127.0.0.1", PORT), MockApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()


def litellm_files(out: str) -> None:
    import litellm
    from litellm.integrations.custom_logger import CustomLogger
    from litellm.proxy.spend_tracking.spend_tracking_utils import get_logging_payload

    captured = []

    class Capture(CustomLogger):
        def log_success_event(self, kwargs, response_obj, start_time, end_time):  # noqa: ANN001
            captured.append((kwargs, response_obj, start_time, end_time))

    litellm.callbacks = [Capture()]
    metadata = {"user_api_key_team_id": "team-uuid-1", "user_api_key_alias": "key-billing",
                "spend_logs_metadata": {"feature": "invoice-qa"}}
    litellm.completion(model="anthropic/claude-sonnet-4-5-20250929", messages=MESSAGES,
                       api_base=f"http://127.0.0.1:{PORT}", api_key="sk-x", metadata=metadata)
    litellm.completion(model="openai/gpt-4o", messages=MESSAGES, api_key="sk-x",
                       api_base=f"http://127.0.0.1:{PORT}/v1",
                       metadata={k: v for k, v in metadata.items() if k != "user_api_key_alias"})
    time.sleep(2)  # callbacks run on a worker thread
    payloads = [c[0]["standard_logging_object"] for c in captured]
    with open(f"{out}/standard_logging_payload.json", "w") as f:
        json.dump(payloads[0], f, indent=4, default=str)
    with open(f"{out}/standard_logging.jsonl", "w") as f:
        f.writelines(json.dumps(p, default=str) + "\n" for p in payloads)
    with open(f"{out}/spend_logs_payload.json", "w") as f:
        json.dump(get_logging_payload(*captured[0]), f, indent=4, default=str)


def span_files(which: str, out: str) -> None:
    from google.protobuf.json_format import MessageToJson
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import (
        ConsoleSpanExporter,
        SimpleSpanProcessor,
        SpanExporter,
        SpanExportResult,
    )

    collected = []

    class Keep(SpanExporter):
        def export(self, spans):  # noqa: ANN001
            collected.extend(spans)
            return SpanExportResult.SUCCESS

    provider = TracerProvider(resource=Resource.create({"service.name": "invoice-bot",
                                                        "team": "billing"}))
    console = open(f"{out}/{which}_console.json", "w")  # noqa: SIM115
    provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter(out=console)))
    provider.add_span_processor(SimpleSpanProcessor(Keep()))
    trace.set_tracer_provider(provider)
    import openai

    client = openai.OpenAI(base_url=f"http://127.0.0.1:{PORT}/v1", api_key="sk-x")
    if which == "openinference":
        from openinference.instrumentation import using_attributes
        from openinference.instrumentation.openai import OpenAIInstrumentor

        OpenAIInstrumentor().instrument(tracer_provider=provider)
        with using_attributes(user_id="cust_9", session_id="sess-1",
                              metadata={"feature": "invoice-qa", "team": "billing"},
                              tags=["feature:invoice-qa"]):
            client.chat.completions.create(model="gpt-4o", messages=MESSAGES)
    else:
        os.environ["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"] = "true"
        from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor

        OpenAIInstrumentor().instrument(tracer_provider=provider)
        client.chat.completions.create(model="gpt-4o", messages=MESSAGES)
    provider.force_flush()
    console.close()
    with open(f"{out}/{which}_otlp_messagetojson.json", "w") as f:
        f.write(MessageToJson(encode_spans(collected)))


if __name__ == "__main__":
    which, out_dir = sys.argv[1], sys.argv[2]
    serve()
    if which == "litellm":
        litellm_files(out_dir)
    else:
        span_files(which, out_dir)
