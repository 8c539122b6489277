"""Plots and interactive explorers for notebooks and reports."""
