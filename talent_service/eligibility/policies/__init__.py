"""Benefit policies: their versions, parameters and defaults, as stored and edited, and the
simulation of a draft over the population it is about."""
