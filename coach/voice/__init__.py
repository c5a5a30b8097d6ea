"""Speech in: a spoken answer read from a recording, transcribed offline, and its delivery measured."""
