"""Allow ``python -m scraper``."""
from scraper.cli import main

main()
