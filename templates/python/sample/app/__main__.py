"""Entry point: python -m app."""
from .server import main

main()
