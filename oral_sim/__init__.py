"""oral-sim: an offline, voice-driven oral interview simulator.

Importing this package stays cheap: no model library (torch, sentence-transformers, faster-whisper,
piper) is imported here. The offline switches are set first thing, before anything can load a hub
client.
"""

from oral_sim import offline as _offline

_offline.enforce_offline_env()

__version__ = "0.1.0"
