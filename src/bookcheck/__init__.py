"""Checks that the book's transcripts are what real interpreters print."""
