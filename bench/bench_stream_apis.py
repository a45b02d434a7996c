"""Streamed answers per API format through ``modproxy serve``, against a bare passthrough.

The same unique prompts and 50-delta answers as bench_stream, in each API's own wire format:
chat completions (``/v1/chat/completions``, ``chat.completion.chunk`` deltas), the OpenAI
Responses API (``/v1/responses``, ``response.output_text.delta`` events) and Anthropic Messages
(``/v1/messages``, ``content_block_delta`` events); the bench upstream writes each answer in the
format it was asked in. For each API it prints req/s, p50/p99 of the whole stream and CPU µs per
streamed answer of modproxy and of the passthrough and their ratios, at c=16 and c=1, so the
Responses and Messages event rewriters can be compared with the chat-chunk path.
See bench/harness.py for the rules every figure follows.

    python -m bench.bench_stream_apis                            # profile full, ~3 min
    python -m bench.bench_stream_apis --api responses messages --profile none full
"""

from __future__ import annotations

from bench import harness
from bench.workload import Api

if __name__ == "__main__":
    parser = harness.parser(__doc__ or "")
    parser.add_argument(
        "--api",
        dest="apis",
        nargs="+",
        type=Api,
        default=list(Api),
        metavar="NAME",
        help=f"API formats, in this order ({', '.join(a.value for a in Api)}; default all)",
    )
    args = parser.parse_args()
    raise SystemExit(harness.main(args, stream=True, apis=args.apis))
