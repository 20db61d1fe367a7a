"""Reply engines for the agent chat: the interface (base.py), the offline default and the
OpenAI-compatible provider. Nothing here imports the database or Reflex."""
