"""Shared code for the RNN course notebooks: setup, data, plots, quizzes and self-checks."""
