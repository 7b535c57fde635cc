"""Helpers that do not import Odoo, so tests can run them without it."""
