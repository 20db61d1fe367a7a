"""The domain: plain functions over a SQLModel Session. Never imports Reflex."""
