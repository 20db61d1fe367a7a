"""The agent chat, without Reflex: visitors (opaque tokens, the public agent), conversations
and their messages, one chat turn (store, run the reply engine outside any transaction,
store the reply, capture), capture into contacts, and History."""
