"""The lab Firehose's pure modules (no LocalStack import) are tested in the project venv:
the extension's source folder goes on the import path."""
import sys
from pathlib import Path

EXTENSION = Path(__file__).resolve().parents[2] / "services" / "localstack" / "extension"
if str(EXTENSION) not in sys.path:
    sys.path.insert(0, str(EXTENSION))
