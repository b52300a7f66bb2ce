"""Contract files (WSDL/XSD), shipped as package data and served unchanged by the gateway."""

from pathlib import Path

ROOT = Path(__file__).parent
