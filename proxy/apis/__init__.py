"""Wire formats: one module per API, each knowing where its texts are and how a block looks to its SDKs.

``FORMATS`` is every path modproxy moderates and the format that reads it; ``STORED`` the answers
an upstream keeps and gives back on a ``GET`` (moderated again on the way out). ``proxy.http.app``
routes them, ``proxy.http.handlers`` tells the request story over any of them.
"""

from __future__ import annotations

import dataclasses
from types import MappingProxyType

from proxy.apis.anthropic_messages import MESSAGES
from proxy.apis.base import ApiFormat
from proxy.apis.listings import listing
from proxy.apis.openai_chat import CHAT, COMPLETIONS
from proxy.apis.openai_conversations import (
    CONVERSATION_ITEM_STORED,
    CONVERSATION_ITEMS,
    CONVERSATION_ITEMS_STORED,
    CONVERSATION_UPDATE,
    CONVERSATIONS,
)
from proxy.apis.openai_inputs import EMBEDDINGS, IMAGE_EDITS, IMAGE_GENERATIONS, SPEECH
from proxy.apis.openai_responses import RESPONSES

# Token counting sends the prompt upstream too (only counts come back): moderated as a prompt.
MESSAGES_COUNT_TOKENS = dataclasses.replace(
    MESSAGES, endpoint="messages_count_tokens", response_slots=None, stream=None, usage=None
)
RESPONSES_INPUT_TOKENS = dataclasses.replace(
    RESPONSES, endpoint="responses_input_tokens", response_slots=None, stream=None, usage=None
)

# A stored completion's update, like a conversation's, changes metadata only, which no model reads.
CHAT_COMPLETIONS_UPDATE = dataclasses.replace(CONVERSATION_UPDATE, endpoint="chat_completions_update")

FORMATS: MappingProxyType[str, ApiFormat] = MappingProxyType(
    {
        "/v1/chat/completions": CHAT,
        "/v1/completions": COMPLETIONS,
        "/v1/responses": RESPONSES,
        "/v1/responses/input_tokens": RESPONSES_INPUT_TOKENS,
        "/v1/messages": MESSAGES,
        "/v1/messages/count_tokens": MESSAGES_COUNT_TOKENS,
        "/v1/embeddings": EMBEDDINGS,
        "/v1/images/generations": IMAGE_GENERATIONS,
        "/v1/images/edits": IMAGE_EDITS,
        "/v1/audio/speech": SPEECH,
        "/v1/conversations": CONVERSATIONS,
        "/v1/conversations/{conversation_id}": CONVERSATION_UPDATE,
        "/v1/conversations/{conversation_id}/items": CONVERSATION_ITEMS,
        "/v1/chat/completions/{id}": dataclasses.replace(
            CONVERSATION_UPDATE, endpoint="chat_completions_update"
        ),
    }
)

STORED: MappingProxyType[str, ApiFormat] = MappingProxyType(
    {
        "/v1/responses/{id}": dataclasses.replace(RESPONSES, endpoint="responses_stored"),
        "/v1/chat/completions/{id}": dataclasses.replace(CHAT, endpoint="chat_completions_stored"),
        "/v1/chat/completions": listing(CHAT, "chat_completions_listed"),
        "/v1/conversations/{conversation_id}/items": CONVERSATION_ITEMS_STORED,
        "/v1/conversations/{conversation_id}/items/{item_id}": CONVERSATION_ITEM_STORED,
    }
)
