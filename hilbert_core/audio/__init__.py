"""Audio in: reading and resampling any recording to 16 kHz mono (``reader``; PyAV for containers
libsndfile cannot open, ``container``), and transcription with faster-whisper (``transcribe``).
"""
