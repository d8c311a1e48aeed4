"""The UI-free engine. Nothing under here imports textual or rich (tests/test_architecture.py)."""
