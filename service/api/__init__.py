"""The HTTP service: FastAPI app factory and routes."""
