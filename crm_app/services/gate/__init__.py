"""Gated agents (PRODUCT.md §9): who may chat with a Restrict or Pay for Access agent.

rules.py   — the agent's rule (statuses, stages) and its description in plain words
access.py  — what one visitor of an agent may do right now (chat, sign in, pay)
signin.py  — Restrict sign-in: emailed codes (only to allowed contacts), guest sessions
"""
