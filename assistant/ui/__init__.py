"""The edges people meet: the Gradio app and its tabs, the HTTP API, login and read-only mode, and JSON-line logs and health. Only formats and calls the core."""
