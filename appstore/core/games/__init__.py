"""Guessing games with IA stakes that anyone can check were fair (docs/games.md)."""
