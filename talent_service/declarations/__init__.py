"""Dated, sourced declarations about a person: education, professional title, hukou city."""
