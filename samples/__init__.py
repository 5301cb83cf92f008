"""The bundled sample report (a real SOHR report), shipped as ``assistant.samples``; an
empty index is seeded with it when the web app starts."""
